"""The context object ``$$``: what a state can read about its execution and itself."""

from __future__ import annotations

from datetime import datetime

from stepline.asl.errors import Json
from stepline.asl.timestamps import format_timestamp
from stepline.engine.records import Entry, ExecutionInfo


class ContextObjects:
    """Builds context objects for one ``advance`` call, formatting each time only once."""

    def __init__(self, info: ExecutionInfo) -> None:
        self.info = info
        self._start_text = format_timestamp(info.start_time)
        self._texts: dict[datetime, str] = {}

    def _text(self, moment: datetime) -> str:
        text = self._texts.get(moment)
        if text is None:
            text = self._texts[moment] = format_timestamp(moment)
        return text

    def build(
        self,
        name: str,
        entry: Entry,
        task_token: str | None = None,
        item: tuple[int, Json] | None = None,
        in_task: bool = False,
    ) -> dict[str, Json]:
        """The context object as AWS shows it to a state, in AWS's key order.

        AWS (context_object recordings): ``State.RetryCount`` appears only in Task states;
        ``Task.Token`` only for callback and activity tasks; ``Map.Item`` only while a Map
        builds an item's input.
        """
        info = self.info
        state: dict[str, Json] = {"Name": name, "EnteredTime": self._text(entry.at)}
        if in_task:
            state["RetryCount"] = entry.retry_count
        execution: dict[str, Json] = {
            "Id": info.execution_arn,
            "Input": info.input,
            "StartTime": self._start_text,
            "Name": info.name,
            "RoleArn": info.role_arn,
            "RedriveCount": info.redrive_count,
        }
        if info.redrive_time is not None:
            # AWS: RedriveTime appears once the execution has been redriven.
            execution["RedriveTime"] = self._text(info.redrive_time)
        ctx: dict[str, Json] = {
            "Execution": execution,
            # AWS: an execution started through a version or an alias shows the qualified
            # ARN it was started with (docs: "Associating executions with a version or
            # alias"; not confirmed against a recording).
            "StateMachine": {
                "Id": info.alias_arn or info.version_arn or info.state_machine_arn,
                "Name": info.state_machine_name,
            },
            "State": state,
        }
        if task_token is not None:
            ctx["Task"] = {"Token": task_token}
        if item is not None:
            ctx["Map"] = {"Item": {"Index": item[0], "Value": item[1]}}
        return ctx
