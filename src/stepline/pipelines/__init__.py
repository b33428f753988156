"""Pipelines: a dataset's state machine, the partition ledger, replay and backfill."""
