"""Quality gates: DQDL rulesets (a subset of AWS Glue Data Quality's language) and SQL checks,
evaluated on DuckDB over a catalog table, a partition or a path; results kept per dataset and
partition; quarantine of failed partitions. See docs/quality.md."""
