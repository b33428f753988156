"""EXPRESS state machines through boto3: StartSyncExecution answers with the result, an async
StartExecution runs in the background, no execution record is kept, and the machine's
loggingConfiguration sends the history to its log group (a JSON-lines file)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError
from sfn_client import FN, LOOP_MACHINE, ROLE, Server, client

LOG_GROUP = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/vendedlogs/states/{name}:*"


@pytest.fixture
def sync(server: Server) -> Any:
    # StartSyncExecution's endpoint has the host prefix "sync-" (botocore's model); a local
    # endpoint has no such host, so clients turn the prefix off (as for TestState).
    return client(server.url, inject_host_prefix=False)


def code(error: pytest.ExceptionInfo[ClientError]) -> str:
    return str(error.value.response["Error"]["Code"])


def logging_to(name: str, level: str = "ALL", data: bool = True) -> dict[str, Any]:
    return {
        "level": level,
        "includeExecutionData": data,
        "destinations": [{"cloudWatchLogsLogGroup": {"logGroupArn": LOG_GROUP.format(name=name)}}],
    }


def log_lines(server: Server, name: str, ends: int, timeout: float = 20) -> list[dict[str, Any]]:
    """The records of log group ``name`` once ``ends`` executions have ended in it."""
    path = server.directory / ".stepline" / "logs" / "aws" / "vendedlogs" / "states"
    path = path / f"{name}.jsonl"
    deadline = time.monotonic() + timeout
    while True:
        lines = path.read_text().splitlines() if path.exists() else []
        records = [json.loads(line) for line in lines]
        ended = [
            r
            for r in records
            if r["type"].startswith("Execution") and r["type"] != "ExecutionStarted"
        ]
        if len(ended) >= ends or time.monotonic() > deadline:
            return records
        time.sleep(0.05)


def test_start_sync_execution_answers_with_the_output(
    sync: Any, make_machine: Callable[..., str]
) -> None:
    arn = make_machine(LOOP_MACHINE, type="EXPRESS")
    assert sync.describe_state_machine(stateMachineArn=arn)["type"] == "EXPRESS"
    ended = sync.start_sync_execution(
        stateMachineArn=arn, name="sync-run", input=json.dumps({"n": 21}), traceHeader="t-1"
    )
    assert ended["status"] == "SUCCEEDED"
    assert json.loads(ended["output"]) == {"value": 42, "size": "big"}
    assert ended["executionArn"].startswith(
        "arn:aws:states:us-east-1:123456789012:express:" + arn.split(":")[-1] + ":sync-run:"
    )
    assert ended["stateMachineArn"] == arn and ended["name"] == "sync-run"
    assert json.loads(ended["input"]) == {"n": 21}
    assert ended["inputDetails"] == {"included": True}
    assert ended["traceHeader"] == "t-1"
    assert ended["stopDate"] >= ended["startDate"]
    billed = ended["billingDetails"]
    assert billed["billedMemoryUsedInMB"] == 64
    assert billed["billedDurationInMilliseconds"] % 100 == 0
    assert billed["billedDurationInMilliseconds"] >= 100


def test_a_failed_sync_execution_is_still_answered_200(
    sync: Any, make_machine: Callable[..., str]
) -> None:
    arn = make_machine(LOOP_MACHINE, type="EXPRESS")
    ended = sync.start_sync_execution(
        stateMachineArn=arn, input=json.dumps({"n": 2}), includedData="METADATA_ONLY"
    )
    assert ended["status"] == "FAILED"
    assert (ended["error"], ended["cause"]) == ("TooSmall", "the value is 10 or less")
    assert "output" not in ended and "input" not in ended
    assert ended["inputDetails"] == {"included": False}


def test_an_express_execution_times_out_after_its_timeout(
    sync: Any, make_machine: Callable[..., str]
) -> None:
    machine = {
        "TimeoutSeconds": 1,
        "StartAt": "Nap",
        "States": {"Nap": {"Type": "Wait", "Seconds": 30, "End": True}},
    }
    ended = sync.start_sync_execution(stateMachineArn=make_machine(machine, type="EXPRESS"))
    assert ended["status"] == "TIMED_OUT"
    assert ended["error"] == "States.Timeout"


def test_sync_execution_of_a_standard_machine_is_refused(
    sync: Any, make_machine: Callable[..., str]
) -> None:
    arn = make_machine(LOOP_MACHINE)
    with pytest.raises(ClientError) as refused:
        sync.start_sync_execution(stateMachineArn=arn)
    assert code(refused) == "StateMachineTypeNotSupported"
    missing = arn + "-gone"
    with pytest.raises(ClientError) as gone:
        sync.start_sync_execution(stateMachineArn=missing)
    assert code(gone) == "StateMachineDoesNotExist"
    with pytest.raises(ClientError) as bad_input:
        sync.start_sync_execution(stateMachineArn=arn, input="{not json")
    assert code(bad_input) == "InvalidExecutionInput"


@pytest.mark.parametrize(
    ("resource", "expected"),
    [
        ("arn:aws:states:::lambda:invoke.waitForTaskToken", "'.waitForTaskToken'"),
        ("arn:aws:states:::states:startExecution.sync:2", "'.sync'"),
        ("arn:aws:states:us-east-1:123456789012:activity:work", "Activity ARN"),
    ],
)
def test_express_machines_refuse_what_express_cannot_run(
    sfn: Any, make_machine: Callable[..., str], resource: str, expected: str
) -> None:
    machine = {
        "StartAt": "Fan",
        "States": {
            "Fan": {
                "Type": "Parallel",
                "End": True,
                "Branches": [
                    {
                        "StartAt": "Call",
                        "States": {"Call": {"Type": "Task", "Resource": resource, "End": True}},
                    }
                ],
            }
        },
    }
    with pytest.raises(ClientError) as refused:
        make_machine(machine, type="EXPRESS")
    assert code(refused) == "InvalidDefinition"
    message = refused.value.response["Error"]["Message"]
    assert expected in message and "/States/Fan/Branches[0]/States/Call/Resource" in message
    validated = sfn.validate_state_machine_definition(
        definition=json.dumps(machine), type="EXPRESS"
    )
    assert validated["result"] == "FAIL"
    assert validated["diagnostics"][0]["location"] == "/States/Fan/Branches[0]/States/Call/Resource"
    standard = sfn.validate_state_machine_definition(definition=json.dumps(machine))
    assert standard["result"] == "OK"
    arn = make_machine(LOOP_MACHINE, type="EXPRESS")
    with pytest.raises(ClientError) as update:
        sfn.update_state_machine(stateMachineArn=arn, definition=json.dumps(machine))
    assert code(update) == "InvalidDefinition"


def test_async_express_runs_without_a_record_and_logs_to_its_group(
    server: Server, sfn: Any, make_machine: Callable[..., str], unique: Callable[[str], str]
) -> None:
    group = unique("express-log")
    arn = make_machine(LOOP_MACHINE, type="EXPRESS", loggingConfiguration=logging_to(group))
    first = sfn.start_execution(stateMachineArn=arn, name="again", input=json.dumps({"n": 3}))
    second = sfn.start_execution(stateMachineArn=arn, name="again", input=json.dumps({"n": 3}))
    # AWS: an Express start is not idempotent; the same name starts another execution
    assert first["executionArn"] != second["executionArn"]
    assert ":express:" in first["executionArn"]
    for operation in (sfn.describe_execution, sfn.get_execution_history, sfn.stop_execution):
        with pytest.raises(ClientError) as refused:
            operation(executionArn=first["executionArn"])
        assert code(refused) == "InvalidArn"
        assert "Resource type not valid in this context: express" in str(refused.value)
    with pytest.raises(ClientError) as listing:
        sfn.list_executions(stateMachineArn=arn)
    assert code(listing) == "StateMachineTypeNotSupported"
    records = log_lines(server, group, 2)
    ends = [r for r in records if r["type"] == "ExecutionFailed"]
    assert len(ends) == 2  # 6 is not big: the Fail state
    assert {r["execution_arn"] for r in ends} == {first["executionArn"], second["executionArn"]}
    one = [r for r in records if r["execution_arn"] == first["executionArn"]]
    assert one[0]["type"] == "ExecutionStarted" and one[0]["previous_event_id"] == "0"
    assert json.loads(one[0]["details"]["input"]) == {"n": 3}
    assert [r["id"] for r in one] == [str(i) for i in range(1, len(one) + 1)]
    assert all(r["event_timestamp"].isdigit() and r["redrive_count"] == "0" for r in one)


def test_log_levels_and_execution_data(
    server: Server, sync: Any, make_machine: Callable[..., str], unique: Callable[[str], str]
) -> None:
    errors, fatal = unique("errors"), unique("fatal")
    for group, level in ((errors, "ERROR"), (fatal, "FATAL")):
        arn = make_machine(
            LOOP_MACHINE,
            type="EXPRESS",
            loggingConfiguration=logging_to(group, level, data=False),
        )
        sync.start_sync_execution(stateMachineArn=arn, input=json.dumps({"n": 1}))
    assert [r["type"] for r in log_lines(server, errors, 1)] == [
        "FailStateEntered",
        "ExecutionFailed",
    ]
    fatal_records = log_lines(server, fatal, 1)
    assert [r["type"] for r in fatal_records] == ["ExecutionFailed"]
    assert fatal_records[0]["details"] == {"error": "TooSmall", "cause": "the value is 10 or less"}


def test_no_logging_configuration_keeps_nothing(
    server: Server, sync: Any, make_machine: Callable[..., str]
) -> None:
    before = sorted(Path(server.directory).rglob("*.jsonl"))
    arn = make_machine(LOOP_MACHINE, type="EXPRESS")
    assert sync.start_sync_execution(stateMachineArn=arn, input='{"n": 30}')["status"] == (
        "SUCCEEDED"
    )
    after = sorted(Path(server.directory).rglob("*.jsonl"))
    assert before == after


def test_express_versions_and_listing(
    sfn: Any, sync: Any, make_machine: Callable[..., str]
) -> None:
    arn = make_machine(LOOP_MACHINE, type="EXPRESS", publish=True)
    listed = {m["stateMachineArn"]: m["type"] for m in sfn.list_state_machines()["stateMachines"]}
    assert listed[arn] == "EXPRESS"
    ended = sync.start_sync_execution(stateMachineArn=f"{arn}:1", input='{"n": 6}')
    assert ended["status"] == "SUCCEEDED"
    assert json.loads(ended["output"])["value"] == 12
    with pytest.raises(ClientError) as again:  # same name, other type: not the same machine
        sfn.create_state_machine(
            name=arn.split(":")[-1], definition=json.dumps(LOOP_MACHINE), roleArn=ROLE
        )
    assert code(again) == "StateMachineAlreadyExists"
    assert FN  # the Lambda functions of LOOP_MACHINE are the server's
