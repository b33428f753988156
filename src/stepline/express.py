"""EXPRESS executions: run in this process, start to end, with no stored history.

AWS runs an Express workflow for at most five minutes and keeps no execution record:
``StartSyncExecution`` answers with the result, ``StartExecution`` answers at once and the
run goes on in the background (DescribeExecution, GetExecutionHistory, StopExecution and
ListExecutions do not take Express executions). The only trace is what the machine's
``loggingConfiguration`` sends to its log group (``stepline.express_logs``).

Background runs live in this process: a run in flight when the process stops is lost
(AWS runs async Express executions at least once; stepline at most once).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import random
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from stepline.asl.dataflow import to_json_text
from stepline.asl.model import StateMachine
from stepline.engine.records import ExecutionInfo
from stepline.express_logs import LogFiles, log_group_name, log_records
from stepline.integrations.base import Registry
from stepline.runtime.local import LocalRun
from stepline.service import Service
from stepline.store.records import StateMachineRecord

MAX_SECONDS: Final = 300  # AWS: an Express execution runs for at most five minutes
_LOG: Final = logging.getLogger("stepline.express")


class NotExpress(Exception):
    """AWS: StateMachineTypeNotSupported (StartSyncExecution of a STANDARD machine)."""


@dataclass(frozen=True, slots=True)
class ExpressRun:
    """An Express execution: as started (status RUNNING) or as it ended."""

    arn: str
    state_machine_arn: str
    name: str
    input: str
    start_date: datetime
    status: str = "RUNNING"
    stop_date: datetime | None = None
    output: str | None = None
    error: str | None = None
    cause: str | None = None


@dataclass(frozen=True, slots=True)
class _Prepared:
    run: ExpressRun
    machine: StateMachine
    record: StateMachineRecord
    info: ExecutionInfo


def is_express(record: StateMachineRecord) -> bool:
    return record.type == "EXPRESS"


class Express:
    def __init__(
        self,
        service: Service,
        registry: Registry,
        logs: LogFiles | None = None,
        threads: int = 32,
    ) -> None:
        self.service = service
        self.registry = registry
        self.logs = logs
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="stepline-express")

    def run(
        self, state_machine: str, input_text: str = "{}", name: str | None = None
    ) -> ExpressRun:
        """StartSyncExecution: run to the end and return how it ended."""
        return self._finish(self._prepare(state_machine, input_text, name))

    def start(
        self, state_machine: str, input_text: str = "{}", name: str | None = None
    ) -> ExpressRun:
        """StartExecution of an EXPRESS machine: run in the background."""
        prepared = self._prepare(state_machine, input_text, name)
        self._pool.submit(self._background, prepared)
        return prepared.run

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    # ---- one run ----------------------------------------------------------------------------

    def _prepare(self, state_machine: str, input_text: str, name: str | None) -> _Prepared:
        service = self.service
        target = service.versions.resolve(state_machine)
        record = target.machine
        if not is_express(record):
            raise NotExpress(f"State machine type is not supported: '{record.arn}' is STANDARD")
        machine, _ = service.definitions.get(record.arn, target.revision_id, target.definition)
        limit = machine.timeout_seconds
        machine = dataclasses.replace(
            machine, timeout_seconds=MAX_SECONDS if limit is None else min(limit, MAX_SECONDS)
        )
        name = name or str(uuid.uuid4())
        account = service.account
        arn = (
            f"arn:aws:states:{account.region}:{account.account}:express:"
            f"{record.name}:{name}:{uuid.uuid4()}"
        )
        now = service.clock.now()
        info = ExecutionInfo(
            execution_arn=arn,
            name=name,
            state_machine_arn=record.arn,
            state_machine_name=record.name,
            input=json.loads(input_text),
            start_time=now,
            role_arn=target.role_arn,
            region=account.region,
            version_arn=target.version_arn,
            alias_arn=target.alias_arn,
        )
        run = ExpressRun(arn, record.arn, name, input_text, now)
        return _Prepared(run, machine, record, info)

    def _background(self, prepared: _Prepared) -> None:
        try:
            self._finish(prepared)
        except Exception:  # a background run has no caller to tell
            _LOG.exception("express execution %s failed to run", prepared.run.arn)

    def _finish(self, prepared: _Prepared) -> ExpressRun:
        runner = LocalRun(prepared.machine, self.registry, self.service.clock, random.Random())
        try:
            final = runner.run(prepared.info)
        except Exception as exc:  # AWS: an execution that cannot go on fails
            ended = dataclasses.replace(
                prepared.run,
                status="FAILED",
                stop_date=self.service.clock.now(),
                error="States.Runtime",
                cause=f"{type(exc).__name__}: {exc}",
            )
        else:
            ended = dataclasses.replace(
                prepared.run,
                status=final.status,
                stop_date=runner.history[-1].timestamp if runner.history else None,
                output=to_json_text(final.output) if final.status == "SUCCEEDED" else None,
                error=final.error,
                cause=final.cause,
            )
        self._log(prepared, runner)
        return ended

    def _log(self, prepared: _Prepared, runner: LocalRun) -> None:
        configuration: dict[str, Any] = json.loads(prepared.record.logging or "{}")
        destinations = configuration.get("destinations") or []
        if self.logs is None or not destinations or configuration.get("level", "OFF") == "OFF":
            return
        group_arn = destinations[0].get("cloudWatchLogsLogGroup", {}).get("logGroupArn", "")
        try:
            records = log_records(runner.history, configuration, prepared.run.arn)
            self.logs.write(log_group_name(group_arn), records)
        except (ValueError, OSError) as exc:  # logging never fails the execution
            _LOG.warning("cannot log express execution %s: %s", prepared.run.arn, exc)


__all__ = ["MAX_SECONDS", "Express", "ExpressRun", "NotExpress", "is_express"]
