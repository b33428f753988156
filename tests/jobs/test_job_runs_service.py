"""Job definitions and runs through the use cases and a JobRunner in this process: real
scripts in real subprocesses, real stores."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from job_runs_support import (
    ARGV_SCRIPT,
    EXECUTION,
    FAILING_SCRIPT,
    SLEEPING_SCRIPT,
    Deliveries,
    Jobs,
)

from stepline.jobs.faults import (
    ConcurrentRunsExceeded,
    EntityNotFound,
    IdempotentParameterMismatch,
    InvalidInput,
)
from stepline.store.open import open_backend


@pytest.fixture
def jobs(tmp_path: Path) -> Iterator[Jobs]:
    store = open_backend(f"sqlite:///{tmp_path}/store.db")
    made = Jobs(store, tmp_path, minute_seconds=0.5)
    try:
        yield made
    finally:
        made.close()
        store.close()


def make_jobs(url: str, directory: Path, **options: Any) -> Jobs:
    return Jobs(open_backend(url), directory, **options)


# ---- definitions ------------------------------------------------------------------------


def test_a_job_gets_glues_defaults_and_keeps_what_was_given(jobs: Jobs) -> None:
    record = jobs.job(
        "clean",
        "print(1)",
        DefaultArguments={"--day": "1"},
        Connections={"Connections": ["db"]},
        GlueVersion="4.0",
    )
    definition = json.loads(record.definition)
    assert definition["MaxRetries"] == 0
    assert definition["Timeout"] == 2880
    assert definition["ExecutionProperty"] == {"MaxConcurrentRuns": 1}
    assert definition["Connections"] == {"Connections": ["db"]}
    assert definition["DefaultArguments"] == {"--day": "1"}
    glue5 = jobs.job("newer", "print(1)", GlueVersion="5.0")
    assert json.loads(glue5.definition)["Timeout"] == 480
    etl = jobs.catalog.create(
        "etl", {"Role": "r", "Command": {"ScriptLocation": "s3://code/etl.py"}}
    )
    assert json.loads(etl.definition)["Command"]["Name"] == "glueetl"


@pytest.mark.parametrize(
    ("members", "message"),
    [
        ({"Command": {"ScriptLocation": "x.py"}}, r"CreateJob\.Role is required"),
        ({"Role": "r"}, r"CreateJob\.Command is required"),
        ({"Role": "r", "Command": {"Name": "glueetl"}}, r"Command\.ScriptLocation is required"),
        (
            {"Role": "r", "Command": {"Name": "glueray", "ScriptLocation": "x.py"}},
            r"Command\.Name must be one of glueetl, pythonshell.*'glueray'",
        ),
        (
            {"Role": "r", "Command": {"ScriptLocation": "x.py"}, "Timeout": 10081},
            r"CreateJob\.Timeout must be 1 to 10080, got 10081",
        ),
        (
            {"Role": "r", "Command": {"ScriptLocation": "x.py"}, "MaxRetries": -1},
            r"MaxRetries must be at least 0",
        ),
        (
            {
                "Role": "r",
                "Command": {"ScriptLocation": "x.py"},
                "ExecutionProperty": {"MaxConcurrentRuns": 0},
            },
            r"ExecutionProperty\.MaxConcurrentRuns must be at least 1",
        ),
        (
            {"Role": "r", "Command": {"ScriptLocation": "x.py"}, "WorkerType": "G.1X"},
            r"WorkerType and NumberOfWorkers together",
        ),
        (
            {"Role": "r", "Command": {"ScriptLocation": "x.py"}, "DefaultArguments": {"--a": 1}},
            r"DefaultArguments\['--a'\] must be a string",
        ),
        (
            {
                "Role": "r",
                "Command": {"ScriptLocation": "x.py"},
                "DefaultArguments": {"--job-bookmark-option": "sometimes"},
            },
            r"--job-bookmark-option must be one of",
        ),
    ],
)
def test_bad_definitions_name_the_member(jobs: Jobs, members: Any, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        jobs.catalog.create("bad", members)
    assert jobs.store.get_job("bad") is None


def test_create_is_idempotent_update_replaces_delete_is_quiet(jobs: Jobs) -> None:
    first = jobs.job("clean", "print(1)", MaxRetries=2)
    again = jobs.catalog.create("clean", json.loads(first.definition))
    assert again == first
    with pytest.raises(IdempotentParameterMismatch, match="clean already exists"):
        jobs.catalog.create("clean", {**json.loads(first.definition), "MaxRetries": 1})
    updated = jobs.catalog.update("clean", {"Role": "r2", "Command": {"ScriptLocation": "y.py"}})
    definition = json.loads(updated.definition)
    assert (definition["Role"], definition["MaxRetries"]) == ("r2", 0)  # reset to the default
    assert updated.created_at == first.created_at
    with pytest.raises(EntityNotFound, match="Job nope not found"):
        jobs.catalog.update("nope", {"Role": "r", "Command": {"ScriptLocation": "y.py"}})
    jobs.catalog.delete("clean")
    jobs.catalog.delete("clean")
    with pytest.raises(EntityNotFound):
        jobs.catalog.get("clean")


def test_jobs_are_paged_by_name_and_filtered_by_tags(jobs: Jobs) -> None:
    for name in ("c", "a", "b"):
        command = {"ScriptLocation": "x.py"}
        jobs.catalog.create(name, {"Role": "r", "Command": command}, {"team": name})
    page, token = jobs.catalog.page(limit=2)
    assert ([j.name for j in page], token) == (["a", "b"], "b")
    page, token = jobs.catalog.page(token, 2)
    assert ([j.name for j in page], token) == (["c"], None)
    assert jobs.catalog.names(tags={"team": "b"}) == (["b"], None)


# ---- runs -------------------------------------------------------------------------------


@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgres"])
def test_a_run_succeeds_with_its_arguments_merged(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = {
        "memory": "memory://",
        "sqlite": f"sqlite:///{tmp_path}/s.db",
        "postgres": "",
    }[backend] or request.getfixturevalue("postgres_url")
    jobs = make_jobs(url, tmp_path)
    try:
        out = tmp_path / "argv.json"
        jobs.job(
            "clean",
            ARGV_SCRIPT,
            DefaultArguments={"--out": str(out), "--day": "1", "--mode": "full"},
            NonOverridableArguments={"--env": "prod"},
        )
        run = jobs.runs.start("clean", {"--day": "2", "--env": "dev"})
        assert (run.state, run.attempt, run.timeout) == ("STARTING", 0, 2880)
        assert run.id.startswith("jr_") and len(run.id) == 67
        done = jobs.wait(run.id)
        assert (done.state, done.error_message) == ("SUCCEEDED", None)
        assert done.completed_at is not None and done.completed_at >= done.started_at
        assert json.loads(done.arguments) == {"--day": "2", "--env": "dev"}  # as given
        argv = json.loads(out.read_text())
        given = dict(zip(argv[::2], argv[1::2], strict=True))
        assert given == {
            "--JOB_NAME": "clean",
            "--JOB_RUN_ID": run.id,
            "--job-bookmark-option": "job-bookmark-disable",
            "--out": str(out),
            "--day": "2",
            "--mode": "full",
            "--env": "prod",
        }
        assert "wrote" in jobs.runs.logs(run.id).read_text()
    finally:
        jobs.close()
        jobs.store.close()


def test_a_failing_script_fails_the_run_with_glues_error_message(jobs: Jobs) -> None:
    jobs.job("bad", FAILING_SCRIPT)
    run = jobs.wait(jobs.runs.start("bad").id)
    assert run.state == "FAILED"
    assert run.error_message == (
        "Error Category: UNCLASSIFIED_ERROR; Failed Line Number: 4; ValueError: the input is bad"
    )
    assert "about to fail" in jobs.runs.logs(run.id).read_text()
    assert "ValueError: the input is bad" in jobs.runs.logs(run.id, "stderr").read_text()


def test_max_retries_starts_linked_attempts(jobs: Jobs) -> None:
    jobs.job("bad", FAILING_SCRIPT, MaxRetries=1)
    first = jobs.runs.start("bad", {"--day": "3"})
    jobs.wait(first.id)
    jobs.settle()
    newest, older = jobs.store.list_job_runs("bad")
    assert older.id == first.id
    assert (older.state, older.attempt, older.previous_run_id) == ("FAILED", 0, None)
    assert (newest.state, newest.attempt, newest.previous_run_id) == ("FAILED", 1, first.id)
    assert newest.arguments == older.arguments
    # a retry by hand: StartJobRun with the JobRunId of a run
    again = jobs.runs.start("bad", retry_of=newest.id)
    assert (again.attempt, again.previous_run_id, again.arguments) == (
        2,
        newest.id,
        newest.arguments,
    )
    with pytest.raises(EntityNotFound, match="jr_nope"):
        jobs.runs.start("bad", retry_of="jr_nope")


def test_a_run_past_its_timeout_ends_timeout(jobs: Jobs) -> None:
    jobs.job("slow", SLEEPING_SCRIPT, Timeout=5)
    run = jobs.runs.start("slow", timeout=1)  # one minute: 0.5 s here
    assert run.timeout == 1
    done = jobs.wait(run.id)
    assert done.state == "TIMEOUT"
    assert done.error_message is not None and "timed out" in done.error_message


def test_a_stopped_run_goes_stopping_then_stopped(jobs: Jobs) -> None:
    jobs.job("slow", SLEEPING_SCRIPT)
    run = jobs.runs.start("slow")
    jobs.wait(run.id, ("RUNNING",))
    (outcome,) = jobs.runs.stop("slow", [run.id])
    assert outcome.error_code is None
    assert jobs.runs.find(run.id).state in ("STOPPING", "STOPPED")
    done = jobs.wait(run.id)
    assert (done.state, done.error_message) == ("STOPPED", None)
    again, missing = jobs.runs.stop("slow", [run.id, "jr_missing"])
    assert again.error_code == "InvalidInputException" and "STOPPED" in str(again.error_message)
    assert missing.error_code == "EntityNotFoundException"


def test_max_concurrent_runs_refuses_or_queues(jobs: Jobs) -> None:
    jobs.job("slow", SLEEPING_SCRIPT)
    first = jobs.runs.start("slow")
    with pytest.raises(ConcurrentRunsExceeded, match="Concurrent runs exceeded for slow"):
        jobs.runs.start("slow")
    queued = jobs.runs.start("slow", queuing=True)
    assert queued.state == "WAITING" and queued.state_detail
    jobs.runs.stop("slow", [first.id])
    assert jobs.wait(first.id).state == "STOPPED"
    assert jobs.wait(queued.id, ("RUNNING",)).state == "RUNNING"  # the freed slot is its
    jobs.runs.stop("slow", [queued.id])
    assert jobs.wait(queued.id).state == "STOPPED"


def test_a_stopped_waiting_run_never_runs(jobs: Jobs) -> None:
    jobs.job("slow", SLEEPING_SCRIPT, JobRunQueuingEnabled=True)
    first = jobs.runs.start("slow")
    queued = jobs.runs.start("slow")
    assert queued.state == "WAITING"
    jobs.runs.stop("slow", [queued.id])
    stopped = jobs.wait(queued.id)
    assert (stopped.state, stopped.stdout_path) == ("STOPPED", None)
    jobs.runs.stop("slow", [first.id])
    jobs.wait(first.id)


def test_start_errors(jobs: Jobs) -> None:
    with pytest.raises(EntityNotFound, match="Job nope not found"):
        jobs.runs.start("nope")
    jobs.job("clean", "print(1)")
    with pytest.raises(InvalidInput, match="Timeout must be 1 to 10080"):
        jobs.runs.start("clean", timeout=0)
    with pytest.raises(InvalidInput, match=r"Arguments\['--a'\] must be a string"):
        jobs.runs.start("clean", {"--a": 1})  # type: ignore[dict-item]
    with pytest.raises(EntityNotFound):
        jobs.runs.get("clean", "jr_missing")
    with pytest.raises(EntityNotFound):
        jobs.runs.page("nope")


def test_a_missing_script_fails_the_run(jobs: Jobs) -> None:
    jobs.catalog.create(
        "ghost", {"Role": "r", "Command": {"Name": "pythonshell", "ScriptLocation": "nope.py"}}
    )
    run = jobs.wait(jobs.runs.start("ghost").id)
    assert run.state == "FAILED"
    assert run.error_message is not None and "nope.py" in run.error_message


def test_an_s3_script_location_maps_to_the_lake(jobs: Jobs) -> None:
    script = jobs.settings.data_root / "code" / "jobs" / "etl.py"
    script.parent.mkdir(parents=True)
    script.write_text("import sys\nprint('lake', sys.argv[-1])\n")
    command = {"Name": "pythonshell", "ScriptLocation": "s3://code/jobs/etl.py"}
    jobs.catalog.create("etl", {"Role": "r", "Command": command})
    run = jobs.wait(jobs.runs.start("etl", {"--where": "s3://data/in/"}).id)
    assert run.state == "SUCCEEDED", run.error_message
    assert f"lake {jobs.settings.data_root}/data/in/" in jobs.runs.logs(run.id).read_text()


# ---- bookmarks --------------------------------------------------------------------------

BOOKMARK_SCRIPT = """
import sys
from awsglue.job import Job
from awsglue.utils import getResolvedOptions

class Context:
    pass

args = getResolvedOptions(sys.argv, ["JOB_NAME"])
job = Job(Context())
job.init(args["JOB_NAME"], args)
job.commit()
"""


def test_bookmarks_advance_with_commits_and_reset(jobs: Jobs) -> None:
    enable = {"--job-bookmark-option": "job-bookmark-enable"}
    jobs.job("marks", BOOKMARK_SCRIPT, DefaultArguments=enable)
    with pytest.raises(EntityNotFound, match="Continuation for job marks not found"):
        jobs.catalog.bookmark("marks")
    first = jobs.wait(jobs.runs.start("marks").id)
    assert first.state == "SUCCEEDED", first.error_message
    entry = jobs.catalog.bookmark("marks")
    assert (entry.job_name, entry.version, entry.run, entry.run_id) == ("marks", 1, 1, first.id)
    second = jobs.wait(jobs.runs.start("marks").id)
    entry = jobs.catalog.bookmark("marks")
    assert (entry.version, entry.run_id, entry.previous_run_id) == (2, second.id, first.id)
    removed = jobs.catalog.reset_bookmark("marks")
    assert removed.version == 2
    with pytest.raises(EntityNotFound):
        jobs.catalog.bookmark("marks")
    third = jobs.wait(jobs.runs.start("marks").id)
    assert (jobs.catalog.bookmark("marks").version, third.state) == (1, "SUCCEEDED")


# ---- the caller hook --------------------------------------------------------------------


def test_the_caller_is_told_once_in_the_runs_end(tmp_path: Path) -> None:
    hook = Deliveries()
    jobs = make_jobs(f"sqlite:///{tmp_path}/s.db", tmp_path, hook=hook)
    try:
        jobs.job("bad", FAILING_SCRIPT, MaxRetries=1)
        jobs.job("ok", "print('fine')")
        failing = jobs.runs.start("bad", caller="token-bad", caller_key="exec#Bad#0")
        fine = jobs.runs.start("ok", caller="token-ok", caller_key="exec#Ok#0")
        quiet = jobs.runs.start("ok", queuing=True)  # no caller: no hook
        # started again by the same caller: the same run
        assert jobs.runs.start("bad", caller="token-bad", caller_key="exec#Bad#0") == failing
        jobs.wait(fine.id)
        jobs.wait(quiet.id)
        jobs.settle()
        retry = jobs.store.list_job_runs("bad")[0]
        assert (retry.attempt, retry.caller, retry.caller_key) == (1, "token-bad", None)
        assert sorted(hook.calls) == sorted([fine.id, retry.id])  # the last attempt only
        items = jobs.store.claim("w9", jobs.runs.clock.now(), 10, 30)
        told = {item.key: json.loads(item.payload) for item in items}
        assert {item.execution_arn for item in items} == {EXECUTION}
        assert told == {
            "glue:token-ok": {"token": "token-ok", "state": "SUCCEEDED", "run": fine.id},
            "glue:token-bad": {"token": "token-bad", "state": "FAILED", "run": retry.id},
        }
    finally:
        jobs.close()
        jobs.store.close()


def test_a_broken_hook_does_not_keep_the_run_from_ending(tmp_path: Path) -> None:
    jobs = make_jobs(f"sqlite:///{tmp_path}/s.db", tmp_path, hook=Deliveries(fail=True))
    try:
        jobs.job("ok", "print('fine')")
        run = jobs.runs.start("ok", caller="token", caller_key="k")
        assert jobs.wait(run.id).state == "SUCCEEDED"
        assert jobs.store.claim("w9", jobs.runs.clock.now(), 10, 30) == []
    finally:
        jobs.close()
        jobs.store.close()


# ---- leases -----------------------------------------------------------------------------


def test_a_run_whose_worker_was_lost_fails_and_is_retried(tmp_path: Path) -> None:
    jobs = make_jobs(f"sqlite:///{tmp_path}/s.db", tmp_path, lease_seconds=0.5)
    try:
        jobs.job("flaky", "print('second time lucky')", MaxRetries=1)
        run = jobs.runs.start("flaky")
        # a worker claims it, starts it, and dies without a word
        now = jobs.runs.clock.now()
        (claimed,) = jobs.store.claim_job_runs("dead", now, 1, 0.5)
        jobs.store.job_run_started(claimed.id, "dead", now, "elsewhere:1", "/o", "/e")
        assert jobs.runner.poll() == 0  # still leased
        time.sleep(0.6)
        lost = jobs.wait(run.id, ("FAILED",))
        assert lost.error_message is not None
        assert "interrupted" in lost.error_message and "elsewhere:1" in lost.error_message
        jobs.settle()
        retry = jobs.store.list_job_runs("flaky")[0]
        assert (retry.state, retry.attempt, retry.previous_run_id) == ("SUCCEEDED", 1, run.id)
    finally:
        jobs.close()
        jobs.store.close()


def test_a_worker_that_stops_hands_its_runs_back(tmp_path: Path) -> None:
    jobs = make_jobs(f"sqlite:///{tmp_path}/s.db", tmp_path)
    try:
        gate = tmp_path / "gate"
        source = f"""
        import os, time
        while not os.path.exists({str(gate)!r}):
            time.sleep(0.05)
        print("through the gate")
        """
        jobs.job("gated", source)
        run = jobs.runs.start("gated")
        jobs.wait(run.id, ("RUNNING",))
        jobs.runner.close()  # SIGTERM: the script is interrupted, the run handed back
        back = jobs.runs.find(run.id)
        assert (back.state, back.lease_owner, back.attempt) == ("STARTING", None, 0)
        gate.touch()
        done = jobs.wait(run.id, runner=jobs.new_runner("w2"))
        assert (done.state, done.attempt) == ("SUCCEEDED", 0)
        assert "through the gate" in jobs.runs.logs(run.id).read_text()
    finally:
        jobs.close()
        jobs.store.close()
