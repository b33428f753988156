"""DeleteStateMachine through the service and a worker, on memory, SQLite and PostgreSQL:
running executions fail at their next state transition, the machine goes once none runs,
and a machine created again under its name runs its own definition everywhere."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from stepline.catalog_checks import StateMachineDeleting, ValidationError
from stepline.integrations.base import Registry
from stepline.integrations.lambda_functions import LambdaFunctions
from stepline.integrations.stepfunctions import StepFunctions
from stepline.runtime.clock import ManualClock
from stepline.runtime.worker import Worker
from stepline.service import Service, TaskDoesNotExist
from stepline.store.open import open_store
from stepline.store.protocol import NotFound, Store
from stepline.store.records import ExecutionRecord

T0 = datetime(2026, 10, 11, 12, 13, 14, tzinfo=UTC)
LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:"
DELETED = ("States.Runtime", "State machine m has been deleted.")


def chain(*states: dict[str, Any]) -> str:
    """A definition running ``states`` one after another (named S0, S1, ...)."""
    named = {f"S{i}": {**st, "Next": f"S{i + 1}"} for i, st in enumerate(states)}
    last = f"S{len(states) - 1}"
    named[last] = {k: v for k, v in named[last].items() if k != "Next"} | {"End": True}
    return json.dumps({"StartAt": "S0", "States": named})


WAIT = {"Type": "Wait", "Seconds": 60}
CALLBACK = {
    "Type": "Task",
    "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
    "Parameters": {"FunctionName": "note", "Payload": {"token.$": "$$.Task.Token"}},
}
DOUBLE = {"Type": "Task", "Resource": LAMBDA + "double"}


@dataclass
class Env:
    service: Service
    store: Store
    clock: ManualClock
    worker: Worker
    tokens: list[str]

    def run(self, name: str, definition: str, text: str = "{}") -> ExecutionRecord:
        if self.store.get_state_machine(self.service.account.state_machine_arn(name)) is None:
            self.service.create_state_machine(name, definition)
        return self.service.start_execution(name, text)

    def status(self, arn: str) -> tuple[str, str | None, str | None] | None:
        record = self.store.get_execution(arn)
        return None if record is None else (record.status, record.error, record.cause)


@pytest.fixture
def env(store_url: str) -> Iterator[Env]:
    store = open_store(store_url)
    clock = ManualClock(T0)
    service = Service(store, clock)
    tokens: list[str] = []
    functions = {
        "double": lambda event, context: {"n": event.get("n", 1) * 2},
        "note": lambda event, context: tokens.append(event["token"]),
    }
    registry = Registry([LambdaFunctions(functions), StepFunctions(service)])
    yield Env(service, store, clock, Worker(service, registry, "w"), tokens)
    store.close()


def test_task_results_fail_their_executions_and_the_last_to_end_purges(env: Env) -> None:
    first = env.run("m", chain(DOUBLE, {"Type": "Pass"}))
    second = env.service.start_execution("m")
    env.service.deletion.delete_state_machine("m")
    machine = env.store.get_state_machine(first.state_machine_arn)
    assert machine is not None and machine.status == "DELETING"
    with pytest.raises(StateMachineDeleting):
        env.service.start_execution("m")
    env.worker.run_until_idle()  # each task result would move on: the execution fails
    assert env.store.get_state_machine(first.state_machine_arn) is None
    assert env.status(first.arn) is None and env.status(second.arn) is None


def test_a_waiting_execution_holds_the_deletion_until_it_moves(env: Env) -> None:
    timer = env.run("m", chain(WAIT, {"Type": "Pass"}))
    held = env.service.start_execution("m")
    arn = timer.state_machine_arn
    env.service.deletion.delete_state_machine(arn)
    flagged = env.store.get_execution(timer.arn)
    assert flagged is not None and flagged.machine_deleting
    env.worker.run_until_idle()  # the timers are not due: nothing moves, nothing is deleted
    assert env.status(timer.arn) == ("RUNNING", None, None)
    env.clock.advance(60)
    env.service.stop_execution(held.arn, "Operator", "stop it")  # a stop ends it as asked
    assert env.status(held.arn) == ("ABORTED", "Operator", "stop it")
    env.worker.run_until_idle()  # the Wait ends: its transition fails it; nothing runs
    assert env.status(timer.arn) is None and env.status(held.arn) is None
    assert env.store.get_state_machine(arn) is None


def test_a_callback_to_a_deleting_execution_fails_it(env: Env) -> None:
    first = env.run("m", chain(CALLBACK, {"Type": "Pass"}))
    second = env.service.start_execution("m")
    env.worker.run_until_idle()
    assert len(env.tokens) == 2
    env.service.deletion.delete_state_machine("m")
    env.service.send_task_success(env.tokens[0], '{"ok": true}')  # accepted: it ends the run
    assert env.status(first.arn) == ("FAILED", *DELETED)
    events = [e.type for e in env.service.history(first.arn)]
    assert events[-2:] == ["TaskSubmitted", "ExecutionFailed"]
    reason = env.service.redrive_status(env.service.describe_execution(first.arn)).reason
    assert reason == "The state machine of the execution is being deleted"
    env.service.send_task_heartbeat(env.tokens[1])  # no state transition: it keeps running
    assert env.status(second.arn) == ("RUNNING", None, None)
    env.service.send_task_failure(env.tokens[1], "Nope", "failed")
    assert env.status(second.arn) is None and env.status(first.arn) is None  # all gone
    with pytest.raises(TaskDoesNotExist):
        env.service.send_task_success(env.tokens[1], "{}")


def test_a_child_of_a_deleting_machine_is_refused_to_its_parent(env: Env) -> None:
    env.run("m", chain(WAIT))
    child_arn = env.service.account.state_machine_arn("m")
    start = {
        "Type": "Task",
        "Resource": "arn:aws:states:::states:startExecution",
        "Parameters": {"StateMachineArn": child_arn},
    }
    env.service.deletion.delete_state_machine("m")
    parent = env.run("parent", chain(start))
    env.worker.run_until_idle()
    status = env.status(parent.arn)
    assert status is not None and status[:2] == (
        "FAILED",
        "StepFunctions.StateMachineDeletingException",
    )


def test_a_machine_created_again_runs_its_own_definition_in_every_process(env: Env) -> None:
    old = env.run("m", chain({"Type": "Pass", "Result": "old"}))
    assert env.service.machine(old.state_machine_arn)  # this process cached the old one
    env.service.deletion.delete_state_machine("m")
    other = Service(env.store, env.clock)  # another process on the same store
    other.create_state_machine("m", chain(WAIT, {"Type": "Pass", "Result": "new"}))
    again = other.start_execution("m")
    assert again.revision_id != old.revision_id  # never the cached INITIAL of the old one
    env.clock.advance(60)
    env.worker.run_until_idle()  # this process's worker runs the new execution
    done = env.service.describe_execution(again.arn)
    assert (done.status, json.loads(done.output or "null")) == ("SUCCEEDED", "new")
    described = other.versions.describe_state_machine("m")
    assert described.revision_id is None  # AWS shows none before the first update


def test_qualified_arns_are_refused_and_missing_machines_deleted_quietly(env: Env) -> None:
    env.service.create_state_machine("m", chain(WAIT), publish=True)
    arn = env.service.account.state_machine_arn("m")
    for qualified in (f"{arn}:1", "m:1", f"{arn}:live", f"{arn}/label"):
        with pytest.raises(ValidationError):
            env.service.deletion.delete_state_machine(qualified)
    env.service.deletion.delete_state_machine("absent")
    env.service.deletion.delete_state_machine(arn)
    assert env.store.get_state_machine(arn) is None
    with pytest.raises(NotFound):
        env.service.state_machine(arn)
