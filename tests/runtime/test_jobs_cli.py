"""``stepline jobs ...`` as a real subprocess on a SQLite store: define, run, list, logs."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from runner import Run

OK_SCRIPT = """
import sys
print("args:", " ".join(sys.argv[1:]))
"""
FAILING_SCRIPT = """
print("working")
raise RuntimeError("disk full")
"""


def script(tmp_path: Path, name: str, source: str) -> str:
    path = tmp_path / name
    path.write_text(textwrap.dedent(source))
    return name  # relative: resolved from the command's working directory


def test_create_list_start_runs_logs(cli: Run, tmp_path: Path) -> None:
    ok = script(tmp_path, "ok.py", OK_SCRIPT)
    created = cli(
        "jobs", "create", "clean", "--script", ok, "--command", "pythonshell",
        "--arg", "day=1", "--arg=--mode=full", "--max-concurrent-runs", "2",
    )  # fmt: skip
    assert (created.returncode, created.stdout.strip()) == (0, "clean"), created.stderr
    listed = cli("jobs", "list")
    assert listed.returncode == 0
    assert listed.stdout.split() == ["clean", "pythonshell", "ok.py"]

    started = cli("jobs", "start", "clean", "--arg", "day=2", "--wait")
    assert started.returncode == 0, started.stderr
    run_id, state = started.stdout.split()
    assert run_id.startswith("jr_") and state == "SUCCEEDED"

    runs = cli("jobs", "runs", "clean")
    assert runs.returncode == 0
    assert runs.stdout.split()[:3] == ["SUCCEEDED", "attempt", "0"]
    assert run_id in runs.stdout

    logs = cli("jobs", "logs", run_id)
    assert logs.returncode == 0, logs.stderr
    assert "--day 2" in logs.stdout and "--mode full" in logs.stdout
    assert f"--JOB_RUN_ID {run_id}" in logs.stdout
    assert (tmp_path / ".stepline" / "jobs" / "runs" / run_id / "stdout.log").exists()


def test_a_failing_run_exits_1_with_its_error(cli: Run, tmp_path: Path) -> None:
    bad = script(tmp_path, "bad.py", FAILING_SCRIPT)
    assert cli("jobs", "create", "bad", "--script", bad, "--command", "pythonshell",
               "--max-retries", "1").returncode == 0  # fmt: skip
    started = cli("jobs", "start", "bad", "--wait")
    assert started.returncode == 1
    assert "FAILED" in started.stdout
    assert "RuntimeError: disk full" in started.stderr
    runs = cli("jobs", "runs", "bad").stdout.splitlines()
    assert [line.split()[:3] for line in runs] == [
        ["FAILED", "attempt", "1"],
        ["FAILED", "attempt", "0"],
    ]
    run_id = started.stdout.split()[0]
    errors = cli("jobs", "logs", run_id, "--stderr")
    assert "RuntimeError: disk full" in errors.stdout


def test_start_without_waiting_then_stop(cli: Run, tmp_path: Path) -> None:
    ok = script(tmp_path, "ok.py", OK_SCRIPT)
    assert cli("jobs", "create", "later", "--script", ok).returncode == 0
    started = cli("jobs", "start", "later")
    assert started.returncode == 0
    run_id = started.stdout.strip()
    assert cli("jobs", "runs", "later").stdout.split()[0] == "STARTING"
    stopped = cli("jobs", "stop", "later", run_id)
    assert (stopped.returncode, stopped.stdout.strip()) == (0, f"{run_id} STOPPING")
    no_logs = cli("jobs", "logs", run_id)
    assert no_logs.returncode == 2
    assert f"job run {run_id} has no logs yet (STOPPING)" in no_logs.stderr


def test_bad_input_is_a_clear_message(cli: Run, tmp_path: Path) -> None:
    ok = script(tmp_path, "ok.py", OK_SCRIPT)
    cases = [
        (("jobs", "create", "j", "--script", ok, "--timeout", "0"),
         "CreateJob.Timeout must be 1 to 10080, got 0"),
        (("jobs", "create", "j", "--script", ok, "--arg", "novalue"),
         "--arg expects KEY=VALUE, got 'novalue'"),
        (("jobs", "start", "nope"), "Job nope not found"),
        (("jobs", "runs", "nope"), "Job nope not found"),
        (("jobs", "logs", "jr_nope"), "Job run jr_nope not found"),
    ]  # fmt: skip
    for args, message in cases:
        answer = cli(*args)
        assert answer.returncode == 2, (args, answer.stdout, answer.stderr)
        assert message in answer.stderr, (args, answer.stderr)
        assert "Traceback" not in answer.stderr


def test_create_again_and_replace(cli: Run, tmp_path: Path) -> None:
    ok = script(tmp_path, "ok.py", OK_SCRIPT)
    assert cli("jobs", "create", "j", "--script", ok).returncode == 0
    assert cli("jobs", "create", "j", "--script", ok).returncode == 0  # the same: fine
    other = cli("jobs", "create", "j", "--script", "other.py")
    assert other.returncode == 2 and "already exists" in other.stderr
    replaced = cli("jobs", "create", "j", "--script", "other.py", "--replace")
    assert replaced.returncode == 0
    assert cli("jobs", "list").stdout.split() == ["j", "glueetl", "other.py"]
    assert cli("jobs", "delete", "j").returncode == 0
    assert cli("jobs", "list").stdout == ""


def test_start_wait_runs_a_glue_sync_task_here(cli: Run, tmp_path: Path) -> None:
    ok = script(tmp_path, "ok.py", OK_SCRIPT)
    assert (
        cli("jobs", "create", "clean", "--script", ok, "--command", "pythonshell").returncode == 0
    )
    machine = {
        "StartAt": "Clean",
        "States": {
            "Clean": {
                "Type": "Task",
                "Resource": "arn:aws:states:::glue:startJobRun.sync",
                "Parameters": {"JobName": "clean", "Arguments": {"--day.$": "$.day"}},
                "ResultSelector": {"state.$": "$.JobRunState", "id.$": "$.Id"},
                "End": True,
            }
        },
    }
    (tmp_path / "machine.json").write_text(json.dumps(machine))
    assert cli("create-state-machine", "nightly", "machine.json").returncode == 0
    started = cli("start", "nightly", "--input", '{"day": "7"}', "--wait")
    assert started.returncode == 0, started.stderr
    output = json.loads(started.stdout)
    assert output["state"] == "SUCCEEDED"
    assert "--day 7" in cli("jobs", "logs", output["id"]).stdout
