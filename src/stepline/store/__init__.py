"""Durable storage behind one protocol: memory, SQLite (default) and PostgreSQL backends.

``open_store(url)`` picks the backend; the PostgreSQL driver is imported only when used.
"""

from stepline.store.memory import MemoryStore
from stepline.store.open import DEFAULT_URL, open_store
from stepline.store.protocol import (
    AlreadyExists,
    Append,
    Conflict,
    NotFound,
    Store,
    StoreError,
    TooManyTags,
    VersionConflict,
)
from stepline.store.records import (
    INITIAL_REVISION,
    ActivityRecord,
    AliasRecord,
    EventRecord,
    ExecutionRecord,
    ExecutionStatus,
    MachineStatus,
    RevisionRecord,
    Route,
    StateMachineRecord,
    Tag,
    VersionRecord,
    WorkItem,
    WorkKind,
)

__all__ = [
    "DEFAULT_URL",
    "INITIAL_REVISION",
    "ActivityRecord",
    "AliasRecord",
    "AlreadyExists",
    "Append",
    "Conflict",
    "EventRecord",
    "ExecutionRecord",
    "ExecutionStatus",
    "MachineStatus",
    "MemoryStore",
    "NotFound",
    "RevisionRecord",
    "Route",
    "StateMachineRecord",
    "Store",
    "StoreError",
    "Tag",
    "TooManyTags",
    "VersionConflict",
    "VersionRecord",
    "WorkItem",
    "WorkKind",
    "open_store",
]
