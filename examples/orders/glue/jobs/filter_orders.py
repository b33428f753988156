# Glue job: keep the billable orders of a clean day.
import sys
from awsglue.utils import getResolvedOptions
from pyspark.sql import SparkSession, functions as F

args = getResolvedOptions(sys.argv, ["JOB_NAME", "input_path", "output_path"])
spark = SparkSession.builder.appName(args["JOB_NAME"]).getOrCreate()

orders = spark.read.parquet(args["input_path"])
billable = orders.filter((F.col("status") != "CANCELLED") & (F.col("amount") > 0))
billable.write.mode("overwrite").parquet(args["output_path"])
