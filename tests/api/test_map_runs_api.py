"""Map Runs over the API (a real ``stepline serve``, boto3): ListMapRuns, DescribeMapRun,
UpdateMapRun on a running Map Run, its end when the execution is stopped, fails or is
redriven, ListExecutions of a Map Run, and AWS's errors. Every answer is also checked
against the botocore model (``sfn_model.py``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sfn_client import FN, Server, client, wait_for_end

ACCOUNT_PREFIX = "arn:aws:states:us-east-1:123456789012"
NO_SUCH_RUN = f"{ACCOUNT_PREFIX}:mapRun:nothing/Fan:0b6c54d3-0d5b-4c1e-9b43-5d1f3bc0a001"


def distributed(processor: dict[str, Any], next_state: str | None = None, **fan: Any) -> Any:
    state = {
        "Type": "Map",
        "ItemsPath": "$.items",
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            **processor,
        },
        **fan,
    }
    state.update({"Next": next_state} if next_state else {"End": True})
    return state


PASS_ITEMS = {"StartAt": "Item", "States": {"Item": {"Type": "Pass", "End": True}}}


def pass_items(name: str) -> dict[str, Any]:
    return {"StartAt": name, "States": {name: {"Type": "Pass", "End": True}}}


def task_items(resource: str, **task: Any) -> dict[str, Any]:
    return {
        "StartAt": "Item",
        "States": {"Item": {"Type": "Task", "Resource": resource, "End": True, **task}},
    }


def start(sfn: Any, machine_arn: str, items: list[Any]) -> str:
    started = sfn.start_execution(stateMachineArn=machine_arn, input=json.dumps({"items": items}))
    arn: str = started["executionArn"]
    return arn


def only_map_run(sfn: Any, execution_arn: str) -> str:
    runs = sfn.list_map_runs(executionArn=execution_arn)["mapRuns"]
    assert len(runs) == 1, runs
    arn: str = runs[0]["mapRunArn"]
    return arn


def take_tasks(sfn: Any, activity_arn: str, count: int) -> list[dict[str, Any]]:
    """``count`` activity tasks (the items that run now), each within a few long polls."""
    tasks = []
    for _ in range(count):
        for _attempt in range(20):
            task = sfn.get_activity_task(activityArn=activity_arn, workerName="items")
            if task.get("taskToken"):
                tasks.append(task)
                break
        else:
            raise AssertionError(f"no activity task came for {activity_arn}")
    return tasks


def counts(sfn: Any, map_run_arn: str) -> tuple[str, dict[str, int]]:
    described = sfn.describe_map_run(mapRunArn=map_run_arn)
    assert described["itemCounts"] == described["executionCounts"]  # one item per child
    return described["status"], described["itemCounts"]


def test_a_finished_map_run_is_listed_and_described(
    sfn: Any, make_machine: Callable[..., str], unique: Callable[[str], str]
) -> None:
    name = unique("fan")
    machine = make_machine(
        {"StartAt": "Fan", "States": {"Fan": distributed(PASS_ITEMS, MaxConcurrency=2)}},
        name=name,
    )
    execution = start(sfn, machine, [1, 2, 3])
    assert wait_for_end(sfn, execution)["status"] == "SUCCEEDED"

    listed = sfn.list_map_runs(executionArn=execution)
    assert "nextToken" not in listed
    [item] = listed["mapRuns"]
    run = item["mapRunArn"]
    assert run.startswith(f"{ACCOUNT_PREFIX}:mapRun:{name}/Fan:")
    # AWS (recorded): the Map Run's state machine is the machine's ARN and the label.
    assert item["stateMachineArn"] == f"{machine}/Fan"
    assert item["executionArn"] == execution
    assert item["startDate"] <= item["stopDate"]
    history = sfn.get_execution_history(executionArn=execution)["events"]
    started = next(e for e in history if e["type"] == "MapRunStarted")
    assert started["mapRunStartedEventDetails"] == {"mapRunArn": run}
    assert started["timestamp"] == item["startDate"]

    described = sfn.describe_map_run(mapRunArn=run)
    assert described["mapRunArn"] == run and described["executionArn"] == execution
    assert (described["status"], described["maxConcurrency"]) == ("SUCCEEDED", 2)
    # AWS (recorded): no tolerance set is 0 and 0.0.
    assert (described["toleratedFailureCount"], described["toleratedFailurePercentage"]) == (0, 0)
    assert described["startDate"] == item["startDate"]
    assert described["stopDate"] == item["stopDate"]
    assert described["redriveCount"] == 0 and "redriveDate" not in described
    assert described["itemCounts"] == {
        "pending": 0,
        "running": 0,
        "succeeded": 3,
        "failed": 0,
        "timedOut": 0,
        "aborted": 0,
        "total": 3,
        "resultsWritten": 3,
        "failuresNotRedrivable": 0,
        "pendingRedrive": 0,
    }
    assert described["executionCounts"] == described["itemCounts"]

    # AWS lists a Map Run's child executions; stepline runs items inline: none to list.
    children = sfn.list_executions(mapRunArn=run)
    assert children["executions"] == [] and "nextToken" not in children


def test_update_map_run_changes_a_running_map_run_at_once(
    sfn: Any, make_machine: Callable[..., str], unique: Callable[[str], str]
) -> None:
    activity = sfn.create_activity(name=unique("items"))["activityArn"]
    machine = make_machine(
        {"StartAt": "Fan", "States": {"Fan": distributed(task_items(activity), MaxConcurrency=1)}}
    )
    execution = start(sfn, machine, ["a", "b", "c", "d"])
    run = only_map_run(sfn, execution)
    [first] = take_tasks(sfn, activity, 1)
    status, items = counts(sfn, run)
    assert status == "RUNNING"
    assert (items["running"], items["pending"], items["total"]) == (1, 3, 4)
    assert "stopDate" not in sfn.describe_map_run(mapRunArn=run)

    answer = sfn.update_map_run(mapRunArn=run, maxConcurrency=3, toleratedFailureCount=1)
    assert {k: v for k, v in answer.items() if k != "ResponseMetadata"} == {}
    described = sfn.describe_map_run(mapRunArn=run)
    assert (described["maxConcurrency"], described["toleratedFailureCount"]) == (3, 1)
    assert (described["itemCounts"]["running"], described["itemCounts"]["pending"]) == (3, 1)
    more = take_tasks(sfn, activity, 2)  # the update started two more items
    assert sorted(json.loads(t["input"]) for t in [first, *more]) == ["a", "b", "c"]

    sfn.send_task_failure(taskToken=first["taskToken"], error="Item.Bad")  # tolerated now
    sfn.update_map_run(mapRunArn=run, toleratedFailurePercentage=50)
    assert sfn.describe_map_run(mapRunArn=run)["toleratedFailurePercentage"] == 50.0
    for task in [*more, *take_tasks(sfn, activity, 1)]:
        sfn.send_task_success(taskToken=task["taskToken"], output=json.dumps({"ok": True}))
    ended = wait_for_end(sfn, execution)
    assert ended["status"] == "SUCCEEDED"
    assert json.loads(ended["output"]).count(None) == 1  # the tolerated failure's slot
    status, items = counts(sfn, run)
    assert status == "SUCCEEDED"
    assert (items["succeeded"], items["failed"], items["total"]) == (3, 1, 4)
    assert items["failuresNotRedrivable"] == 1  # a succeeded Map Run is not redriven

    with pytest.raises(sfn.exceptions.ValidationException) as caught:
        sfn.update_map_run(mapRunArn=run, maxConcurrency=5)
    assert caught.value.response["reason"] == "CANNOT_UPDATE_COMPLETED_MAP_RUN"
    assert run in caught.value.response["Error"]["Message"]


def test_stopping_the_execution_aborts_its_map_run(
    sfn: Any, make_machine: Callable[..., str], unique: Callable[[str], str]
) -> None:
    activity = sfn.create_activity(name=unique("items"))["activityArn"]
    machine = make_machine(
        {"StartAt": "Fan", "States": {"Fan": distributed(task_items(activity), MaxConcurrency=2)}}
    )
    execution = start(sfn, machine, [1, 2, 3])
    run = only_map_run(sfn, execution)
    take_tasks(sfn, activity, 2)
    stopped = sfn.stop_execution(executionArn=execution, cause="enough")
    described = sfn.describe_map_run(mapRunArn=run)
    assert described["status"] == "ABORTED"
    assert described["stopDate"] == stopped["stopDate"]
    items = described["itemCounts"]
    assert (items["aborted"], items["pending"], items["running"]) == (2, 1, 0)
    # The execution can be redriven, and with it the Map Run: nothing is lost for good.
    assert items["failuresNotRedrivable"] == 0
    with pytest.raises(sfn.exceptions.ValidationException) as caught:
        sfn.update_map_run(mapRunArn=run, maxConcurrency=1)
    assert caught.value.response["reason"] == "CANNOT_UPDATE_COMPLETED_MAP_RUN"


def test_a_failed_map_run_is_redriven_with_its_execution(
    sfn: Any, make_machine: Callable[..., str], server: Server, unique: Callable[[str], str]
) -> None:
    gate = Path(server.directory) / unique("gate")
    processor = task_items(f"{FN}:gate", Parameters={"gate": str(gate), "item.$": "$"})
    machine = make_machine({"StartAt": "Fan", "States": {"Fan": distributed(processor)}})
    execution = start(sfn, machine, [1, 2])
    failed = wait_for_end(sfn, execution)
    assert (failed["status"], failed["error"]) == ("FAILED", "RuntimeError")
    run = only_map_run(sfn, execution)
    described = sfn.describe_map_run(mapRunArn=run)
    assert described["status"] == "FAILED"
    assert described["stopDate"] == failed["stopDate"]
    assert described["itemCounts"]["failed"] >= 1
    assert described["itemCounts"]["failuresNotRedrivable"] == 0

    gate.write_text("open")
    sfn.redrive_execution(executionArn=execution)
    done = wait_for_end(sfn, execution)
    assert done["status"] == "SUCCEEDED"
    assert only_map_run(sfn, execution) == run  # the same Map Run, redriven
    again = sfn.describe_map_run(mapRunArn=run)
    assert (again["status"], again["redriveCount"]) == ("SUCCEEDED", 1)
    assert again["redriveDate"] == done["redriveDate"]
    assert again["startDate"] == described["startDate"]
    assert again["itemCounts"]["succeeded"] == 2 and again["itemCounts"]["failed"] == 0


def test_an_executions_map_runs_are_listed_in_pages_newest_first(
    sfn: Any, make_machine: Callable[..., str]
) -> None:
    states = {
        "One": distributed(pass_items("A"), "Two", ResultPath="$.one"),
        "Two": distributed(pass_items("B"), "Three", Label="Second", ResultPath="$.two"),
        "Three": distributed(pass_items("C")),
    }
    machine = make_machine({"StartAt": "One", "States": states})
    execution = start(sfn, machine, [1])
    assert wait_for_end(sfn, execution)["status"] == "SUCCEEDED"
    everything = sfn.list_map_runs(executionArn=execution)["mapRuns"]
    labels = [m["stateMachineArn"].rsplit("/", 1)[1] for m in everything]
    assert labels == ["Three", "Second", "One"]

    first = sfn.list_map_runs(executionArn=execution, maxResults=2)
    assert first["mapRuns"] == everything[:2]
    second = sfn.list_map_runs(executionArn=execution, maxResults=2, nextToken=first["nextToken"])
    assert second["mapRuns"] == everything[2:] and "nextToken" not in second
    paginator = sfn.get_paginator("list_map_runs")
    pages = list(paginator.paginate(executionArn=execution, PaginationConfig={"PageSize": 1}))
    assert [m for page in pages for m in page["mapRuns"]] == everything

    other = start(sfn, machine, [2])
    wait_for_end(sfn, other)
    with pytest.raises(sfn.exceptions.InvalidToken):  # a token of another execution's list
        sfn.list_map_runs(executionArn=other, nextToken=first["nextToken"])
    with pytest.raises(sfn.exceptions.InvalidToken):
        sfn.list_map_runs(executionArn=execution, nextToken="not-a-token")


def test_an_execution_without_map_runs_lists_none(
    sfn: Any, make_machine: Callable[..., str]
) -> None:
    machine = make_machine({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    execution = start(sfn, machine, [])
    wait_for_end(sfn, execution)
    assert sfn.list_map_runs(executionArn=execution)["mapRuns"] == []


def test_map_run_errors_are_awss(
    sfn: Any, make_machine: Callable[..., str], server: Server
) -> None:
    with pytest.raises(sfn.exceptions.ResourceNotFound) as caught:
        sfn.describe_map_run(mapRunArn=NO_SUCH_RUN)
    assert caught.value.response["Error"]["Message"] == f"Map Run Does Not Exist: '{NO_SUCH_RUN}'"
    with pytest.raises(sfn.exceptions.ResourceNotFound):
        sfn.update_map_run(mapRunArn=NO_SUCH_RUN, maxConcurrency=1)
    with pytest.raises(sfn.exceptions.ResourceNotFound):
        sfn.list_executions(mapRunArn=NO_SUCH_RUN)

    for malformed in (
        "not-an-arn",
        f"{ACCOUNT_PREFIX}:execution:m:e",
        f"{ACCOUNT_PREFIX}:mapRun:no-label:0b6c54d3",
        f"{ACCOUNT_PREFIX}:mapRun:m/Fan",
    ):
        with pytest.raises(sfn.exceptions.InvalidArn) as invalid:
            sfn.describe_map_run(mapRunArn=malformed)
        assert invalid.value.response["Error"]["Message"] == f"Invalid Arn: '{malformed}'"
        with pytest.raises(sfn.exceptions.InvalidArn):
            sfn.list_executions(mapRunArn=malformed)
    with pytest.raises(sfn.exceptions.InvalidArn):
        sfn.update_map_run(mapRunArn="not-an-arn", maxConcurrency=1)

    with pytest.raises(sfn.exceptions.ExecutionDoesNotExist):
        sfn.list_map_runs(executionArn=f"{ACCOUNT_PREFIX}:execution:nothing:none")
    with pytest.raises(sfn.exceptions.InvalidArn):
        sfn.list_map_runs(executionArn="nothing")

    machine = make_machine({"StartAt": "Fan", "States": {"Fan": distributed(PASS_ITEMS)}})
    execution = start(sfn, machine, [1])
    wait_for_end(sfn, execution)
    run = only_map_run(sfn, execution)
    with pytest.raises(sfn.exceptions.ValidationException) as empty:
        sfn.update_map_run(mapRunArn=run)  # none of the three settings
    assert empty.value.response["reason"] == "MISSING_REQUIRED_PARAMETER"
    unchecked = client(server.url, parameter_validation=False)  # AWS's checks, not boto3's
    with pytest.raises(unchecked.exceptions.ValidationException) as too_much:
        unchecked.update_map_run(mapRunArn=run, toleratedFailurePercentage=150.5, maxConcurrency=-1)
    message = too_much.value.response["Error"]["Message"]
    assert message.startswith("2 validation errors detected: ")
    assert "Value '150.5' at 'toleratedFailurePercentage'" in message
    assert "Value '-1' at 'maxConcurrency'" in message
    with pytest.raises(unchecked.exceptions.ValidationException):
        unchecked.list_map_runs(executionArn=execution, maxResults=1001)
    with pytest.raises(sfn.exceptions.InvalidToken):
        sfn.list_executions(mapRunArn=run, nextToken="not-a-token")
