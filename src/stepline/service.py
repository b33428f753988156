"""Use cases over a durable Store: state machines, executions, their steps.

The CLI (and later the HTTP API and the console) call these; the worker calls ``apply``.
Every change to an execution is one engine step written by one guarded ``Store.append``:
the engine's new state, its history events, and its commands turned into work items.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import random
import threading
import uuid
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from stepline.aliases import Aliases
from stepline.arns import Account
from stepline.asl.errors import DefinitionError
from stepline.asl.express_rules import load_as
from stepline.asl.model import StateMachine
from stepline.athena import ApiError, QueryEngine
from stepline.catalog_checks import check_version_description
from stepline.definitions import Definitions
from stepline.deletion import Deletion, terminated
from stepline.engine.codec import decode_state, encode_state
from stepline.engine.interpreter import advance, waits_for
from stepline.engine.records import (
    CallbackFailed,
    CallbackHeartbeat,
    CallbackSucceeded,
    CancelTask,
    ExecutionInfo,
    ExecutionState,
    Inbound,
    Redrive,
    StartExecution,
    Step,
    StopExecution,
)
from stepline.engine.tokens import parse_task_token
from stepline.integrations import athena
from stepline.integrations.glue import GlueCaller, job_runs_to_stop
from stepline.jobs.catalog import JobCatalog
from stepline.jobs.runs import JobRuns
from stepline.redrive import RedriveStatus, redrive_status
from stepline.runtime.clock import Clock
from stepline.step_work import (
    event_records,
    finished,
    step_rng,
    work_items,
)
from stepline.store.protocol import AlreadyExists, Append, NotFound, Store, VersionConflict
from stepline.store.records import (
    EventRecord,
    ExecutionRecord,
    MachineType,
    StateMachineRecord,
    Tag,
)
from stepline.tags import check_tags
from stepline.versions import Versions

_MAX_CONFLICTS = 50


class ExecutionAlreadyExists(AlreadyExists):
    """AWS: StartExecution with a name in use and a different input (or a finished run)."""


class ExecutionNotRedrivable(Exception):
    """AWS: RedriveExecution on an execution that cannot be redriven (now); the message is
    AWS's redriveStatusReason."""


class TaskDoesNotExist(NotFound):
    """AWS: no task of a running execution waits for this token (any more)."""


class Service:
    def __init__(
        self,
        store: Store,
        clock: Clock,
        account: Account | None = None,
        rng: random.Random | None = None,
        data_root: Path | None = None,
    ) -> None:
        """``rng`` draws the version of each execution started through an alias (seed it
        for repeatable draws). ``data_root``: the lake's folder (default
        ``stepline.lake.default_data_root()``), for the Athena query engine."""
        self.store = store
        self.clock = clock
        self.account = account or Account()
        arn_of = self.account.state_machine_arn
        self.versions = Versions(store, clock, arn_of, rng or random.Random())
        self.aliases = Aliases(store, clock, self.versions.ref)
        self.definitions = Definitions(store)
        self.deletion = Deletion(store, self.versions.ref)
        # Glue-style jobs and their runs; a .sync task waiting for a run is told its end.
        self.jobs = JobCatalog(store, clock)
        self.job_runs = JobRuns(store, clock, GlueCaller())
        self.data_root = data_root
        self._athena: QueryEngine | None = None
        self._athena_lock = threading.Lock()

    @property
    def athena(self) -> QueryEngine:
        """The process's Athena query engine (made on first use; ``close`` closes it)."""
        with self._athena_lock:
            if self._athena is None:
                from stepline.lake import LakePaths, default_data_root

                root = self.data_root or default_data_root()
                self._athena = QueryEngine(self.store, LakePaths(root), self.clock)
            return self._athena

    def close(self) -> None:
        """Close what this service made (the query engine); not the store."""
        with self._athena_lock:
            engine, self._athena = self._athena, None
        if engine is not None:
            engine.close()

    # ---- state machines -------------------------------------------------------------------

    def create_state_machine(
        self,
        name: str,
        definition: str,
        role_arn: str | None = None,
        publish: bool = False,
        version_description: str | None = None,
        *,
        tags: Sequence[Tag] = (),
        logging: str | None = None,
        tracing: str | None = None,
        encryption: str | None = None,
        type: MachineType = "STANDARD",
    ) -> StateMachineRecord:
        """Validate and store a definition, its tags and configurations (JSON text); raises
        DefinitionError or AlreadyExists. ``publish``: its version 1 too (``<arn>:1``)."""
        check_version_description(publish, version_description)
        machine = load_as(definition, type)
        arn = self.account.state_machine_arn(name)
        check_tags(tags, arn)
        record = StateMachineRecord(
            arn=arn,
            name=name,
            definition=definition,
            role_arn=role_arn or f"arn:aws:iam::{self.account.account}:role/stepline",
            type=type,
            created_at=self.clock.now(),
            revision_id=self.deletion.initial_revision(arn),
            logging=logging,
            tracing=tracing,
            encryption=encryption,
        )
        self.store.create_state_machine(record, tags)
        self.definitions.remember(arn, record.revision_id, machine)  # once it is stored
        if publish:
            self.versions.publish_version(arn, record.revision_id, version_description)
        return record

    def state_machine(self, name_or_arn: str) -> StateMachineRecord:
        is_arn = name_or_arn.startswith("arn:")
        arn = name_or_arn if is_arn else self.account.state_machine_arn(name_or_arn)
        record = self.store.get_state_machine(arn)
        if record is None:
            raise NotFound(f"state machine does not exist: {name_or_arn}")
        return record

    def machine(self, arn: str, revision_id: str | None = None) -> StateMachine:
        """The parsed definition of a revision of the machine (by default its latest)."""
        revision_id = revision_id or self.state_machine(arn).revision_id
        return self.definitions.get(arn, revision_id)[0]

    def _decode(self, record: ExecutionRecord) -> tuple[StateMachine, ExecutionState]:
        """The execution's state, decoded with the revision it started with, for good."""
        machine, branches = self.definitions.get(record.state_machine_arn, record.revision_id)
        return machine, decode_state(record.state, machine, branches)

    # ---- executions -----------------------------------------------------------------------

    def start_execution(
        self,
        state_machine: str,
        input_text: str = "{}",
        name: str | None = None,
        parent_token: str | None = None,
        parent_mode: str | None = None,
    ) -> ExecutionRecord:
        """AWS's StartExecution: a running execution of the same name and input is returned
        again; any other reuse of a name is ExecutionAlreadyExists. ``state_machine`` may
        name a version or an alias (ARN, or ``name:1`` / ``name:alias``)."""
        target = self.versions.resolve(state_machine)
        record = target.machine
        try:
            payload = json.loads(input_text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"execution input is not valid JSON: {exc}") from None
        name = name or str(uuid.uuid4())
        arn = self.account.execution_arn(record.name, name)
        existing = self.store.get_execution(arn)
        if existing is not None:
            if existing.status == "RUNNING" and json.loads(existing.input) == payload:
                return existing
            raise ExecutionAlreadyExists(f"Execution Already Exists: '{arn}'")
        machine, _ = self.definitions.get(record.arn, target.revision_id, target.definition)
        now = self.clock.now()
        info = ExecutionInfo(
            execution_arn=arn,
            name=name,
            state_machine_arn=record.arn,
            state_machine_name=record.name,
            input=payload,
            start_time=now,
            role_arn=target.role_arn,
            region=self.account.region,
            parent_token=parent_token,
            parent_mode=parent_mode,
            version_arn=target.version_arn,
            alias_arn=target.alias_arn,
        )
        step = advance(machine, None, StartExecution(info), now, step_rng(arn, 0))
        execution = ExecutionRecord(
            arn=arn,
            state_machine_arn=record.arn,
            name=name,
            status=step.state.status,
            input=input_text,
            start_date=now,
            state=encode_state(step.state, machine),
            version=0,
            **finished(step.state, now),
            revision_id=target.revision_id,
            version_arn=target.version_arn,
            alias_arn=target.alias_arn,
        )
        add, _ = work_items(self.store, arn, step, now)
        try:
            self.store.create_execution(execution, event_records(arn, step.events), add)
        except AlreadyExists:
            raise ExecutionAlreadyExists(f"Execution Already Exists: '{arn}'") from None
        return execution

    def describe_execution(self, arn: str) -> ExecutionRecord:
        record = self.store.get_execution(arn)
        if record is None:
            raise NotFound(f"execution does not exist: {arn}")
        return record

    def history(self, arn: str, after: int = 0, limit: int = 1000) -> list[EventRecord]:
        self.describe_execution(arn)
        return self.store.history(arn, after, limit)

    def stop_execution(
        self, arn: str, error: str | None = None, cause: str | None = None
    ) -> ExecutionRecord:
        before = self.describe_execution(arn)
        self.apply(arn, StopExecution(error, cause))
        # None: it was the last run of a machine being deleted, and went with the machine.
        after = self.store.get_execution(arn)
        return after or dataclasses.replace(before, status="ABORTED", stop_date=self.clock.now())

    def event_count(self, record: ExecutionRecord) -> int:
        """How many history events the execution has (numbered 1 to that count)."""
        return int(json.loads(record.state)["next_event_id"]) - 1

    def redrive_status(self, record: ExecutionRecord) -> RedriveStatus:
        # Not redrivable whatever its history while RUNNING or SUCCEEDED: spare the decoding.
        finished = record.status not in ("RUNNING", "SUCCEEDED")
        events = self.event_count(record) if finished else 0
        return redrive_status(record, self.clock.now(), events)

    def redrive_execution(self, arn: str) -> ExecutionRecord:
        """AWS's RedriveExecution: a FAILED, TIMED_OUT or ABORTED execution runs on from
        the states that did not succeed, under the same ARN, definition and input."""
        verdict = self.redrive_status(self.describe_execution(arn))
        if verdict.reason is not None:
            raise ExecutionNotRedrivable(verdict.reason)
        if not self.apply(arn, Redrive(), only_if_effective=True):
            # Someone else redrove it between our read and our write.
            reason = self.redrive_status(self.describe_execution(arn)).reason
            raise ExecutionNotRedrivable(reason or "Execution is RUNNING and cannot be redriven")
        return self.describe_execution(arn)

    # ---- callbacks (SendTaskSuccess / SendTaskFailure / SendTaskHeartbeat) -----------------

    def send_task_success(self, token: str, output: str) -> None:
        arn, engine_token = parse_task_token(token)
        try:
            value = json.loads(output)
        except json.JSONDecodeError as exc:
            raise ValueError(f"task output is not valid JSON: {exc}") from None
        self._callback(arn, CallbackSucceeded(engine_token, value), token)

    def send_task_failure(
        self, token: str, error: str | None = None, cause: str | None = None
    ) -> None:
        arn, engine_token = parse_task_token(token)
        self._callback(arn, CallbackFailed(engine_token, error, cause), token)

    def send_task_heartbeat(self, token: str) -> None:
        arn, engine_token = parse_task_token(token)
        try:
            record = self.describe_execution(arn)
        except NotFound:
            raise TaskDoesNotExist(f"Task does not exist anymore: '{token[:80]}'") from None
        _, state = self._decode(record)
        if not waits_for(state, engine_token):
            raise TaskDoesNotExist(f"Task does not exist anymore: '{token[:80]}'")
        # AWS: accepted even when the task has no HeartbeatSeconds (then it changes nothing).
        self.apply(arn, CallbackHeartbeat(engine_token))

    def _callback(self, arn: str, event: Inbound, token: str) -> None:
        try:
            moved = self.apply(arn, event, only_if_effective=True)
        except NotFound:
            moved = False
        if not moved:
            raise TaskDoesNotExist(f"Task does not exist anymore: '{token[:80]}'")

    # ---- one step -------------------------------------------------------------------------

    def apply(
        self,
        arn: str,
        event: Inbound,
        done_work_id: int | None = None,
        only_if_effective: bool = False,
    ) -> bool:
        """Advance an execution by one event and store the step; False when there was
        nothing to do (finished execution, the work item already consumed, or, with
        ``only_if_effective``, an event the engine ignored: a ``done_work_id`` is consumed
        all the same). An execution whose machine is being deleted fails instead of making
        its next state transition (``deletion.terminated``)."""
        for _ in range(_MAX_CONFLICTS):
            record = self.describe_execution(arn)
            machine, state = self._decode(record)
            if state.status != "RUNNING" and done_work_id is None and type(event) is not Redrive:
                return False
            now = self.clock.now()
            rng = step_rng(arn, state.next_event_id)
            step = advance(machine, state, event, now, rng)
            instead = terminated(record, event, step.events)
            if instead is not None:
                step = advance(machine, state, instead, now, rng)
            # A Distributed Map's items record no events: a step of theirs may only change
            # the state (an activity task handed out, a callback answered).
            effective = bool(step.events or step.commands) or step.state != state
            if only_if_effective and not effective and done_work_id is None:
                return False
            add, cancel = work_items(self.store, arn, step, now)
            add.extend(athena.poll_items(arn, event, step, now))
            try:
                self.store.append(
                    Append(
                        execution_arn=arn,
                        expected_version=record.version,
                        state=encode_state(step.state, machine),
                        status=step.state.status,
                        events=event_records(arn, step.events),
                        add_work=add,
                        cancel_keys=cancel,
                        done_work_id=done_work_id,
                        redriven=now if type(event) is Redrive and effective else None,
                        **finished(step.state, now),
                    )
                )
                self._stop_job_runs(step, now)
                if record.machine_deleting and step.state.status != state.status:
                    self.deletion.settle(record.state_machine_arn)  # its last run may have ended
                return effective or not only_if_effective
            except VersionConflict:
                if (
                    done_work_id is not None
                    and self.describe_execution(arn).version == record.version
                ):
                    return False  # the execution did not move: our work item is gone
        raise VersionConflict(f"execution {arn} kept changing; gave up after {_MAX_CONFLICTS}")

    def _stop_job_runs(self, step: Step, now: datetime) -> None:
        """Once a step is stored: stop the job runs and queries of the .sync tasks it
        cancelled (best effort, as AWS: a crash right here leaves the work going; its end
        is then ignored)."""
        for command in step.commands:
            if isinstance(command, CancelTask):
                for run_id in job_runs_to_stop(command.resource, command.submitted):
                    self.store.stop_job_run(run_id, now)
                for query_id in athena.queries_to_stop(command.resource, command.submitted):
                    with contextlib.suppress(ApiError):  # gone: nothing to stop
                        self.athena.stop_query_execution(query_id)


__all__ = [
    "Account",
    "DefinitionError",
    "ExecutionAlreadyExists",
    "ExecutionNotRedrivable",
    "Service",
    "TaskDoesNotExist",
]
