"""The partition ledger's pure parts: partitions read from inputs, statuses from the latest
run and the notes, inputs of backfilled partitions, replay-queue messages."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from stepline.asl.paths import compile_path
from stepline.pipelines.ledger import ledger, partition_of, status_of
from stepline.pipelines.service import (
    PipelineError,
    dates,
    default_template,
    execution_name,
    fill_template,
    read_replay_message,
)
from stepline.store.ledger_records import LedgerNote, PipelineRecord
from stepline.store.records import ExecutionRecord

T0 = datetime(2025, 1, 1, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def run(name: str, status: str, start: float, end: float | None = None) -> ExecutionRecord:
    return ExecutionRecord(
        arn=f"arn:aws:states:us-east-1:123456789012:execution:m:{name}",
        state_machine_arn="arn:aws:states:us-east-1:123456789012:stateMachine:m",
        name=name,
        status=status,  # type: ignore[arg-type]
        input="{}",
        start_date=at(start),
        state="{}",
        stop_date=None if end is None else at(end),
    )


def note(kind: str, when: float, partition: str = "p") -> LedgerNote:
    return LedgerNote(f"{kind}-{when}", "orders", partition, kind, at(when))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({"process_date": "2025-01-02"}, "2025-01-02"),
        ({"process_date": 20250102}, "20250102"),
        ({"process_date": None}, None),
        ({"process_date": True}, None),
        ({"process_date": ["a"]}, None),
        ({"other": 1}, None),
    ],
)
def test_the_partition_is_read_from_the_input(given: object, expected: str | None) -> None:
    assert partition_of(compile_path("$.process_date"), json.dumps(given)) == expected


def test_an_input_that_is_not_json_has_no_partition() -> None:
    assert partition_of(compile_path("$.d"), "{nope") is None
    assert partition_of(compile_path("$.run.date"), '{"run": {"date": "x"}}') == "x"


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("RUNNING", "RUNNING"),
        ("SUCCEEDED", "SUCCEEDED"),
        ("FAILED", "FAILED"),
        ("TIMED_OUT", "FAILED"),
        ("ABORTED", "FAILED"),
    ],
)
def test_the_status_is_the_latest_runs(status: str, expected: str) -> None:
    assert status_of(run("a", status, 10), []) == expected


def test_quarantine_since_the_latest_run_holds_until_released() -> None:
    latest = run("b", "SUCCEEDED", 10, 20)
    assert status_of(latest, [note("quarantine", 15)]) == "QUARANTINED"
    assert status_of(latest, [note("quarantine", 15), note("release", 16)]) == "SUCCEEDED"
    assert status_of(latest, [note("release", 14), note("quarantine", 15)]) == "QUARANTINED"
    # A quarantine before the latest run began was of an earlier run.
    assert status_of(latest, [note("quarantine", 5)]) == "SUCCEEDED"


def test_ledger_orders_runs_and_counts_attempts() -> None:
    runs = {
        "2025-01-02": [run("c", "SUCCEEDED", 30, 31), run("a", "FAILED", 1, 2)],
        "2025-01-01": [run("b", "SUCCEEDED", 5, 6)],
        "2025-01-03": [],
    }
    notes = [note("replay", 30, "2025-01-02")]
    states = ledger("orders", runs, notes, {"2025-01-02": 0.97})
    assert [s.partition for s in states] == ["2025-01-01", "2025-01-02"]
    second = states[1]
    assert [r.name for r in second.runs] == ["a", "c"] and second.attempts == 2
    assert second.status == "SUCCEEDED" and second.latest.name == "c"
    assert second.quality_score == 0.97 and states[0].quality_score is None
    assert second.first_started == at(1) and second.last_changed == at(31)
    assert second.notes == tuple(notes)


def test_backfill_inputs_fill_the_partition_into_strings_only() -> None:
    template = '{"process_date": "${partition}", "path": "s3://lake/raw/${partition}/", "n": 1}'
    assert json.loads(fill_template(template, '2025-01-02"x')) == {
        "process_date": '2025-01-02"x',
        "path": 's3://lake/raw/2025-01-02"x/',
        "n": 1,
    }
    assert default_template("$.process_date") == '{"process_date": "${partition}"}'
    assert default_template("$.run.date") is None
    assert dates(T0.date(), (T0 + timedelta(days=2)).date()) == [
        "2025-01-01",
        "2025-01-02",
        "2025-01-03",
    ]
    with pytest.raises(PipelineError, match="is before --from"):
        dates(T0.date(), (T0 - timedelta(days=1)).date())


def test_execution_names_are_valid_and_unique() -> None:
    name = execution_name("replay", "2025-01-02/with spaces" + "x" * 100)
    assert len(name) <= 80 and name.startswith("replay-2025-01-02_with_spaces")
    assert execution_name("replay", "p") != execution_name("replay", "p")


PIPELINES = [
    PipelineRecord("orders_daily", "orders", "arn:m", "$.process_date", T0, None, "replay"),
    PipelineRecord("customers", "customers", "arn:c", "$.day", T0, None, None),
]


def test_replay_messages_name_their_pipeline_partition_and_input() -> None:
    named = json.dumps({"dataset": "customers", "partition": "d1"})
    assert read_replay_message(named, "q", PIPELINES) == (PIPELINES[1], "d1", None)
    given = json.dumps({"dataset": "orders", "input": {"process_date": "d2", "x": 1}})
    assert read_replay_message(given, "q", PIPELINES) == (
        PIPELINES[0],
        "d2",
        '{"process_date": "d2", "x": 1}',
    )
    itself = json.dumps({"process_date": "d3"})
    assert read_replay_message(itself, "replay", PIPELINES) == (PIPELINES[0], "d3", itself)


@pytest.mark.parametrize(
    ("body", "queue", "message"),
    [
        ("nope", "replay", "not JSON"),
        ("[1]", "replay", "not a JSON object"),
        ('{"process_date": "d"}', "elsewhere", "no pipeline for the replay queue 'elsewhere'"),
        ('{"dataset": "zz", "partition": "d"}', "replay", "no pipeline for the dataset 'zz'"),
        ('{"dataset": "orders"}', "replay", "the message names no partition"),
    ],
)
def test_bad_replay_messages_say_why(body: str, queue: str, message: str) -> None:
    with pytest.raises(PipelineError, match=message):
        read_replay_message(body, queue, PIPELINES)


def test_a_hive_partition_is_read_as_its_value() -> None:
    from stepline.pipelines.ledger import partition_value

    assert partition_value("process_date=2025-01-20") == "2025-01-20"
    assert partition_value("2025-01-20") == "2025-01-20"
    assert partition_value("a=1/b=2") == "a=1/b=2"
