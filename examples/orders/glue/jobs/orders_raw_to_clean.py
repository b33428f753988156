# Glue job: one day's raw CSV -> clean Parquet (typed, deduplicated), as a team writes it for AWS.
import sys
from awsglue.utils import getResolvedOptions
from pyspark.sql import SparkSession, functions as F

args = getResolvedOptions(sys.argv, ["JOB_NAME", "process_date", "input_path", "output_path"])
spark = SparkSession.builder.appName(args["JOB_NAME"]).getOrCreate()

raw = spark.read.option("header", True).csv(args["input_path"])
expected = ["order_id", "customer_id", "order_ts", "amount", "status", "currency"]
missing = [name for name in expected if name not in raw.columns]
if missing:
    raise ValueError(f"schema mismatch in {args['input_path']}: missing column(s) {missing}")

clean = raw.dropDuplicates(["order_id"]).select(
    F.col("order_id"),
    F.col("customer_id").cast("int").alias("customer_id"),
    F.to_timestamp(F.col("order_ts")).alias("order_ts"),
    F.col("amount").cast("double").alias("amount"),
    F.upper(F.col("status")).alias("status"),
    F.col("currency"),
)
clean.write.mode("overwrite").parquet(args["output_path"])
print(f"clean {args['process_date']}: {clean.count()} orders")
