"""What EXPRESS machines may not contain, and how their history is logged (pure parts)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from stepline.asl.errors import DefinitionError
from stepline.asl.express_rules import express_diagnostics, load_as
from stepline.asl.parse import load
from stepline.engine.history import HistoryEvent
from stepline.express_logs import LogFiles, log_group_name, log_records, logged


def task(resource: str) -> dict[str, object]:
    return {"Type": "Task", "Resource": resource, "End": True}


def test_every_forbidden_state_is_reported_with_its_location() -> None:
    machine = load(
        {
            "StartAt": "M",
            "States": {
                "M": {
                    "Type": "Map",
                    "Next": "W",
                    "ItemProcessor": {
                        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                        "StartAt": "J",
                        "States": {"J": task("arn:aws:states:::glue:startJobRun.sync")},
                    },
                },
                "W": task("arn:aws:states:::sqs:sendMessage.waitForTaskToken"),
            },
        }
    )
    found = [(d.message, d.location) for d in express_diagnostics(machine)]
    assert found == [
        (
            "Express state machine does not support Distributed Map state",
            "/States/M/ItemProcessor/ProcessorConfig/Mode",
        ),
        (
            "Express state machine does not support '.sync' service integration",
            "/States/M/ItemProcessor/States/J/Resource",
        ),
        (
            "Express state machine does not support '.waitForTaskToken' service integration",
            "/States/W/Resource",
        ),
    ]


def test_request_response_tasks_are_fine_and_standard_machines_take_anything() -> None:
    plain = {"StartAt": "T", "States": {"T": task("arn:aws:states:::lambda:invoke")}}
    assert express_diagnostics(load(plain)) == []
    sync = {"StartAt": "T", "States": {"T": task("arn:aws:states:::glue:startJobRun.sync")}}
    assert load_as(sync, "STANDARD").root.start_at == "T"
    with pytest.raises(DefinitionError) as refused:
        load_as(sync, "EXPRESS")
    assert "/States/T/Resource" in str(refused.value)


def event(number: int, kind: str, details: dict[str, object] | None = None) -> HistoryEvent:
    return HistoryEvent(number, number - 1, datetime(2026, 1, 2, tzinfo=UTC), kind, details)


RUN = [
    event(1, "ExecutionStarted", {"input": {"n": 1}, "roleArn": "arn:aws:iam::1:role/r"}),
    event(2, "TaskStateEntered", {"name": "T", "input": {"n": 1}}),
    event(3, "TaskFailed", {"error": "E", "cause": "c"}),
    event(4, "FailStateEntered", {"name": "F", "input": {}}),
    event(5, "ExecutionFailed", {"error": "E", "cause": "c"}),
]


@pytest.mark.parametrize(
    ("level", "types"),
    [
        ("ALL", [e.type for e in RUN]),
        ("ERROR", ["TaskFailed", "FailStateEntered", "ExecutionFailed"]),
        ("FATAL", ["ExecutionFailed"]),
        ("OFF", []),
    ],
)
def test_levels_choose_the_events(level: str, types: list[str]) -> None:
    assert [e.type for e in RUN if logged(e.type, level)] == types
    records = log_records(RUN, {"level": level, "includeExecutionData": True}, "arn:x")
    assert [r["type"] for r in records] == types


def test_records_are_cloudwatch_shaped_and_data_can_be_left_out() -> None:
    with_data = log_records(RUN[:1], {"level": "ALL", "includeExecutionData": True}, "arn:x")
    assert with_data == [
        {
            "id": "1",
            "type": "ExecutionStarted",
            "details": {
                "input": '{"n":1}',
                "inputDetails": {"truncated": False},
                "roleArn": "arn:aws:iam::1:role/r",
            },
            "previous_event_id": "0",
            "event_timestamp": str(int(datetime(2026, 1, 2, tzinfo=UTC).timestamp() * 1000)),
            "execution_arn": "arn:x",
            "redrive_count": "0",
        }
    ]
    without = log_records(RUN[:1], {"level": "ALL"}, "arn:x")
    assert without[0]["details"] == {"roleArn": "arn:aws:iam::1:role/r"}


def test_log_group_names_and_files(tmp_path: Path) -> None:
    arn = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/states/orders:*"
    assert log_group_name(arn) == "/aws/states/orders"
    with pytest.raises(ValueError, match="not a CloudWatch Logs log group ARN"):
        log_group_name("arn:aws:s3:::bucket")
    files = LogFiles(tmp_path)
    files.write("/aws/states/orders", [{"id": "1"}])
    files.write("/aws/states/orders", [{"id": "2"}])
    assert files.path_of("/aws/states/orders") == tmp_path / "aws" / "states" / "orders.jsonl"
    assert files.read("/aws/states/orders") == [{"id": "1"}, {"id": "2"}]
    with pytest.raises(ValueError, match="cannot be a file"):
        files.write("/aws/../../etc", [{"id": "1"}])
