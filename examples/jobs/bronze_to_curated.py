# Glue job: bronze Parquet -> curated Parquet partitioned by process_date.
import sys
from awsglue.utils import getResolvedOptions
from pyspark.sql import SparkSession, functions as F
args = getResolvedOptions(sys.argv, ["input_path", "output_path"])
spark = SparkSession.builder.getOrCreate()
df = spark.read.parquet(args["input_path"])
curated = (
    df.withColumn("amount", F.col("amount").cast("double"))
    .withColumn("process_date", F.to_date(F.col("order_ts")))
    .filter(F.col("status") != "cancelled")
)
curated.write.mode("overwrite").partitionBy("process_date").parquet(args["output_path"])
