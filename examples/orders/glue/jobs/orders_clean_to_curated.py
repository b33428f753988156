# Glue job: one day's clean Parquet -> the curated layer (billable orders, derived columns).
import sys
from awsglue.utils import getResolvedOptions
from pyspark.sql import SparkSession, functions as F

args = getResolvedOptions(sys.argv, ["JOB_NAME", "process_date", "input_path", "output_path"])
spark = SparkSession.builder.appName(args["JOB_NAME"]).getOrCreate()

clean = spark.read.parquet(args["input_path"])
curated = (
    clean.filter(F.col("status") != "CANCELLED")
    .withColumn("order_hour", F.hour(F.col("order_ts")))
    .withColumn("is_large", F.col("amount") >= 100)
)
curated.write.mode("overwrite").parquet(args["output_path"])
print(f"curated {args['process_date']}: {curated.count()} orders")
