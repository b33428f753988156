"""RedriveExecution's rules: whether an execution can be redriven now, and why not.

Pure: the caller passes the execution, the time and how many events its history has.
The reasons are AWS's ``redriveStatusReason`` texts (DescribeExecution).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final, Literal

from stepline.store.records import ExecutionRecord

# AWS: an execution can be redriven for 14 days after it ended, not past a year after it
# started (the max execution time), and only while its history leaves room for the
# ExecutionRedriven event and at least one more (under 24,999 events of the 25,000).
REDRIVABLE_PERIOD: Final = timedelta(days=14)
MAX_EXECUTION_TIME: Final = timedelta(days=365)
MAX_HISTORY_BEFORE_REDRIVE: Final = 24_999


@dataclass(frozen=True, slots=True)
class RedriveStatus:
    status: Literal["REDRIVABLE", "NOT_REDRIVABLE"]
    reason: str | None = None


def redrive_status(record: ExecutionRecord, now: datetime, event_count: int) -> RedriveStatus:
    """DescribeExecution's redriveStatus / redriveStatusReason for ``record`` at ``now``."""
    if record.status in ("RUNNING", "SUCCEEDED"):
        return _not(f"Execution is {record.status} and cannot be redriven")
    if record.machine_deleting:  # stepline's reason (AWS's not recorded)
        return _not("The state machine of the execution is being deleted")
    if event_count >= MAX_HISTORY_BEFORE_REDRIVE:
        return _not("Execution history event limit exceeded")
    if now - record.start_date >= MAX_EXECUTION_TIME:
        return _not("Execution has exceeded the max execution time")
    ended = record.stop_date or record.start_date
    if now - ended > REDRIVABLE_PERIOD:
        return _not("Execution redrivable period exceeded")
    return RedriveStatus("REDRIVABLE")


def _not(reason: str) -> RedriveStatus:
    return RedriveStatus("NOT_REDRIVABLE", reason)
