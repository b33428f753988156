"""awsglue.utils.getResolvedOptions: Glue's parsing and every error it raises.

The shim is imported here by its package path; job scripts import it as ``awsglue``, which
must not be importable anywhere else (checked at the end).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest

from stepline.jobs.shim.awsglue.utils import GlueArgumentError, getResolvedOptions

GLUE_ARGV = [
    "script.py",
    "--JOB_ID",
    "j_123",
    "--JOB_RUN_ID",
    "jr_456",
    "--job-bookmark-option",
    "job-bookmark-enable",
    "--TempDir",
    "s3://tmp-bucket/glue/",
    "--JOB_NAME",
    "orders_daily",
    "--input_path",
    "s3://raw-bucket/orders/",
    "--day=2024-01-01",
    "--enable-metrics",
    "true",
    "--unrequested",
    "ignored",
]


def test_resolves_requested_and_reserved_options() -> None:
    args = getResolvedOptions(GLUE_ARGV, ["JOB_NAME", "input_path", "day"])
    assert args == {
        "JOB_NAME": "orders_daily",
        "input_path": "s3://raw-bucket/orders/",
        "day": "2024-01-01",
        "job_bookmark_option": "job-bookmark-enable",
        "JOB_ID": "j_123",
        "JOB_RUN_ID": "jr_456",
        "SECURITY_CONFIGURATION": None,
        "encryption_type": None,
        "TempDir": "s3://tmp-bucket/glue/",
        "RedshiftTempDir": "s3://tmp-bucket/glue/",
        "job_bookmark_from": None,
        "job_bookmark_to": None,
    }


def test_defaults_when_glue_passes_nothing_extra() -> None:
    args = getResolvedOptions(["script.py", "--x", "1"], ["x"])
    assert args["x"] == "1"
    assert args["job_bookmark_option"] == "job-bookmark-disable"
    assert args["JOB_RUN_ID"] is None and args["TempDir"] is None
    assert "JOB_NAME" not in args  # only when asked for


def test_dashes_become_underscores_and_prefixes_match() -> None:
    # argparse's rules, which Glue inherits
    args = getResolvedOptions(["s.py", "--input-path", "a", "--out", "b"], ["input-path", "output"])
    assert args["input_path"] == "a" and args["output"] == "b"
    assert "input-path" not in args


def test_redshift_temp_dir_mirrors_to_temp_dir() -> None:
    args = getResolvedOptions(["s.py", "--RedshiftTempDir", "s3://t-bucket/r/"], ["TempDir"])
    assert args["TempDir"] == args["RedshiftTempDir"] == "s3://t-bucket/r/"


@pytest.mark.parametrize(
    ("continuation", "bookmark"),
    [
        ("continuation-enabled", "job-bookmark-enable"),
        ("continuation-readonly", "job-bookmark-pause"),
        ("continuation-ignore", "job-bookmark-disable"),
    ],
)
def test_old_continuation_option_translates(continuation: str, bookmark: str) -> None:
    argv = ["s.py", "--continuation-option", continuation]
    if bookmark == "job-bookmark-pause":
        argv += ["--job-bookmark-from", "r1", "--job-bookmark-to", "r2"]
    args = getResolvedOptions(argv, [])
    assert args["job_bookmark_option"] == bookmark
    assert "continuation_option" not in args


def test_bookmark_option_wins_over_continuation_option() -> None:
    argv = ["s.py", "--continuation-option", "continuation-enabled"]
    argv += ["--job-bookmark-option", "job-bookmark-disable"]
    assert getResolvedOptions(argv, [])["job_bookmark_option"] == "job-bookmark-disable"


def test_missing_required_options_are_listed() -> None:
    with pytest.raises(GlueArgumentError) as raised:
        getResolvedOptions(["s.py", "--JOB_NAME", "n"], ["JOB_NAME", "input_path", "day"])
    assert str(raised.value) == "the following arguments are required: --input_path, --day"


def test_option_without_value() -> None:
    with pytest.raises(GlueArgumentError, match=r"^argument --input_path: expected one argument$"):
        getResolvedOptions(["s.py", "--input_path"], ["input_path"])


def test_invalid_bookmark_option() -> None:
    with pytest.raises(GlueArgumentError) as raised:
        getResolvedOptions(["s.py", "--job-bookmark-option", "on"], [])
    assert str(raised.value).startswith("argument --job-bookmark-option: invalid choice: 'on'")
    assert "'job-bookmark-enable', 'job-bookmark-pause', 'job-bookmark-disable'" in str(
        raised.value
    )


def test_invalid_continuation_and_encryption_options() -> None:
    with pytest.raises(GlueArgumentError, match="argument --continuation-option: invalid choice"):
        getResolvedOptions(["s.py", "--continuation-option", "yes"], [])
    with pytest.raises(GlueArgumentError, match="argument --encryption-type: invalid choice"):
        getResolvedOptions(["s.py", "--encryption-type", "kms"], [])
    assert getResolvedOptions(["s.py", "--encryption-type", "sse-s3"], [])["encryption_type"] == (
        "sse-s3"
    )


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("job-bookmark-option", "Using reserved arguments job-bookmark-option"),
        ("continuation-option", "Using reserved arguments continuation-option"),
        ("job-bookmark-from", "Using reserved arguments --job-bookmark-from"),
        ("job-bookmark-to", "Using reserved arguments --job-bookmark-to"),
        ("JOB_ID", "Using reserved arguments --JOB_ID"),
        ("JOB_RUN_ID", "Using reserved arguments --JOB_RUN_ID"),
        ("SECURITY_CONFIGURATION", "Using reserved arguments --SECURITY_CONFIGURATION"),
        ("encryption-type", "Using reserved arguments --encryption-type"),
    ],
)
def test_reserved_options_cannot_be_requested(option: str, message: str) -> None:
    with pytest.raises(RuntimeError) as raised:
        getResolvedOptions(GLUE_ARGV, ["JOB_NAME", option])
    assert str(raised.value) == message


def test_bookmark_range_needs_both_ends_when_paused() -> None:
    paused = ["s.py", "--job-bookmark-option", "job-bookmark-pause"]
    with pytest.raises(RuntimeError, match=r"^Missing option or value for --job-bookmark-to$"):
        getResolvedOptions([*paused, "--job-bookmark-from", "jr_1"], [])
    with pytest.raises(RuntimeError, match=r"^Missing option or value for --job-bookmark-from$"):
        getResolvedOptions([*paused, "--job-bookmark-to", "jr_2"], [])
    args = getResolvedOptions([*paused, "--job-bookmark-from", "a", "--job-bookmark-to", "b"], [])
    assert (args["job_bookmark_from"], args["job_bookmark_to"]) == ("a", "b")
    assert getResolvedOptions(paused, [])["job_bookmark_option"] == "job-bookmark-pause"


def test_bookmark_range_is_invalid_unless_paused() -> None:
    argv = ["s.py", "--job-bookmark-from", "a", "--job-bookmark-to", "b"]
    with pytest.raises(RuntimeError) as raised:
        getResolvedOptions(argv, [])
    assert str(raised.value) == "Invalid option(s)--job-bookmark-from --job-bookmark-to"
    # one end alone is accepted (and ignored) outside pause mode
    assert getResolvedOptions(argv[:3], [])["job_bookmark_from"] == "a"


def test_awsglue_is_only_importable_inside_jobs(run_job: Any, tmp_path: Path) -> None:
    assert importlib.util.find_spec("awsglue") is None
    result = run_job(
        """
        import sys
        import awsglue
        from awsglue.utils import getResolvedOptions
        args = getResolvedOptions(sys.argv, ["JOB_NAME", "day"])
        print(args["JOB_NAME"], args["day"], args["job_bookmark_option"], awsglue.__file__)
        """,
        {"--day": "2024-01-01"},
        engine="python",
    )
    assert result.status == "SUCCEEDED", result.error_message
    line = result.stdout_path.read_text().strip()
    assert line.startswith("orders_job 2024-01-01 job-bookmark-disable ")
    assert line.endswith("stepline/jobs/shim/awsglue/__init__.py")
