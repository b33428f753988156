"""The job spec the launcher reads, Glue's argv, and the launcher run as a module."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from stepline.jobs.result import read_report
from stepline.jobs.spec import ScriptSpec, SpecError, engine_for, glue_argv


def test_glue_argv_is_what_glue_passes() -> None:
    argv = glue_argv("job.py", "orders", "jr_1", {"--input_path": "s3://b-1/x", "day": "d"})
    assert argv == (
        "job.py",
        "--JOB_NAME",
        "orders",
        "--JOB_RUN_ID",
        "jr_1",
        "--job-bookmark-option",
        "job-bookmark-disable",
        "--input_path",
        "s3://b-1/x",
        "--day",
        "d",
    )
    with pytest.raises(SpecError, match="--job-bookmark-option must be one of"):
        glue_argv("job.py", "orders", "jr_1", bookmark_option="on")


def test_engines_accept_glue_command_names() -> None:
    assert engine_for("glueetl") == "duckdb" and engine_for("pythonshell") == "python"
    assert ScriptSpec(script="j.py", argv=("j.py",), engine="glueetl").engine == "duckdb"  # type: ignore[arg-type]
    with pytest.raises(SpecError, match="field 'engine': expected one of duckdb, spark, python"):
        engine_for("ray")


def test_json_round_trip() -> None:
    spec = ScriptSpec(
        script="/jobs/j.py",
        argv=("j.py", "--x", "1"),
        engine="spark",
        data_root="/lake",
        bookmark_path="/bm/j.json",
        python_path=("/extra",),
        spark_master="spark://host:7077",
        spark_conf=(("spark.executor.memory", "2g"),),
    )
    assert ScriptSpec.from_json(spec.to_json()) == spec
    assert ScriptSpec.from_mapping(
        {"script": "j.py", "argv": ["j.py"], "spark_conf": {"k": "v"}}
    ).spark_conf == (("k", "v"),)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "job spec is not valid JSON"),
        ("[]", "job spec must be a JSON object"),
        ('{"argv": ["j.py"]}', "job spec field 'script' is required"),
        ('{"script": "j.py", "argv": ["j.py"], "colour": 1}', "unknown field(s): colour"),
        ('{"script": "j.py", "argv": "j.py"}', "field 'argv': expected a list of strings"),
        ('{"script": "j.py", "argv": []}', "field 'argv': expected at least the script name"),
        ('{"script": "j.py", "argv": ["j.py"], "data_root": ""}', "field 'data_root'"),
        ('{"script": "j.py", "argv": ["j.py"], "spark_conf": [["k"]]}', "field 'spark_conf'"),
    ],
)
def test_bad_specs_name_the_field(text: str, message: str) -> None:
    with pytest.raises(SpecError) as raised:
        ScriptSpec.from_json(text)
    assert message in str(raised.value)


def test_launcher_runs_as_a_module(tmp_path: Path) -> None:
    script = tmp_path / "hello.py"
    script.write_text("import sys\nprint('hello', sys.argv[1:])\n")
    spec_file = tmp_path / "spec.json"
    spec_file.write_text(json.dumps({"script": str(script), "argv": ["hello.py", "--a", "b"],
                                     "engine": "pythonshell"}))  # fmt: skip
    result_file = tmp_path / "out" / "result.json"
    command = [sys.executable, "-m", "stepline.jobs.launch"]
    command += ["--spec", str(spec_file), "--result", str(result_file)]
    finished = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert finished.returncode == 0, finished.stderr
    assert finished.stdout == "hello ['--a', 'b']\n"
    report = read_report(result_file)
    assert report is not None and report.status == "SUCCEEDED" and report.error_message is None
    assert report.script_started_at is not None


def test_launcher_rejects_a_bad_spec_file(tmp_path: Path) -> None:
    spec_file = tmp_path / "spec.json"
    spec_file.write_text('{"script": "j.py"}')
    result_file = tmp_path / "result.json"
    command = [sys.executable, "-m", "stepline.jobs.launch"]
    command += ["--spec", str(spec_file), "--result", str(result_file)]
    finished = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert finished.returncode == 2
    assert finished.stderr == (
        "stepline could not start the job: job spec field 'argv' is required\n"
    )
    report = read_report(result_file)
    assert report is not None and report.status == "FAILED"
    assert report.error_message == (
        "stepline could not start the job: job spec field 'argv' is required"
    )
