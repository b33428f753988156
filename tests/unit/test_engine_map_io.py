"""A Distributed Map's ItemReader, ItemBatcher and ResultWriter in the pure engine.

The read and the write are commands (``InvokeTask`` with the internal resources
``READ_ITEMS`` / ``WRITE_RESULTS``) the test answers itself; every state goes through the
codec between steps, as it does in a store.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from engine_run import EngineRun

from stepline.asl import errors
from stepline.engine.codec import encode_state
from stepline.engine.map_io import READ_ITEMS, WRITE_RESULTS
from stepline.engine.records import (
    CancelTask,
    InvokeTask,
    Redrive,
    Step,
    StopExecution,
    TaskFailed,
    TaskSucceeded,
    TimerFired,
)

FN = "arn:aws:lambda:us-east-1:123456789012:function:item"
LIST = "arn:aws:states:::s3:listObjectsV2"
PUT = "arn:aws:states:::s3:putObject"


def machine(**fan: Any) -> dict[str, Any]:
    """A Distributed Map reading its items; each item is a Lambda task."""
    state = {
        "Type": "Map",
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "Work",
            "States": {"Work": {"Type": "Task", "Resource": FN, "End": True}},
        },
        "ItemReader": {
            "Resource": LIST,
            "Parameters": {"Bucket": "lake", "Prefix.$": "$.prefix"},
            "ReaderConfig": {"MaxItemsPath": "$.max"},
        },
        "End": True,
        **fan,
    }
    return {"StartAt": "Fan", "States": {"Fan": state}}


class Run(EngineRun):
    def __init__(self, definition: dict[str, Any], given: Any = None) -> None:
        super().__init__(definition, given if given is not None else {"prefix": "raw/", "max": 10})

    def pending(self, resource: str) -> list[InvokeTask]:
        return [task for task in self.tasks.values() if task.resource == resource]

    def answer(self, resource: str, output: Any = None, error: str | None = None) -> Step:
        [task] = self.pending(resource)
        del self.tasks[task.token]
        if error is not None:
            return self.send(TaskFailed(task.token, error, f"{error} happened"))
        return self.send(TaskSucceeded(task.token, output))

    def finish_items(self, fail: tuple[Any, ...] = ()) -> None:
        for task in self.pending(FN):
            del self.tasks[task.token]
            if any(task.parameters == bad for bad in fail):
                self.send(TaskFailed(task.token, "Item.Failed", f"bad {task.parameters}"))
            else:
                self.send(TaskSucceeded(task.token, {"done": task.parameters}))

    def details(self, kind: str) -> list[Any]:
        return [e.details for e in self.events if e.type == kind]


def test_the_read_is_a_command_and_its_items_start_the_children() -> None:
    run = Run(machine())
    [read] = run.pending(READ_ITEMS)
    assert read.parameters == {
        "Resource": LIST,
        "Parameters": {"Bucket": "lake", "Prefix": "raw/"},
        "ReaderConfig": {"MaxItems": 10},
    }
    assert run.pending(FN) == []
    # AWS: MapStateStarted has length 0 with an ItemReader; the read shows no Task event.
    assert run.types() == [
        "ExecutionStarted",
        "MapStateEntered",
        "MapStateStarted",
        "MapRunStarted",
    ]
    assert run.details("MapStateStarted") == [{"length": 0}]

    run.answer(READ_ITEMS, [{"Key": "raw/a"}, {"Key": "raw/b"}])
    assert sorted(t.parameters["Key"] for t in run.pending(FN)) == ["raw/a", "raw/b"]
    assert not any(t.startswith("Task") for t in run.types())
    run.finish_items()
    assert run.state is not None and run.state.status == "SUCCEEDED"
    assert run.state.output == [{"done": {"Key": "raw/a"}}, {"done": {"Key": "raw/b"}}]
    assert run.types()[-4:] == [
        "MapRunSucceeded",
        "MapStateSucceeded",
        "MapStateExited",
        "ExecutionSucceeded",
    ]


def test_the_items_read_are_kept_in_the_state_not_read_again() -> None:
    run = Run(machine())
    run.answer(READ_ITEMS, ["a", "b"])
    assert run.state is not None
    encoded = json.loads(encode_state(run.state, run.machine))
    [frame] = [f for f in encoded["frames"] if f["waiting"]["kind"] == "fanout"]
    assert frame["waiting"]["items"] == ["a", "b"] and "reading" not in frame["waiting"]
    assert run.pending(READ_ITEMS) == []


def test_a_failed_read_fails_the_map_with_item_reader_failed() -> None:
    run = Run(machine())
    run.answer(READ_ITEMS, error=errors.ITEM_READER_FAILED)
    assert run.state is not None and run.state.status == "FAILED"
    assert (run.state.error, run.state.cause) == (
        errors.ITEM_READER_FAILED,
        "States.ItemReaderFailed happened",
    )
    assert run.types()[-4:] == [
        "MapRunStarted",
        "MapRunFailed",
        "MapStateFailed",
        "ExecutionFailed",
    ]
    [failed] = run.details("MapRunFailed")
    assert failed["error"] == errors.ITEM_READER_FAILED


def test_a_failed_read_is_caught() -> None:
    catch = [{"ErrorEquals": ["States.ItemReaderFailed"], "ResultPath": "$.error", "Next": "Done"}]
    definition = machine(Catch=catch)
    definition["States"]["Done"] = {"Type": "Pass", "End": True}
    del definition["States"]["Fan"]["End"]
    definition["States"]["Fan"]["Next"] = "Done"
    run = Run(definition)
    run.answer(READ_ITEMS, error=errors.ITEM_READER_FAILED)
    assert run.state is not None and run.state.status == "SUCCEEDED"
    assert run.state.output["error"]["Error"] == errors.ITEM_READER_FAILED


def test_a_failed_read_is_retried_with_a_new_read() -> None:
    retry = [{"ErrorEquals": ["States.ItemReaderFailed"], "IntervalSeconds": 2, "MaxAttempts": 1}]
    run = Run(machine(Retry=retry))
    run.answer(READ_ITEMS, error=errors.ITEM_READER_FAILED)
    assert run.state is not None and run.state.status == "RUNNING"
    [timer] = run.timers
    run.now = timer.due
    run.send(TimerFired(timer.token))
    assert len(run.pending(READ_ITEMS)) == 1  # read again
    run.answer(READ_ITEMS, ["x"])
    run.finish_items()
    assert run.state.status == "SUCCEEDED" and run.state.output == [{"done": "x"}]
    assert run.types().count("MapRunStarted") == 2  # each attempt is a Map Run


def test_a_stopped_execution_cancels_the_read() -> None:
    run = Run(machine())
    [read] = run.pending(READ_ITEMS)
    step = run.send(StopExecution())
    assert CancelTask(read.token) in step.commands
    late = run.send(TaskSucceeded(read.token, ["a"]))  # a read that ends anyway is ignored
    assert late.events == () and late.commands == ()


def test_items_from_items_path_and_from_a_reader_are_batched() -> None:
    batcher = {"MaxItemsPerBatch": 2, "BatchInput": {"run.$": "$.prefix"}}
    selector = {"value.$": "$$.Map.Item.Value", "index.$": "$$.Map.Item.Index"}
    run = Run(machine(ItemBatcher=batcher, ItemSelector=selector))
    run.answer(READ_ITEMS, ["a", "b", "c"])
    batches = sorted((t.parameters for t in run.pending(FN)), key=json.dumps)
    assert batches == [
        {
            "Items": [{"index": 0, "value": "a"}, {"index": 1, "value": "b"}],
            "BatchInput": {"run": "raw/"},
        },
        {"Items": [{"index": 2, "value": "c"}], "BatchInput": {"run": "raw/"}},
    ]


def test_batches_respect_max_input_bytes() -> None:
    definition = machine(ItemBatcher={"MaxInputBytesPerBatch": 40})
    del definition["States"]["Fan"]["ItemReader"]
    definition["States"]["Fan"]["ItemsPath"] = "$.items"
    run = Run(definition, {"items": ["aaaaaaaaaa", "bbbbbbbbbb", "cccccccccc"]})
    sizes = [len(json.dumps(t.parameters, separators=(",", ":"))) for t in run.pending(FN)]
    assert len(sizes) == 2 and all(size <= 40 for size in sizes)


def test_the_result_writer_is_a_command_and_the_output_names_the_manifest() -> None:
    writer = {
        "Resource": PUT,
        "Parameters": {"Bucket": "lake", "Prefix.$": "$.prefix"},
        "WriterConfig": {"OutputType": "JSONL"},
    }
    run = Run(machine(ResultWriter=writer, ToleratedFailureCount=1))
    run.answer(READ_ITEMS, ["a", "b"])
    run.finish_items(fail=("b",))
    [write] = run.pending(WRITE_RESULTS)
    request = write.parameters
    map_run_arn = run.details("MapRunStarted")[0]["mapRunArn"]
    assert request["Parameters"] == {"Bucket": "lake", "Prefix": "raw/"}
    assert request["WriterConfig"] == {"OutputType": "JSONL"}
    assert request["MapRunArn"] == map_run_arn
    ok, bad = request["Results"]
    assert (ok["Status"], json.loads(ok["Input"]), json.loads(ok["Output"])) == (
        "SUCCEEDED",
        "a",
        {"done": "a"},
    )
    assert (bad["Status"], bad["Error"], bad["Cause"]) == ("FAILED", "Item.Failed", "bad b")
    assert "Output" not in bad
    assert ok["ExecutionArn"].startswith("arn:aws:states:us-east-1:123456789012:execution:M/Fan:")
    assert run.state is not None and run.state.status == "RUNNING"
    assert "MapRunSucceeded" not in run.types()

    key = f"raw/{map_run_arn.rpartition(':')[2]}/manifest.json"
    run.answer(WRITE_RESULTS, {"Bucket": "lake", "Key": key})
    assert run.state.status == "SUCCEEDED"
    assert run.state.output == {
        "MapRunArn": map_run_arn,
        "ResultWriterDetails": {"Bucket": "lake", "Key": key},
    }


def test_a_failed_write_fails_with_result_writer_failed_and_a_redrive_writes_again() -> None:
    writer = {"Resource": PUT, "Parameters": {"Bucket": "lake", "Prefix": "out"}}
    run = Run(machine(ResultWriter=writer))
    run.answer(READ_ITEMS, ["a"])
    run.finish_items()
    run.answer(WRITE_RESULTS, error=errors.RESULT_WRITER_FAILED)
    assert run.state is not None and run.state.status == "FAILED"
    assert run.state.error == errors.RESULT_WRITER_FAILED
    assert run.types()[-3:] == ["MapRunFailed", "MapStateFailed", "ExecutionFailed"]

    run.now += timedelta(minutes=1)
    run.send(Redrive())
    assert run.pending(READ_ITEMS) == [] and run.pending(FN) == []  # the items were kept
    [write] = run.pending(WRITE_RESULTS)
    assert json.loads(write.parameters["Results"][0]["Output"]) == {"done": "a"}
    run.answer(WRITE_RESULTS, {"Bucket": "lake", "Key": "out/x/manifest.json"})
    assert run.state.status == "SUCCEEDED"


def test_a_redrive_runs_the_failed_items_again_without_reading() -> None:
    run = Run(machine())
    run.answer(READ_ITEMS, ["a", "b"])
    run.finish_items(fail=("b",))  # 'a' succeeds, then 'b' fails the Map Run
    assert run.state is not None and run.state.status == "FAILED"
    run.send(Redrive())
    assert run.pending(READ_ITEMS) == []
    assert [t.parameters for t in run.pending(FN)] == ["b"]
    run.finish_items()
    assert run.state.status == "SUCCEEDED"
    assert run.state.output == [{"done": "a"}, {"done": "b"}]


def test_a_redrive_of_a_map_stopped_while_reading_reads() -> None:
    run = Run(machine())
    run.send(StopExecution())
    run.tasks.clear()
    run.send(Redrive())
    assert len(run.pending(READ_ITEMS)) == 1


def test_writer_config_without_export_transforms_the_output() -> None:
    run = Run(machine(ResultWriter={"WriterConfig": {"Transformation": "FLATTEN"}}))
    run.answer(READ_ITEMS, ["a"])
    [task] = run.pending(FN)
    del run.tasks[task.token]
    run.send(TaskSucceeded(task.token, [1, 2]))
    assert run.state is not None and run.state.output == [1, 2]


def test_a_jsonata_reader_takes_arguments_and_max_items() -> None:
    definition = machine()
    fan = definition["States"]["Fan"]
    fan["QueryLanguage"] = "JSONata"
    fan["ItemReader"] = {
        "Resource": LIST,
        "Arguments": {"Bucket": "lake", "Prefix": "{% $states.input.prefix %}"},
        "ReaderConfig": {"MaxItems": "{% $states.input.max + 1 %}"},
    }
    run = Run(definition)
    [read] = run.pending(READ_ITEMS)
    assert read.parameters["Parameters"] == {"Bucket": "lake", "Prefix": "raw/"}
    assert read.parameters["ReaderConfig"] == {"MaxItems": 11}
