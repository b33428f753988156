"""``[functions]``, ``[jobs.<name>]``, ``[queues.<name>]`` and ``[topics.<name>]``."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Final

from stepline.jobs.definition import COMMANDS, normalized
from stepline.jobs.faults import JobsError
from stepline.jobs.job_runner import ENGINE_ARGUMENT, ETL_ENGINES
from stepline.lake.paths import is_s3_url
from stepline.notifications import checks
from stepline.notifications.errors import NotificationError
from stepline.project.reader import Section, kind
from stepline.project.specs import FunctionSpec, JobSpec, QueueSpec, Subscription, TopicSpec
from stepline.queues import attributes as queue_attributes
from stepline.queues.errors import QueueError

DEFAULT_ROLE: Final = "arn:aws:iam::123456789012:role/stepline"
JOB_KEYS: Final = (
    "script",
    "command",
    "engine",
    "arguments",
    "max_concurrent_runs",
    "timeout",
    "max_retries",
    "role",
    "description",
    "glue_version",
    "bookmarks",
    "tags",
)
BOOKMARKS: Final = ("enable", "disable", "pause")
QUEUE_KEYS: Final = ("attributes", "dead_letter", "max_receive_count", "fifo", "tags")
_TARGET: Final = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$")


def functions(section: Section) -> tuple[FunctionSpec, ...]:
    found: list[FunctionSpec] = []
    for name, target in section.data.items():
        if not isinstance(target, str) or not _TARGET.fullmatch(target):
            shown = repr(target) if isinstance(target, str) else kind(target)
            raise section.error(name, f'must be "module:function", got {shown}')
        found.append(FunctionSpec(name, target))
    return tuple(found)


def jobs(section: Section, root: Path) -> tuple[JobSpec, ...]:
    return tuple(_job(name, job, root) for name, job in section.children())


def _job(name: str, job: Section, root: Path) -> JobSpec:
    job.check_keys(JOB_KEYS)
    script = job.string("script")
    if not is_s3_url(script):
        script = str(job.path("script", root, (".py",))[1])
    command = job.string("command", "glueetl", COMMANDS)
    arguments = {
        (key if key.startswith("--") else f"--{key}"): value
        for key, value in job.string_map("arguments").items()
    }
    engine = job.optional_string("engine", ETL_ENGINES)
    if engine is not None:
        if command != "glueetl":
            raise job.error(
                "engine", "only glueetl jobs have an engine (pythonshell: plain Python)"
            )
        arguments[ENGINE_ARGUMENT] = engine
    bookmarks = job.optional_string("bookmarks", BOOKMARKS)
    if bookmarks is not None:
        arguments["--job-bookmark-option"] = f"job-bookmark-{bookmarks}"
    members: dict[str, Any] = {
        "Role": job.string("role", DEFAULT_ROLE),
        "Command": {"Name": command, "ScriptLocation": script},
    }
    optional: dict[str, Any] = {
        "DefaultArguments": arguments or None,
        "Description": job.optional_string("description"),
        "GlueVersion": job.optional_string("glue_version"),
        "Timeout": job.integer("timeout", low=1),
        "MaxRetries": job.integer("max_retries", low=0),
    }
    limit = job.integer("max_concurrent_runs", low=1)
    if limit is not None:
        optional["ExecutionProperty"] = {"MaxConcurrentRuns": limit}
    members.update({k: v for k, v in optional.items() if v is not None})
    try:
        normalized(members, f"[jobs.{name}]")
    except JobsError as exc:
        raise job.error(None, exc.message) from None
    return JobSpec(name, script, members, job.string_map("tags"))


def queues(section: Section) -> tuple[QueueSpec, ...]:
    found: list[QueueSpec] = []
    names = set(section.data)
    for name, queue in section.children():
        queue.check_keys(QUEUE_KEYS)
        given = queue.string_map("attributes")
        if "RedrivePolicy" in given:
            raise queue.error(
                "attributes",
                "give dead_letter (a queue of this project) and"
                " max_receive_count instead of RedrivePolicy",
            )
        fifo = queue.boolean("fifo", name.endswith(".fifo"))
        if fifo:
            given["FifoQueue"] = "true"
        try:
            queue_attributes.check_queue_name(name, fifo)
            wanted = queue_attributes.normalized(given, creating=True)
        except QueueError as exc:
            raise queue.error(None, exc.message) from None
        dead_letter = queue.optional_string("dead_letter")
        if dead_letter is not None and (dead_letter not in names or dead_letter == name):
            raise queue.error(
                "dead_letter",
                f"{dead_letter!r} is not another queue of this project"
                f" (queues: {', '.join(sorted(names - {name})) or 'none'})",
            )
        count = queue.integer("max_receive_count", 10, 1, 1000)
        assert count is not None
        found.append(QueueSpec(name, wanted, dead_letter, count, queue.string_map("tags")))
    # dead-letter queues first: a queue's RedrivePolicy names an existing queue
    return tuple(sorted(found, key=lambda q: _depth(q, {s.name: s for s in found})))


def _depth(queue: QueueSpec, by_name: dict[str, QueueSpec]) -> int:
    depth, seen = 0, {queue.name}
    while queue.dead_letter is not None and queue.dead_letter not in seen:
        seen.add(queue.dead_letter)
        queue = by_name[queue.dead_letter]
        depth += 1
    return depth


def topics(section: Section) -> tuple[TopicSpec, ...]:
    found: list[TopicSpec] = []
    for name, topic in section.children():
        topic.check_keys(("subscriptions",))
        try:
            checks.topic_name(name)
        except NotificationError as error:
            raise topic.error(None, error.message) from None
        subscriptions: list[Subscription] = []
        for item in topic.tables("subscriptions"):
            item.check_keys(("protocol", "endpoint"))
            protocol = item.string("protocol", choices=checks.PROTOCOLS)
            try:  # as the store keeps it (a file path made absolute), so plans compare
                endpoint = checks.endpoint(protocol, item.optional_string("endpoint"))
            except NotificationError as error:
                raise item.error("endpoint", error.message) from None
            subscriptions.append(Subscription(protocol, endpoint))
        ordered = sorted(set(subscriptions), key=lambda s: (s.protocol, s.endpoint))
        found.append(TopicSpec(name, tuple(ordered)))
    return tuple(found)
