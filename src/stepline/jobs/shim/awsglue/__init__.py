"""stepline's ``awsglue``: the parts of AWS Glue's ETL library that job scripts use.

``awsglue.utils.getResolvedOptions``, ``awsglue.context.GlueContext``, ``awsglue.job.Job``
(with job bookmarks), ``awsglue.dynamicframe.DynamicFrame`` for S3 sources and sinks, and
the names of ``awsglue.transforms``.
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    if name == "DynamicFrame":  # importing it loads pyspark: not for Python shell jobs
        from .dynamicframe import DynamicFrame

        return DynamicFrame
    raise AttributeError(f"module 'awsglue' has no attribute {name!r}")
