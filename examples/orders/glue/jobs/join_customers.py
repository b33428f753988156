# Glue job: enrich the filtered orders with the customers lookup.
import sys
from awsglue.utils import getResolvedOptions
from pyspark.sql import SparkSession

args = getResolvedOptions(sys.argv, ["JOB_NAME", "input_path", "lookup_path", "output_path"])
spark = SparkSession.builder.appName(args["JOB_NAME"]).getOrCreate()

orders = spark.read.parquet(args["input_path"])
customers = spark.read.option("header", True).option("inferSchema", True).csv(args["lookup_path"])
enriched = orders.join(customers, on="customer_id", how="left")
enriched.write.mode("overwrite").parquet(args["output_path"])
