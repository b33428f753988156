"""Step Functions activities over a durable store: CreateActivity, DescribeActivity,
ListActivities, DeleteActivity and GetActivityTask.

A Task state whose Resource is an activity ARN records ActivityScheduled; the step that
schedules it writes an "activity" work item (key: the engine's task token) that workers'
claims never take. GetActivityTask takes the oldest item of the activity under a short
lease and consumes it in the step that records ActivityStarted, so each task is handed out
at most once, and a poller that dies in between only delays it until the lease ends. The
worker answers with SendTaskSuccess/Failure/Heartbeat and the token it got (the token
``$$.Task.Token`` shows), as for any callback task.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Final

from stepline.arns import InvalidArn
from stepline.asl import errors
from stepline.asl.dataflow import to_json_text
from stepline.engine.records import ActivityStarted, InvokeTask
from stepline.engine.resources import is_activity
from stepline.engine.tokens import task_token
from stepline.names import MAX_NAME, check_name
from stepline.store.protocol import NotFound, Store
from stepline.store.records import ActivityRecord, Tag, WorkItem
from stepline.tags import check_tags

if TYPE_CHECKING:
    from stepline.service import Service

# AWS: GetActivityTask holds the request open for up to 60 seconds.
LONG_POLL_SECONDS: Final = 60.0
# How long a taken task stays the taker's before the step that starts it must be written.
_TAKE_LEASE_SECONDS: Final = 30.0
_FIRST_PAUSE: Final = 0.01
_MAX_PAUSE: Final = 0.2


class ActivityDoesNotExist(NotFound):
    """AWS: ActivityDoesNotExist."""


@dataclass(frozen=True, slots=True)
class ActivityTask:
    """What GetActivityTask hands a worker: the token to answer with, and the input."""

    task_token: str
    input: str  # JSON text


class Activities:
    """The activity use cases; composes a Service (its store, clock, account and steps)."""

    def __init__(self, service: Service) -> None:
        self.service = service

    def arn(self, name_or_arn: str) -> str:
        """The activity ARN for a name (in the service's region and account) or an ARN."""
        if name_or_arn.startswith("arn:"):
            if not is_activity(name_or_arn):
                raise InvalidArn(f"Invalid Arn: '{name_or_arn}' is not an activity ARN")
            return name_or_arn
        check_name(name_or_arn, "activity name")
        account = self.service.account
        return f"arn:aws:states:{account.region}:{account.account}:activity:{name_or_arn}"

    def create_activity(self, name: str, tags: Sequence[Tag] = ()) -> ActivityRecord:
        """AWS's CreateActivity: creating an existing name again returns that activity (its
        tags unchanged: "If a following request has different tags values, Step Functions
        will ignore these differences")."""
        check_name(name, "activity name")
        record = ActivityRecord(self.arn(name), name, self.service.clock.now())
        check_tags(tags, record.arn)
        return self.service.store.create_activity(record, tags)

    def describe_activity(self, name_or_arn: str) -> ActivityRecord:
        arn = self.arn(name_or_arn)
        record = self.service.store.get_activity(arn)
        if record is None:
            raise ActivityDoesNotExist(f"Activity Does Not Exist: '{arn}'")
        return record

    def list_activities(self) -> list[ActivityRecord]:
        return self.service.store.list_activities()

    def delete_activity(self, name_or_arn: str) -> bool:
        """False when there was no such activity (AWS: DeleteActivity succeeds anyway).
        Tasks already scheduled stay with their executions (their timeouts still apply)."""
        return self.service.store.delete_activity(self.arn(name_or_arn))

    def get_activity_task(
        self,
        activity: str,
        worker_name: str | None = None,
        timeout: float = LONG_POLL_SECONDS,
    ) -> ActivityTask | None:
        """AWS's GetActivityTask: the oldest task scheduled for the activity, started by
        ``worker_name``; None when none came within ``timeout`` seconds (the long poll)."""
        arn = self.describe_activity(activity).arn
        if worker_name is not None and not 1 <= len(worker_name) <= MAX_NAME:  # AWS: a Name
            raise ValueError(
                f"workerName must be 1 to {MAX_NAME} characters, got {len(worker_name)}"
            )
        if timeout < 0:
            raise ValueError(f"the long-poll timeout must be 0 or more seconds, got {timeout}")
        deadline = time.monotonic() + timeout
        pause = _FIRST_PAUSE
        while True:
            task = self._take(arn, worker_name)
            if task is not None:
                return task
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            time.sleep(min(pause, left))
            pause = min(pause * 2, _MAX_PAUSE)

    def _take(self, activity_arn: str, worker_name: str | None) -> ActivityTask | None:
        service = self.service
        while True:
            item = service.store.take_activity_task(
                activity_arn,
                worker_name or "activity-worker",
                service.clock.now(),
                _TAKE_LEASE_SECONDS,
            )
            if item is None:
                return None
            event = ActivityStarted(item.key, worker_name)
            try:
                started = service.apply(
                    item.execution_arn, event, done_work_id=item.id, only_if_effective=True
                )
            except NotFound:
                started = False
            if started:
                text = to_json_text(json.loads(item.payload)["input"])
                return ActivityTask(task_token(item.execution_arn, item.key), text)
            # The task ended meanwhile (stopped, timed out) or another taker started it.


def activity_work(store: Store, execution_arn: str, command: InvokeTask, now: datetime) -> WorkItem:
    """The work item for a scheduled activity task: in the activity's queue, or, when there
    is no such activity, a delivery of the failure the engine records as
    ActivityScheduleFailed (AWS: States.Runtime, which no Retry or Catch handles)."""
    arn = command.resource
    if store.get_activity(arn) is None:
        # AWS (activities/test_activity_task_on_deleted recording): the execution fails with
        # States.Runtime and this cause, behind the usual "An error occurred while executing
        # the state ..." prefix. AWS records no Activity* event there; the engine, which
        # cannot know the activity is missing when it schedules, records ActivityScheduled
        # and then ActivityScheduleFailed.
        failed = {"error": errors.RUNTIME, "cause": f"The activity {arn} does not exist."}
        payload = json.dumps({"token": command.token, "task_failed": failed})
        return WorkItem(execution_arn, command.token, "deliver", now, payload)
    payload = json.dumps({"activity_arn": arn, "input": command.parameters}, ensure_ascii=False)
    return WorkItem(execution_arn, command.token, "activity", now, payload)


__all__ = [
    "Activities",
    "ActivityDoesNotExist",
    "ActivityTask",
    "InvalidArn",
    "activity_work",
]
