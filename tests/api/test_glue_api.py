"""The AWSGlue JSON 1.1 API of a real ``stepline serve`` through boto3's glue client: job
definitions, runs of real scripts, stops, retries, concurrency, bookmarks, errors."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from glue_client import ROLE, glue_client, signed_glue_post, wait_for_run, write_script
from sfn_client import Server, client, raw_post, serving

ARGV_SCRIPT = """
import json, sys
out = sys.argv[sys.argv.index("--out") + 1]
with open(out, "w") as handle:
    json.dump(sys.argv[1:], handle)
"""
FAILING_SCRIPT = """
print("starting")
raise KeyError("customer_id")
"""
SLEEPING_SCRIPT = """
import time
time.sleep(120)
"""
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


@pytest.fixture(scope="module")
def glue_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server whose job minute lasts half a second (so Timeout 1 is quick)."""
    yield from serving(
        tmp_path_factory.mktemp("glue-serve"), "--job-minute-seconds", "0.5", "--job-slots", "4"
    )


@pytest.fixture
def glue(glue_server: Server) -> Any:
    return glue_client(glue_server.url)


@pytest.fixture
def scripts(tmp_path: Path) -> Callable[[str, str], str]:
    return lambda name, source: write_script(tmp_path, name, source)


@pytest.fixture
def name() -> str:
    return f"job-{uuid.uuid4().hex[:10]}"


def create(glue: Any, name: str, script: str, **members: Any) -> None:
    command = {"Name": "pythonshell", "ScriptLocation": script, "PythonVersion": "3.9"}
    glue.create_job(Name=name, Role=ROLE, Command=command, **members)


def error_of(call: Callable[[], Any]) -> dict[str, Any]:
    with pytest.raises(Exception) as raised:  # botocore's ClientError
        call()
    response: dict[str, Any] = raised.value.response  # type: ignore[attr-defined]
    return {"code": response["Error"]["Code"], "message": response["Error"]["Message"]}


# ---- job definitions --------------------------------------------------------------------


def test_create_get_update_list_delete(glue: Any, name: str) -> None:
    created = glue.create_job(
        Name=name,
        Role=ROLE,
        Command={"Name": "glueetl", "ScriptLocation": "s3://code/etl.py"},
        DefaultArguments={"--day": "1"},
        GlueVersion="4.0",
        WorkerType="G.1X",
        NumberOfWorkers=2,
        Tags={"team": "data"},
        Description="cleans orders",
    )
    assert created["Name"] == name
    job = glue.get_job(JobName=name)["Job"]
    assert job["Name"] == name
    assert job["Command"] == {"Name": "glueetl", "ScriptLocation": "s3://code/etl.py"}
    assert (job["MaxRetries"], job["Timeout"]) == (0, 2880)
    assert job["ExecutionProperty"] == {"MaxConcurrentRuns": 1}
    assert (job["WorkerType"], job["NumberOfWorkers"], job["GlueVersion"]) == ("G.1X", 2, "4.0")
    assert job["Description"] == "cleans orders"
    assert job["CreatedOn"] == job["LastModifiedOn"]
    assert "Tags" not in job

    updated = glue.update_job(
        JobName=name,
        JobUpdate={
            "Role": ROLE,
            "Command": {"Name": "pythonshell", "ScriptLocation": "s3://code/shell.py"},
            "MaxRetries": 2,
        },
    )
    assert updated["JobName"] == name
    job = glue.get_job(JobName=name)["Job"]
    assert (job["Command"]["Name"], job["MaxRetries"]) == ("pythonshell", 2)
    assert "DefaultArguments" not in job and "WorkerType" not in job  # replaced whole
    assert job["LastModifiedOn"] >= job["CreatedOn"]

    assert name in glue.list_jobs(MaxResults=1000)["JobNames"]
    assert glue.list_jobs(Tags={"team": "data"}, MaxResults=1000)["JobNames"].count(name) == 1
    assert name in [j["Name"] for j in glue.get_jobs(MaxResults=1000)["Jobs"]]
    assert glue.delete_job(JobName=name)["JobName"] == name
    assert glue.delete_job(JobName=name)["JobName"] == name  # AWS: no error when gone
    assert error_of(lambda: glue.get_job(JobName=name)) == {
        "code": "EntityNotFoundException",
        "message": f"Job {name} not found",
    }


def test_get_jobs_and_list_jobs_page(glue: Any) -> None:
    prefix = f"page-{uuid.uuid4().hex[:6]}"
    for n in range(3):
        create(glue, f"{prefix}-{n}", "x.py")
    seen: list[str] = []
    token = None
    while True:
        page = glue.list_jobs(MaxResults=2, **({"NextToken": token} if token else {}))
        seen += page["JobNames"]
        token = page.get("NextToken")
        if token is None:
            break
    assert [n for n in seen if n.startswith(prefix)] == [f"{prefix}-{n}" for n in range(3)]
    paginator = glue.get_paginator("get_jobs")
    names = [
        j["Name"]
        for page in paginator.paginate(PaginationConfig={"PageSize": 2})
        for j in page["Jobs"]
    ]
    assert [n for n in names if n.startswith(prefix)] == [f"{prefix}-{n}" for n in range(3)]


def test_definition_errors(glue: Any, name: str) -> None:
    create(glue, name, "x.py")
    same = glue.get_job(JobName=name)["Job"]
    # creating again with the same definition is idempotent; with another, it is not
    assert glue.create_job(Name=name, Role=ROLE, Command=same["Command"])["Name"] == name
    mismatch = error_of(
        lambda: glue.create_job(Name=name, Role=ROLE, Command={"ScriptLocation": "y.py"})
    )
    assert mismatch["code"] == "IdempotentParameterMismatchException"
    bad_command = error_of(
        lambda: glue.create_job(
            Name=f"{name}-x", Role=ROLE, Command={"Name": "gluestreaming", "ScriptLocation": "x"}
        )
    )
    assert bad_command["code"] == "InvalidInputException"
    assert "CreateJob.Command.Name must be one of glueetl, pythonshell" in bad_command["message"]
    too_long = error_of(
        lambda: glue.create_job(
            Name=f"{name}-y", Role=ROLE, Command={"ScriptLocation": "x"}, Timeout=20000
        )
    )
    assert too_long == {
        "code": "InvalidInputException",
        "message": "CreateJob.Timeout must be 1 to 10080, got 20000",
    }
    missing = error_of(
        lambda: glue.update_job(
            JobName=f"{name}-none", JobUpdate={"Role": ROLE, "Command": {"ScriptLocation": "x"}}
        )
    )
    assert missing["code"] == "EntityNotFoundException"


def test_shape_errors_are_validation_exceptions(glue_server: Server) -> None:
    body = json.dumps({"Name": "", "Role": ROLE, "Command": {}}).encode()
    answer = signed_glue_post(glue_server.url, "AWSGlue.CreateJob", body)
    assert answer.status == 400
    assert answer.headers["Content-Type"] == "application/x-amz-json-1.1"
    assert answer.body["__type"] == "ValidationException"
    assert "Value '' at 'Name' failed to satisfy constraint" in answer.body["Message"]
    unknown = signed_glue_post(glue_server.url, "AWSGlue.CreateCrawler", b"{}")
    assert unknown.body["__type"] == "UnknownOperationException"
    broken = signed_glue_post(glue_server.url, "AWSGlue.GetJob", b"{nope")
    assert broken.body["__type"] == "SerializationException"


def test_signing_for_the_wrong_service_is_refused(glue_server: Server) -> None:
    # a Glue request signed for "states" (and a Step Functions one still works)
    answer = raw_post(glue_server.url, b"{}", "AWSGlue.GetJobs")
    assert answer.status == 400
    assert answer.body["__type"] == "InvalidSignatureException"
    assert "scoped to correct service: 'glue'" in answer.body["message"]
    assert client(glue_server.url).list_state_machines()["stateMachines"] is not None


# ---- runs -------------------------------------------------------------------------------


def test_a_run_succeeds_with_merged_arguments(
    glue: Any, name: str, scripts: Callable[[str, str], str], tmp_path: Path
) -> None:
    out = tmp_path / "argv.json"
    create(
        glue,
        name,
        scripts("argv.py", ARGV_SCRIPT),
        DefaultArguments={"--out": str(out), "--day": "1"},
        NonOverridableArguments={"--env": "prod"},
    )
    run_id = glue.start_job_run(JobName=name, Arguments={"--day": "2", "--env": "dev"})["JobRunId"]
    assert run_id.startswith("jr_") and len(run_id) == 67
    run = wait_for_run(glue, name, run_id)
    assert run["JobRunState"] == "SUCCEEDED", run
    assert (run["Id"], run["JobName"], run["Attempt"]) == (run_id, name, 0)
    assert run["Arguments"] == {"--day": "2", "--env": "dev"}
    assert run["Timeout"] == 2880 and run["ExecutionTime"] >= 0
    assert run["CompletedOn"] >= run["StartedOn"]
    assert "ErrorMessage" not in run
    argv = json.loads(out.read_text())
    pairs = dict(zip(argv[::2], argv[1::2], strict=True))
    assert (pairs["--day"], pairs["--env"], pairs["--JOB_RUN_ID"]) == ("2", "prod", run_id)
    runs = glue.get_job_runs(JobName=name)["JobRuns"]
    assert [r["Id"] for r in runs] == [run_id]


def test_a_failing_script_fails_with_glues_error_message(
    glue: Any, name: str, scripts: Callable[[str, str], str]
) -> None:
    create(glue, name, scripts("fail.py", FAILING_SCRIPT))
    run_id = glue.start_job_run(JobName=name)["JobRunId"]
    run = wait_for_run(glue, name, run_id)
    assert run["JobRunState"] == "FAILED"
    assert run["ErrorMessage"] == (
        "Error Category: INVALID_ARGUMENT_ERROR; Failed Line Number: 3; KeyError: 'customer_id'"
    )


def test_max_retries_links_attempts(
    glue: Any, name: str, scripts: Callable[[str, str], str]
) -> None:
    create(glue, name, scripts("fail.py", FAILING_SCRIPT), MaxRetries=1)
    first = glue.start_job_run(JobName=name)["JobRunId"]
    wait_for_run(glue, name, first)
    for _ in range(600):
        runs = glue.get_job_runs(JobName=name)["JobRuns"]
        if len(runs) == 2 and runs[0]["JobRunState"] == "FAILED":
            break
        wait_for_run(glue, name, runs[0]["Id"])
    newest, oldest = runs
    assert (oldest["Id"], oldest["Attempt"], oldest["JobRunState"]) == (first, 0, "FAILED")
    assert "PreviousRunId" not in oldest
    assert (newest["Attempt"], newest["PreviousRunId"]) == (1, first)
    page = glue.get_job_runs(JobName=name, MaxResults=1)
    assert [r["Id"] for r in page["JobRuns"]] == [newest["Id"]]
    rest = glue.get_job_runs(JobName=name, MaxResults=1, NextToken=page["NextToken"])
    assert [r["Id"] for r in rest["JobRuns"]] == [first] and "NextToken" not in rest


def test_timeout(glue: Any, name: str, scripts: Callable[[str, str], str]) -> None:
    create(glue, name, scripts("sleep.py", SLEEPING_SCRIPT))
    run_id = glue.start_job_run(JobName=name, Timeout=1)["JobRunId"]  # 0.5 s on this server
    run = wait_for_run(glue, name, run_id)
    assert (run["JobRunState"], run["Timeout"]) == ("TIMEOUT", 1)
    assert "timed out" in run["ErrorMessage"]


def test_batch_stop_job_run(glue: Any, name: str, scripts: Callable[[str, str], str]) -> None:
    create(glue, name, scripts("sleep.py", SLEEPING_SCRIPT))
    run_id = glue.start_job_run(JobName=name)["JobRunId"]
    wait_for_run(glue, name, run_id, ("RUNNING",))
    stopped = glue.batch_stop_job_run(JobName=name, JobRunIds=[run_id, "jr_missing"])
    assert stopped["SuccessfulSubmissions"] == [{"JobName": name, "JobRunId": run_id}]
    (error,) = stopped["Errors"]
    assert (error["JobRunId"], error["ErrorDetail"]["ErrorCode"]) == (
        "jr_missing",
        "EntityNotFoundException",
    )
    state = glue.get_job_run(JobName=name, RunId=run_id)["JobRun"]["JobRunState"]
    assert state in ("STOPPING", "STOPPED")
    assert wait_for_run(glue, name, run_id)["JobRunState"] == "STOPPED"


def test_max_concurrent_runs(glue: Any, name: str, scripts: Callable[[str, str], str]) -> None:
    create(
        glue, name, scripts("sleep.py", SLEEPING_SCRIPT), ExecutionProperty={"MaxConcurrentRuns": 1}
    )
    first = glue.start_job_run(JobName=name)["JobRunId"]
    refused = error_of(lambda: glue.start_job_run(JobName=name))
    assert refused == {
        "code": "ConcurrentRunsExceededException",
        "message": f"Concurrent runs exceeded for {name}",
    }
    queued = glue.start_job_run(JobName=name, JobRunQueuingEnabled=True)["JobRunId"]
    waiting = glue.get_job_run(JobName=name, RunId=queued)["JobRun"]
    assert (waiting["JobRunState"], waiting["JobRunQueuingEnabled"]) == ("WAITING", True)
    assert waiting["StateDetail"]
    glue.batch_stop_job_run(JobName=name, JobRunIds=[first, queued])
    for run_id in (first, queued):
        assert wait_for_run(glue, name, run_id)["JobRunState"] == "STOPPED"


def test_run_errors(glue: Any, name: str) -> None:
    assert error_of(lambda: glue.start_job_run(JobName=name))["code"] == ("EntityNotFoundException")
    create(glue, name, "x.py")
    missing = error_of(lambda: glue.get_job_run(JobName=name, RunId="jr_nope"))
    assert missing["code"] == "EntityNotFoundException"
    retry = error_of(lambda: glue.start_job_run(JobName=name, JobRunId="jr_nope"))
    assert retry["code"] == "EntityNotFoundException"
    assert error_of(lambda: glue.get_job_runs(JobName=f"{name}-none"))["code"] == (
        "EntityNotFoundException"
    )


def test_bookmarks(glue: Any, name: str, scripts: Callable[[str, str], str]) -> None:
    create(
        glue,
        name,
        scripts("marks.py", BOOKMARK_SCRIPT),
        DefaultArguments={"--job-bookmark-option": "job-bookmark-enable"},
    )
    none = error_of(lambda: glue.get_job_bookmark(JobName=name))
    assert none == {
        "code": "EntityNotFoundException",
        "message": f"Continuation for job {name} not found",
    }
    run_id = glue.start_job_run(JobName=name)["JobRunId"]
    assert wait_for_run(glue, name, run_id)["JobRunState"] == "SUCCEEDED"
    entry = glue.get_job_bookmark(JobName=name)["JobBookmarkEntry"]
    assert (entry["JobName"], entry["Version"], entry["Run"], entry["RunId"]) == (
        name,
        1,
        1,
        run_id,
    )
    assert json.loads(entry["JobBookmark"]) == {}
    reset = glue.reset_job_bookmark(JobName=name)["JobBookmarkEntry"]
    assert (reset["JobName"], reset["Version"]) == (name, 1)
    assert error_of(lambda: glue.get_job_bookmark(JobName=name))["code"] == (
        "EntityNotFoundException"
    )
