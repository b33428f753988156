"""Quality gates as Task states (stepline's own resources; AWS has no such integration):

* ``arn:aws:states:::stepline:quality`` and the Lambda-style function
  ``arn:aws:lambda:<region>:<account>:function:stepline-quality`` run a ruleset;
* ``arn:aws:states:::stepline:quality.quarantine`` / ``...:quality.release`` move a
  partition into quarantine and back.

Parameters of a run: ``{"dataset"?, "table" | "path", "partition"?, "ruleset" (DQDL text or a
file) | "checks" (a .sql file), "profile"? (name or {"min_score", "must_pass"}),
"profiles_file"?, "references"? ({alias: table or path})}``; the output is the run's answer
(stepline.quality.run). FAIL is an output, not a task failure, so a Choice can branch on
``$.status`` or ``$.quality_score``; a bad request fails the task with ``Quality.*`` errors
(Quality.InvalidRuleset, Quality.InvalidChecks, Quality.InvalidProfile, Quality.InvalidTarget,
Quality.TableNotFound, Quality.PartitionNotFound, Quality.PathNotFound,
Quality.AlreadyQuarantined, Quality.InvalidParameters).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from stepline.asl.errors import Json
from stepline.integrations.base import Handler, TaskFailure, TaskRequest
from stepline.pipelines.ledger import partition_value
from stepline.quality.quarantine import Quarantine
from stepline.quality.run import QualityError, QualityRequest, QualityRunner
from stepline.quality.target import Target, TargetError
from stepline.store.ledger_records import NoteKind

RUN: Final = "arn:aws:states:::stepline:quality"
QUARANTINE: Final = "arn:aws:states:::stepline:quality.quarantine"
RELEASE: Final = "arn:aws:states:::stepline:quality.release"
FUNCTION_NAME: Final = "stepline-quality"
_RUN_FIELDS: Final = frozenset(
    {"dataset", "table", "path", "partition", "ruleset", "checks", "profile", "profiles_file",
     "references"}
)  # fmt: skip
_MOVE_FIELDS: Final = frozenset({"dataset", "table", "path", "partition", "reason"})
# (dataset, partition, "quarantine" | "release", detail): the partition ledger is told.
Noter = Callable[[str, str, NoteKind, str], None]


def _strings(params: dict[str, Any], names: tuple[str, ...], state: str) -> dict[str, str]:
    found = {}
    for name in names:
        value = params.get(name)
        if value is None:
            continue
        if not isinstance(value, str) or not value:
            raise TaskFailure(
                "Quality.InvalidParameters",
                f"'{name}' must be a non-empty string (state '{state}')",
            )
        found[name] = value
    return found


def _failure(code: str, message: str, request: TaskRequest) -> TaskFailure:
    return TaskFailure(code, f"{message} (state '{request.state_name}')")


def _params(request: TaskRequest, allowed: frozenset[str]) -> dict[str, Any]:
    params = request.parameters
    if not isinstance(params, dict):
        raise TaskFailure(
            "Quality.InvalidParameters",
            f"the parameters must be an object (state '{request.state_name}')",
        )
    unknown = sorted(set(params) - allowed)
    if unknown:
        raise TaskFailure(
            "Quality.InvalidParameters",
            f"unknown parameter(s) {unknown}; expected some of {sorted(allowed)}"
            f" (state '{request.state_name}')",
        )
    return params


class Quality:
    """Answers the quality resources; ``runner`` and ``quarantine`` are made when first used."""

    def __init__(
        self,
        runner: Callable[[], QualityRunner],
        quarantine: Callable[[], Quarantine],
        noted: Noter | None = None,
    ) -> None:
        """``noted``: told of each quarantine and release that names its ``dataset``."""
        self.runner = runner
        self.mover = quarantine
        self.noted = noted

    def handler_for(self, resource: str) -> Handler | None:
        if resource == RUN:
            return self._run
        if resource in (QUARANTINE, RELEASE):
            return self._move
        parts = resource.split(":")
        if len(parts) == 7 and parts[2] == "lambda" and parts[5] == "function":
            return self._run if parts[6] == FUNCTION_NAME else None
        return None

    def _run(self, request: TaskRequest) -> Json:
        params = _params(request, _RUN_FIELDS)
        text = _strings(
            params,
            ("dataset", "table", "path", "partition", "ruleset", "checks", "profiles_file"),
            request.state_name,
        )
        references = params.get("references") or {}
        if not isinstance(references, dict) or not all(
            isinstance(v, str) for v in references.values()
        ):
            raise TaskFailure(
                "Quality.InvalidParameters",
                f"'references' must map aliases to table names or paths"
                f" (state '{request.state_name}')",
            )
        quality_request = QualityRequest(
            target=Target(text.get("table"), text.get("path"), text.get("partition")),
            dataset=text.get("dataset"),
            ruleset=text.get("ruleset"),
            checks=text.get("checks"),
            profile=params.get("profile"),
            profiles_file=text.get("profiles_file"),
            references=references,
        )
        try:
            return self.runner().run(quality_request)
        except QualityError as error:
            raise TaskFailure(
                error.code, f"{error.message} (state '{request.state_name}')"
            ) from None

    def _move(self, request: TaskRequest) -> Json:
        params = _params(request, _MOVE_FIELDS)
        names = ("dataset", "table", "path", "partition", "reason")
        text = _strings(params, names, request.state_name)
        target = Target(text.get("table"), text.get("path"), text.get("partition"))
        try:
            if request.resource == QUARANTINE:
                moved = self.mover().quarantine(target, text.get("reason", ""))
            else:
                moved = self.mover().release(target)
        except TargetError as error:
            raise TaskFailure(
                error.code, f"{error.message} (state '{request.state_name}')"
            ) from None
        except OSError as error:
            raise TaskFailure("Quality.MoveFailed", f"{target.describe()}: {error}") from None
        dataset, partition = text.get("dataset"), text.get("partition")
        if self.noted is not None and dataset and partition:
            kind: NoteKind = "quarantine" if request.resource == QUARANTINE else "release"
            self.noted(dataset, partition_value(partition), kind, text.get("reason", ""))
        return moved.to_json()


def for_service(service: Any) -> Quality:
    """The integration over a Service's store, clock and lake (its ``data_root``, else the
    default one)."""
    from stepline.athena.catalog import LakeCatalog
    from stepline.lake import LakePaths, default_data_root

    def lake() -> LakePaths:
        return LakePaths(service.data_root or default_data_root())

    def noted(dataset: str, partition: str, kind: NoteKind, detail: str) -> None:
        from stepline.pipelines.service import Pipelines

        Pipelines(service).note(dataset, partition, kind, detail=detail)

    return Quality(
        lambda: QualityRunner(service.store, lake(), service.clock),
        lambda: Quarantine(LakeCatalog(service.store, service.clock), lake(), service.clock),
        noted,
    )
