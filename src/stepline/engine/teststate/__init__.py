"""AWS's TestState API as a pure function: run one state, show how its data flowed.

    result = test_state(definition, input_text, state_name=None, inspection_level="DEBUG",
                        variables=None, context=None, mock=Mock(result='{"ok": 1}'),
                        state_config=None, invoke=None, now=now, rng=rng)
    result.to_dict()  # TestStateOutput: output, error, cause, inspectionData, nextState, status

AWS (API reference TestState; dg/test-state-isolation): ``definition`` is one state, or a
state machine with ``stateName`` naming the state. Pass, Choice, Wait (not waited for),
Succeed and Fail run as they are. A Task takes its result from ``mock`` (or raises the
mocked error), else from ``invoke``; Activity, ``.sync`` and ``.waitForTaskToken`` tasks,
Map and Parallel need a mock, which is then the whole state's result. An error goes through
Retry and Catch: RETRIABLE when a retrier would retry (``retrierRetryCount`` attempts
already used), CAUGHT_ERROR with the catcher's output and ``Next``, FAILED otherwise.

Errors: ``DefinitionError`` for an invalid definition (InvalidDefinition);
``TestStateError`` (``code``: ValidationException, InvalidDefinition or
InvalidExecutionInput) for a request AWS refuses.
"""

from __future__ import annotations

import random
import uuid
from datetime import datetime

from stepline.engine.records import ExecutionInfo
from stepline.engine.teststate.locate import locate
from stepline.engine.teststate.request import (
    Invoke,
    Mock,
    MockErrorOutput,
    StateConfig,
    TestStateError,
    check_inspection_level,
    check_mock,
    check_runnable,
    check_state_config,
    parse_context,
    parse_input,
    parse_variables,
)
from stepline.engine.teststate.result import Renderer, TestStateResult, build_result
from stepline.engine.teststate.runner import StateTest, TestRun

DEFAULT_REGION = "us-east-1"
DEFAULT_ACCOUNT = "123456789012"
_MACHINE_NAME = "TestState"


def test_state(
    definition: str,
    input_text: str | None,
    *,
    state_name: str | None = None,
    inspection_level: str = "INFO",
    variables: str | None = None,
    context: str | None = None,
    mock: Mock | None = None,
    state_config: StateConfig | None = None,
    invoke: Invoke | None = None,
    now: datetime,
    rng: random.Random,
    role_arn: str | None = None,
    reveal_secrets: bool = False,
    region: str = DEFAULT_REGION,
    account: str = DEFAULT_ACCOUNT,
) -> TestStateResult:
    """Run the state under test once; see the module docstring."""
    check_inspection_level(inspection_level)
    located = locate(definition, state_name)
    st = located.state
    invocation = check_mock(mock, st, reveal_secrets)
    config = state_config or StateConfig()
    check_state_config(config, st, invocation)
    given = parse_context(context, st, mocked=mock is not None)
    check_runnable(st, mock is not None, role_arn, invoke)
    data = parse_input(input_text)
    initial = parse_variables(variables)

    name = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    info = ExecutionInfo(
        execution_arn=f"arn:aws:states:{region}:{account}:express:{_MACHINE_NAME}:{name}",
        name=name,
        state_machine_arn=f"arn:aws:states:{region}:{account}:stateMachine:{_MACHINE_NAME}",
        state_machine_name=_MACHINE_NAME,
        input=data,
        start_time=now,
        role_arn=role_arn or "",
        region=region,
    )
    run = TestRun(
        located.machine,
        info,
        now,
        rng,
        given=given,
        role_arn=role_arn,
        map_item=data if located.in_map else None,
    )
    test = StateTest(run, st, data, initial, config, invocation, invoke)
    outcome = test.execute()

    originals: dict[int, str] = {}
    if input_text is not None and input_text.strip():
        originals[id(data)] = input_text
    if invocation is not None and invocation.result_text is not None:
        originals[id(invocation.result)] = invocation.result_text
    return build_result(outcome, test, inspection_level, Renderer(originals))


test_state.__test__ = False  # type: ignore[attr-defined]  # not a pytest test function

__all__ = [
    "Invoke",
    "Mock",
    "MockErrorOutput",
    "StateConfig",
    "TestStateError",
    "TestStateResult",
    "test_state",
]
