"""SQL over the lake with Athena's semantics, on DuckDB.

The Python API (the HTTP API and the Step Functions integration call it)::

    engine = QueryEngine(store, LakePaths(data_root), settings=AthenaSettings(...))
    query_id = engine.start_query_execution("SELECT ...", database="sales")  # at once
    engine.get_query_execution(query_id)          # QueryExecutionRecord: state, statistics
    engine.get_query_results(query_id, 1000, token).to_api()  # GetQueryResults' shape
    engine.stop_query_execution(query_id)         # CANCELLED; DuckDB interrupted
    engine.catalog    # LakeCatalog: Glue's databases, tables, partitions
    engine.workgroups # WorkGroups: primary and named work groups

``stepline.athena.shapes`` turns the records into the AWS API shapes (QueryExecution,
WorkGroup, Glue's Database/Table/Partition) and reads Glue's TableInput/PartitionInput.
"""

from stepline.athena.catalog import DEFAULT_DATABASE, LakeCatalog, PartitionError
from stepline.athena.engine import DEFAULT_OUTPUT_LOCATION, AthenaSettings, QueryEngine
from stepline.athena.errors import (
    AlreadyExists,
    ApiError,
    EntityNotFound,
    InvalidInput,
    InvalidRequest,
    QueryFailure,
)
from stepline.athena.results import ResultColumn, ResultPage
from stepline.athena.workgroups import PRIMARY, WorkGroups

__all__ = [
    "DEFAULT_DATABASE",
    "DEFAULT_OUTPUT_LOCATION",
    "PRIMARY",
    "AlreadyExists",
    "ApiError",
    "AthenaSettings",
    "EntityNotFound",
    "InvalidInput",
    "InvalidRequest",
    "LakeCatalog",
    "PartitionError",
    "QueryEngine",
    "QueryFailure",
    "ResultColumn",
    "ResultPage",
    "WorkGroups",
]
