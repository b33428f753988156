"""stepline init / plan / deploy / start --project as real subprocesses on a real store."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

Cli = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def cli(durable_url: str, tmp_path: Path) -> Cli:
    env = dict(os.environ, STEPLINE_DB=durable_url, STEPLINE_DATA_ROOT=str(tmp_path / "lake"))

    def run(*args: str, cwd: Path = tmp_path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "stepline.cli", *args],
            capture_output=True,
            text=True,
            cwd=cwd,
            env=env,
            timeout=120,
        )

    return run


def test_init_deploy_start_the_scaffold(cli: Cli, tmp_path: Path) -> None:
    made = cli("init", "shop")
    assert made.returncode == 0, made.stderr
    project = tmp_path / "shop"
    for name in (
        "stepline.toml",
        "orchestrations/hello.asl.json",
        "glue/jobs/hello.py",
        "functions.py",
        "quality/checks/hello.sql",
        "README.md",
    ):
        assert (project / name).is_file(), name
    again = cli("init", "shop")
    assert again.returncode == 2 and "exists already" in again.stderr

    planned = cli("plan", cwd=project)
    assert planned.returncode == 0, planned.stderr
    assert (
        "+ state machine hello: create (new; type STANDARD; version 1, alias live -> version 1)"
        in (planned.stdout)
    )
    assert "+ job hello: create (new)" in planned.stdout
    assert (
        "  quality greetings: local (quality/checks/hello.sql, read by quality tasks)"
        in planned.stdout
    )
    assert planned.stdout.rstrip().endswith("plan: 3 create, 2 local")

    deployed = cli("deploy", cwd=project)
    assert deployed.returncode == 0, deployed.stderr
    assert "state machine hello: created (new; type STANDARD; alias live -> version 1)" in (
        deployed.stdout
    )
    assert "deployed: 3 changed, 2 as they were" in deployed.stdout
    second = cli("deploy", cwd=project)
    assert "deployed: 0 changed, 5 as they were" in second.stdout
    after = cli("plan", "--project", str(project))
    assert after.stdout.rstrip().endswith("plan: 3 unchanged, 2 local")

    done = cli(
        "start", "hello:live", "--input", '{"name": "world"}', "--wait", "--project", ".",
        "--jobs-dir", str(tmp_path / "jobs"), cwd=project,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "name": "world",
        "greet": {"message": "Hello, world!"},
        "job": {"state": "SUCCEEDED"},
    }
    runs = cli("jobs", "runs", "hello").stdout.split()
    logs = cli("jobs", "logs", runs[-1])
    assert "hello: Hello, world! (bucket shop-dev)" in logs.stdout, logs.stderr

    # --env prod: the same machine with prod's values, a new version behind the alias
    prod = cli("deploy", "--env", "prod", cwd=project)
    assert prod.returncode == 0, prod.stderr
    assert "job hello: updated (DefaultArguments changed)" in prod.stdout
    assert "state machine hello: updated (definition changed; alias live -> version 2)" in (
        prod.stdout
    )


def test_worker_loads_the_project_functions(cli: Cli, tmp_path: Path, durable_url: str) -> None:
    assert cli("init", "p", "--name", "greeter").returncode == 0
    project = tmp_path / "p"
    # only the function's state: the worker below runs no jobs
    machine = project / "orchestrations/hello.asl.json"
    definition = json.loads(machine.read_text())
    greet = dict(definition["States"]["Greet"], End=True)
    del greet["Next"]
    machine.write_text(json.dumps(dict(definition, States={"Greet": greet})))
    assert cli("deploy", cwd=project).returncode == 0
    started = cli("start", "hello", "--input", '{"name": "ops"}', "--name", "one")
    assert started.returncode == 0, started.stderr
    worker = subprocess.Popen(
        [sys.executable, "-m", "stepline.cli", "worker", "--db", durable_url,
         "--project", str(project), "--job-slots", "0"],
        cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            described = json.loads(cli("describe", started.stdout.strip()).stdout)
            if described["status"] != "RUNNING" or time.monotonic() > deadline:
                break
            time.sleep(0.1)
    finally:
        worker.terminate()
        worker.wait(30)
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"])["greet"] == {"message": "Hello, ops!"}


def test_errors_are_messages_not_tracebacks(cli: Cli, tmp_path: Path) -> None:
    empty = cli("plan")
    assert empty.returncode == 2
    assert f"stepline: {tmp_path}: no stepline.toml here" in empty.stderr
    assert cli("init", "p").returncode == 0
    project = tmp_path / "p"
    (project / "functions.py").write_text("def other(event, context):\n    return 1\n")
    broken = cli("deploy", cwd=project)
    assert broken.returncode == 2 and "Traceback" not in broken.stderr
    assert broken.stderr.strip() == (
        "stepline: stepline.toml: [functions] greet: functions has no function greet"
    )
    unknown = cli("deploy", "--env", "qa", cwd=project)
    assert unknown.stderr.strip() == ("stepline: stepline.toml: no [env.qa] (environments: prod)")
    toml = project / "stepline.toml"
    toml.write_text(toml.read_text().replace('script = "glue/jobs/hello.py"', 'script = "x.py"'))
    missing = cli("plan", "--project", "p")
    assert missing.stderr.strip() == (
        "stepline: stepline.toml: [jobs.hello] script: file x.py does not exist"
    )
