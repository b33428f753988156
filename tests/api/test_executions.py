"""Executions over the API: the SDK client loop, describe, list (filters, pages), history
(pages, reverse order, without data), stop and redrive."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sfn_client import FN, LOOP_MACHINE, Server, pass_chain, wait_for_end


def test_the_sdk_client_loop(sfn: Any, make_machine: Callable[..., str]) -> None:
    """The loop from the issue, unchanged but for endpoint_url."""
    arn = make_machine(LOOP_MACHINE)
    stamp = time.strftime("%Y%m%dT%H%M%S")
    r = sfn.start_execution(stateMachineArn=arn, name=f"run-{stamp}", input=json.dumps({"n": 21}))
    while True:
        s = sfn.describe_execution(executionArn=r["executionArn"])
        if s["status"] in ("SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"):
            break
        time.sleep(0.2)
    assert s["status"] == "SUCCEEDED"
    assert json.loads(s["output"]) == {"value": 42, "size": "big"}
    assert s["name"] == f"run-{stamp}" and s["stateMachineArn"] == arn
    assert s["startDate"] <= s["stopDate"]
    assert s["redriveStatus"] == "NOT_REDRIVABLE"
    assert s["redriveStatusReason"] == "Execution is SUCCEEDED and cannot be redriven"

    failed = sfn.start_execution(stateMachineArn=arn, input=json.dumps({"n": 2}))
    described = wait_for_end(sfn, failed["executionArn"])
    assert (described["status"], described["error"]) == ("FAILED", "TooSmall")
    assert described["cause"] == "the value is 10 or less"
    assert "output" not in described and described["redriveStatus"] == "REDRIVABLE"


def test_start_is_idempotent_for_the_same_name_and_input(
    sfn: Any, make_machine: Callable[..., str]
) -> None:
    arn = make_machine(
        {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 30, "End": True}}}
    )
    first = sfn.start_execution(stateMachineArn=arn, name="same", input='{"a": 1}')
    again = sfn.start_execution(stateMachineArn=arn, name="same", input='{"a": 1}')
    assert again["executionArn"] == first["executionArn"]
    assert again["startDate"] == first["startDate"]
    sfn.stop_execution(executionArn=first["executionArn"])


def test_describe_without_data_and_default_input(
    sfn: Any, make_machine: Callable[..., str]
) -> None:
    arn = make_machine(pass_chain(1))
    started = sfn.start_execution(stateMachineArn=arn)  # no input: AWS runs it with {}
    wait_for_end(sfn, started["executionArn"])
    full = sfn.describe_execution(executionArn=started["executionArn"])
    assert (full["input"], json.loads(full["output"])) == ("{}", {})
    bare = sfn.describe_execution(
        executionArn=started["executionArn"], includedData="METADATA_ONLY"
    )
    assert "input" not in bare and "output" not in bare
    assert bare["inputDetails"] == {"included": False}


def test_list_executions_pages_filters_and_paginator(
    sfn: Any, make_machine: Callable[..., str]
) -> None:
    arn = make_machine(pass_chain(2))
    started = [
        sfn.start_execution(stateMachineArn=arn, name=f"e{i}")["executionArn"] for i in range(5)
    ]
    for execution in started:
        wait_for_end(sfn, execution)
    seen: list[str] = []
    token = None
    pages = 0
    while True:
        kwargs = {"nextToken": token} if token else {}
        page = sfn.list_executions(stateMachineArn=arn, maxResults=2, **kwargs)
        pages += 1
        seen += [e["executionArn"] for e in page["executions"]]
        token = page.get("nextToken")
        if token is None:
            break
    assert pages == 3
    assert seen == started[::-1]  # newest first, each once
    paginated = sfn.get_paginator("list_executions").paginate(
        stateMachineArn=arn, PaginationConfig={"PageSize": 3}
    )
    assert [e["name"] for p in paginated for e in p["executions"]] == ["e4", "e3", "e2", "e1", "e0"]
    assert sfn.list_executions(stateMachineArn=arn, statusFilter="RUNNING")["executions"] == []
    succeeded = sfn.list_executions(stateMachineArn=arn, statusFilter="SUCCEEDED")["executions"]
    assert len(succeeded) == 5 and all(e["status"] == "SUCCEEDED" for e in succeeded)
    assert succeeded[0]["redriveCount"] == 0
    redriven = sfn.list_executions(stateMachineArn=arn, redriveFilter="REDRIVEN")
    assert redriven["executions"] == []
    assert (
        len(sfn.list_executions(stateMachineArn=arn, redriveFilter="NOT_REDRIVEN")["executions"])
        == 5
    )


def test_history_pages_forward_and_reverse(sfn: Any, make_machine: Callable[..., str]) -> None:
    arn = make_machine(pass_chain(5))
    started = sfn.start_execution(stateMachineArn=arn, input='{"k": "v"}')
    wait_for_end(sfn, started["executionArn"])
    execution = started["executionArn"]
    whole = sfn.get_execution_history(executionArn=execution)
    assert "nextToken" not in whole
    events = whole["events"]
    assert [e["id"] for e in events] == list(range(1, 13))
    assert events[0]["type"] == "ExecutionStarted" and events[-1]["type"] == "ExecutionSucceeded"
    assert json.loads(events[0]["executionStartedEventDetails"]["input"]) == {"k": "v"}
    assert events[1]["stateEnteredEventDetails"]["name"] == "P0"

    def pages(**options: Any) -> list[list[int]]:
        found, token = [], None
        while True:
            extra = {"nextToken": token} if token else {}
            page = sfn.get_execution_history(
                executionArn=execution, maxResults=5, **options, **extra
            )
            found.append([e["id"] for e in page["events"]])
            token = page.get("nextToken")
            if token is None:
                return found

    assert pages() == [[1, 2, 3, 4, 5], [6, 7, 8, 9, 10], [11, 12]]
    assert pages(reverseOrder=True) == [[12, 11, 10, 9, 8], [7, 6, 5, 4, 3], [2, 1]]
    bare = sfn.get_execution_history(executionArn=execution, includeExecutionData=False)["events"]
    assert "input" not in bare[0]["executionStartedEventDetails"]
    assert "output" not in bare[-1]["executionSucceededEventDetails"]
    assert bare[1]["stateEnteredEventDetails"] == {
        "name": "P0",
        "inputDetails": {"truncated": False},
    }
    paginated = sfn.get_paginator("get_execution_history").paginate(
        executionArn=execution, reverseOrder=True, PaginationConfig={"PageSize": 4}
    )
    assert [e["id"] for p in paginated for e in p["events"]] == list(range(12, 0, -1))


def test_stop_execution(sfn: Any, make_machine: Callable[..., str]) -> None:
    arn = make_machine(
        {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 600, "End": True}}}
    )
    started = sfn.start_execution(stateMachineArn=arn)
    stopped = sfn.stop_execution(
        executionArn=started["executionArn"], error="Operator", cause="bad file"
    )
    described = sfn.describe_execution(executionArn=started["executionArn"])
    assert (described["status"], described["error"], described["cause"]) == (
        "ABORTED",
        "Operator",
        "bad file",
    )
    assert described["stopDate"] == stopped["stopDate"]
    types = [
        e["type"] for e in sfn.get_execution_history(executionArn=started["executionArn"])["events"]
    ]
    assert types[-1] == "ExecutionAborted"
    again = sfn.stop_execution(executionArn=started["executionArn"])  # already ended: unchanged
    assert again["stopDate"] == stopped["stopDate"]


def test_redrive_runs_the_failed_state_again(
    sfn: Any, make_machine: Callable[..., str], server: Server, tmp_path: Path
) -> None:
    gate = tmp_path / "gate-open"
    machine = {
        "StartAt": "First",
        "States": {
            "First": {"Type": "Pass", "Next": "Gate"},
            "Gate": {"Type": "Task", "Resource": f"{FN}:gate", "End": True},
        },
    }
    arn = make_machine(machine)
    started = sfn.start_execution(stateMachineArn=arn, input=json.dumps({"gate": str(gate)}))
    failed = wait_for_end(sfn, started["executionArn"])
    assert failed["status"] == "FAILED" and failed["redriveStatus"] == "REDRIVABLE"
    assert sfn.list_executions(stateMachineArn=arn, redriveFilter="REDRIVEN")["executions"] == []
    gate.write_text("open")
    redriven = sfn.redrive_execution(executionArn=started["executionArn"], clientToken="try-1")
    # AWS: a retry with the same client token is answered as the first call was
    again = sfn.redrive_execution(executionArn=started["executionArn"], clientToken="try-1")
    assert again["redriveDate"] == redriven["redriveDate"]
    done = wait_for_end(sfn, started["executionArn"])
    with pytest.raises(sfn.exceptions.ExecutionNotRedrivable):
        sfn.redrive_execution(executionArn=started["executionArn"], clientToken="try-2")
    assert done["status"] == "SUCCEEDED" and json.loads(done["output"]) == {"passed": True}
    assert done["redriveCount"] == 1 and done["redriveDate"] == redriven["redriveDate"]
    listed = sfn.list_executions(stateMachineArn=arn, redriveFilter="REDRIVEN")["executions"]
    assert [e["executionArn"] for e in listed] == [started["executionArn"]]
    assert listed[0]["redriveCount"] == 1
    types = [
        e["type"] for e in sfn.get_execution_history(executionArn=started["executionArn"])["events"]
    ]
    assert "ExecutionRedriven" in types and types.count("PassStateEntered") == 1
