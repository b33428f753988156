import sys
from awsglue.utils import getResolvedOptions
from pyspark.sql import SparkSession
args = getResolvedOptions(sys.argv, ["input_path", "output_path"])
spark = SparkSession.builder.getOrCreate()
df = spark.read.option("header", True).csv(args["input_path"])
clean_df = df.dropDuplicates(["order_id"])
clean_df.write.mode("overwrite").parquet(args["output_path"])
