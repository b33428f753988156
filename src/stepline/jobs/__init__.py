"""Glue-style job scripts in a subprocess: launcher, engines, ``awsglue`` shim, runner.

Parent side (what job runs, the API and the Step Functions integration build on)::

    from stepline.jobs.runner import run_script, start_script   # -> ScriptResult
    from stepline.jobs.spec import ScriptSpec, glue_argv
    from stepline.jobs.bookmarks import read_bookmark, reset_bookmark

Engines (``ScriptSpec.engine``; Glue's Command.Name is accepted too):

* ``duckdb`` (``glueetl``, the default): PySpark's DataFrame API on DuckDB via sqlframe.
  Works: ``SparkSession.builder.getOrCreate()``, ``SparkSession(sc)``,
  ``SparkContext.getOrCreate()`` / ``SparkConf`` / ``StorageLevel`` stand-ins,
  ``spark.read`` csv/json/parquet (files, directories, globs, hive partitions,
  ``schema()``, Spark's CSV defaults: strings unless ``inferSchema``, ``_c0..`` without a
  header), ``df.write`` csv/json/parquet with Spark's directory layout, save modes,
  ``partitionBy`` and static/dynamic partition overwrite, all published atomically;
  select/withColumn/filter/groupBy/agg/join/window functions/``spark.sql`` on temp views,
  ``spark.conf.get/set`` for any key, ``AnalysisException`` from ``pyspark.sql.utils`` or
  ``pyspark.errors``. Not available: the RDD API (``sc.parallelize``...), Python UDFs
  beyond what sqlframe supports, ``df.dtypes`` (use ``df.schema``), SQL naming s3:// paths
  inside the query text, caching (a no-op), bucketBy/sortBy, formats other than
  csv/json/parquet.
* ``spark``: real PySpark (``stepline[spark]``, Java 17), ``local[*]``, ``spark://`` or
  ``sc://`` (Spark Connect); reader/writer paths map s3:// and writes publish atomically.
* ``python`` (``pythonshell``): plain Python with DuckDB, pyarrow and polars.

s3:// arguments are rewritten to local paths under ``data_root`` (their parent directories
are created, as any S3 key can be written). This package's ``__init__`` imports nothing:
the job process loads only what its engine needs.
"""
