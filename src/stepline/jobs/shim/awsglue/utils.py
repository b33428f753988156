"""``awsglue.utils.getResolvedOptions``: Glue's argument parsing, with Glue's errors.

# AWS: behaviour of aws-glue-libs' getResolvedOptions (argparse based):
# - every requested option is a required ``--NAME`` argument, given as ``--NAME value`` or
#   ``--NAME=value``; unknown arguments are ignored; argparse's unique-prefix matching and
#   its "-" -> "_" key conversion apply (so ``input-path`` comes back as ``input_path``);
# - parse errors raise GlueArgumentError with argparse's message (never sys.exit);
# - asking for a reserved name raises RuntimeError("Using reserved arguments ...");
# - ``job_bookmark_option`` is always present: --job-bookmark-option, else the old
#   --continuation-option translated, else "job-bookmark-disable";
# - JOB_ID, JOB_RUN_ID, SECURITY_CONFIGURATION, encryption_type, TempDir, RedshiftTempDir,
#   job_bookmark_from and job_bookmark_to are always present (None when not passed);
#   TempDir and RedshiftTempDir mirror each other;
# - --job-bookmark-from/--job-bookmark-to: both or neither with job-bookmark-pause, and
#   never both otherwise.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any, NoReturn

from .job import Job


class GlueArgumentError(Exception):
    """A job argument is missing or has a value Glue does not accept."""


class _GlueArgumentParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise GlueArgumentError(message)


def _bare(option: str) -> str:
    return option[2:] if option.startswith("--") else option


def getResolvedOptions(args: Sequence[str], options: Sequence[str]) -> dict[str, Any]:
    """Parse the job's ``sys.argv`` (``args``) for ``options``; returns name -> value."""
    wanted = list(options)
    parser = _GlueArgumentParser()
    bookmark, *bookmark_choices = Job.job_bookmark_options()
    continuation, *continuation_choices = Job.continuation_options()
    for reserved in (continuation, bookmark):
        if _bare(reserved) in wanted:
            raise RuntimeError(f"Using reserved arguments {_bare(reserved)}")
    parser.add_argument(bookmark, choices=bookmark_choices, required=False)
    parser.add_argument(continuation, choices=continuation_choices, required=False)
    for reserved in (*Job.job_bookmark_range_options(), *Job.id_params()[1:]):
        if _bare(reserved) in wanted:
            raise RuntimeError(f"Using reserved arguments {reserved}")
        parser.add_argument(reserved, required=False)
    encryption, *encryption_choices = Job.encryption_type_options()
    if _bare(encryption) in wanted:
        raise RuntimeError(f"Using reserved arguments {encryption}")
    parser.add_argument(encryption, choices=encryption_choices)
    wanted = [name for name in wanted if name not in {"RedshiftTempDir", "TempDir"}]
    parser.add_argument("--RedshiftTempDir", required=False)
    parser.add_argument("--TempDir", required=False)
    for name in wanted:
        parser.add_argument(f"--{name}", required=True)

    parsed, _unknown = parser.parse_known_args(list(args[1:]))
    resolved: dict[str, Any] = vars(parsed)

    if resolved.get("TempDir") is not None:
        resolved["RedshiftTempDir"] = resolved["TempDir"]
    elif resolved.get("RedshiftTempDir") is not None:
        resolved["TempDir"] = resolved["RedshiftTempDir"]

    old_style = resolved.pop("continuation_option", None)
    if resolved.get("job_bookmark_option") is None:
        if old_style is None:
            resolved["job_bookmark_option"] = "job-bookmark-disable"
        else:
            index = continuation_choices.index(old_style)
            resolved["job_bookmark_option"] = bookmark_choices[index]

    absent = [
        option
        for option in Job.job_bookmark_range_options()
        if resolved.get(_bare(option).replace("-", "_")) is None
    ]
    if resolved["job_bookmark_option"] == "job-bookmark-pause":
        if len(absent) == 1:
            raise RuntimeError(f"Missing option or value for {absent[0]}")
    elif not absent:
        raise RuntimeError("Invalid option(s)" + " ".join(Job.job_bookmark_range_options()))
    return resolved
