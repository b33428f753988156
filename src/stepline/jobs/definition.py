"""Glue job definitions: the members of CreateJob / UpdateJob's ``JobUpdate`` checked, with
Glue's defaults filled in (what GetJob returns), and the typed view the runs work with.

Pure: no I/O. Members stepline stores but does not use (Connections, NotificationProperty,
SecurityConfiguration, ...) are kept as given, so GetJob returns them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from stepline.jobs.faults import InvalidInput

# AWS: the members of JobUpdate (CreateJob's, without Name and Tags), GetJob's Job shape.
JOB_MEMBERS: Final = (
    "JobMode",
    "JobRunQueuingEnabled",
    "Description",
    "LogUri",
    "Role",
    "ExecutionProperty",
    "Command",
    "DefaultArguments",
    "NonOverridableArguments",
    "Connections",
    "MaxRetries",
    "AllocatedCapacity",
    "Timeout",
    "MaxCapacity",
    "SecurityConfiguration",
    "NotificationProperty",
    "GlueVersion",
    "NumberOfWorkers",
    "WorkerType",
    "CodeGenConfigurationNodes",
    "ExecutionClass",
    "SourceControlDetails",
    "MaintenanceWindow",
)
COMMANDS: Final = ("glueetl", "pythonshell")
# AWS: "When the value is left blank, the timeout is defaulted to 2880 minutes" (Glue 4.0
# and earlier; 480 from Glue 5.0); "Jobs must have timeout values less than 7 days or 10080
# minutes".
DEFAULT_TIMEOUT: Final = 2880
GLUE5_TIMEOUT: Final = 480
MAX_TIMEOUT: Final = 10080
DEFAULT_MAX_CONCURRENT_RUNS: Final = 1  # AWS: ExecutionProperty.MaxConcurrentRuns
BOOKMARK_OPTIONS: Final = ("job-bookmark-enable", "job-bookmark-pause", "job-bookmark-disable")
_NAME: Final = re.compile(r"[\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff\t]{1,255}")


def check_job_name(name: object, where: str = "JobName") -> str:
    """A job name as Glue's NameString allows it (1 to 255 characters of one line)."""
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise InvalidInput(f"{where} must be 1 to 255 characters on one line, got {name!r}")
    return name


def normalized(members: Mapping[str, Any], where: str) -> dict[str, Any]:
    """The definition to store for ``members`` (CreateJob's, or UpdateJob's JobUpdate, named
    ``where`` in messages): the Job members given, checked, with Glue's defaults."""
    job = {name: members[name] for name in JOB_MEMBERS if members.get(name) is not None}
    role = job.get("Role")
    if not isinstance(role, str) or not role:
        raise InvalidInput(f"{where}.Role is required (an IAM role name or ARN)")
    job["Command"] = _command(job.get("Command"), f"{where}.Command")
    for name in ("DefaultArguments", "NonOverridableArguments"):
        if name in job:
            job[name] = string_map(job[name], f"{where}.{name}")
    job["MaxRetries"] = _whole(job.get("MaxRetries", 0), f"{where}.MaxRetries", 0, None)
    default_timeout = glue5_default(job.get("GlueVersion"))
    job["Timeout"] = check_timeout(job.get("Timeout", default_timeout), f"{where}.Timeout")
    execution = job.get("ExecutionProperty", {})
    if not isinstance(execution, Mapping):
        raise InvalidInput(f"{where}.ExecutionProperty must be an object")
    limit = execution.get("MaxConcurrentRuns", DEFAULT_MAX_CONCURRENT_RUNS)
    where_limit = f"{where}.ExecutionProperty.MaxConcurrentRuns"
    job["ExecutionProperty"] = {"MaxConcurrentRuns": _whole(limit, where_limit, 1, None)}
    check_workers(job.get("WorkerType"), job.get("NumberOfWorkers"), where)
    if "JobRunQueuingEnabled" in job and not isinstance(job["JobRunQueuingEnabled"], bool):
        raise InvalidInput(f"{where}.JobRunQueuingEnabled must be true or false")
    option = job.get("DefaultArguments", {}).get("--job-bookmark-option")
    if option is not None:
        check_bookmark_option(option, f"{where}.DefaultArguments")
    return job


def glue5_default(glue_version: object) -> int:
    """The default Timeout for a job of that GlueVersion."""
    if glue_version == "auto":
        return GLUE5_TIMEOUT
    if isinstance(glue_version, str):
        major = glue_version.partition(".")[0]
        if major.isdigit() and int(major) >= 5:
            return GLUE5_TIMEOUT
    return DEFAULT_TIMEOUT


def check_timeout(value: object, where: str) -> int:
    return _whole(value, where, 1, MAX_TIMEOUT)


def check_workers(worker_type: object, workers: object, where: str) -> None:
    # AWS: WorkerType and NumberOfWorkers go together.
    if (worker_type is None) != (workers is None):
        raise InvalidInput(f"{where}: give WorkerType and NumberOfWorkers together, or neither")
    if workers is not None:
        _whole(workers, f"{where}.NumberOfWorkers", 1, None)


def check_bookmark_option(value: object, where: str) -> str:
    if value not in BOOKMARK_OPTIONS:
        raise InvalidInput(
            f"{where}: --job-bookmark-option must be one of {', '.join(BOOKMARK_OPTIONS)},"
            f" got {value!r}"
        )
    return str(value)


def string_map(value: object, where: str) -> dict[str, str]:
    """A Glue GenericMap: an object of strings."""
    if not isinstance(value, Mapping):
        raise InvalidInput(f"{where} must be an object of strings")
    for key, item in value.items():
        if not isinstance(key, str) or not key:
            raise InvalidInput(f"{where} has an empty or non-string key")
        if not isinstance(item, str):
            raise InvalidInput(f"{where}[{key!r}] must be a string, got {item!r}")
    return dict(value)


def _command(value: object, where: str) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise InvalidInput(f"{where} is required: {{Name, ScriptLocation, PythonVersion}}")
    command = {key: item for key, item in value.items() if item is not None}
    name = command.setdefault("Name", "glueetl")
    if name not in COMMANDS:
        raise InvalidInput(
            f"{where}.Name must be one of {', '.join(COMMANDS)} (the jobs stepline runs),"
            f" got {name!r}"
        )
    location = command.get("ScriptLocation")
    if not isinstance(location, str) or not location.strip():
        raise InvalidInput(f"{where}.ScriptLocation is required: s3://BUCKET/KEY or a path")
    version = command.get("PythonVersion")
    if version is not None and version not in ("3", "3.9"):
        raise InvalidInput(f"{where}.PythonVersion must be 3 (or 3.9), got {version!r}")
    return command


def _whole(value: object, where: str, low: int | None, high: int | None) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidInput(f"{where} must be a whole number, got {value!r}")
    if (low is not None and value < low) or (high is not None and value > high):
        bounds = f"at least {low}" if high is None else f"{low} to {high}"
        raise InvalidInput(f"{where} must be {bounds}, got {value}")
    return value


@dataclass(frozen=True)
class JobDefinition:
    """What running a job needs from its (normalized) definition."""

    role: str
    command: str  # "glueetl" | "pythonshell"
    script_location: str
    default_arguments: Mapping[str, str]
    non_overridable_arguments: Mapping[str, str]
    max_retries: int
    timeout: int  # minutes
    max_concurrent_runs: int
    worker_type: str | None = None
    number_of_workers: int | None = None
    glue_version: str | None = None
    queuing: bool = False

    @classmethod
    def from_json(cls, text: str) -> JobDefinition:
        job = json.loads(text)
        command = job["Command"]
        return cls(
            role=job["Role"],
            command=command["Name"],
            script_location=command["ScriptLocation"],
            default_arguments=job.get("DefaultArguments", {}),
            non_overridable_arguments=job.get("NonOverridableArguments", {}),
            max_retries=job["MaxRetries"],
            timeout=job["Timeout"],
            max_concurrent_runs=job["ExecutionProperty"]["MaxConcurrentRuns"],
            worker_type=job.get("WorkerType"),
            number_of_workers=job.get("NumberOfWorkers"),
            glue_version=job.get("GlueVersion"),
            queuing=bool(job.get("JobRunQueuingEnabled", False)),
        )

    def arguments_for(self, arguments: Mapping[str, str]) -> dict[str, str]:
        """A run's effective arguments: its own over the job's defaults; the job's
        NonOverridableArguments win over both."""
        return {**self.default_arguments, **arguments, **self.non_overridable_arguments}
