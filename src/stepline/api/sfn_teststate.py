"""TestState: one state run once, outside any execution (``stepline.engine.teststate``).

The request maps onto ``test_state(...)`` and its result's ``to_dict()`` is the answer. A
Task without a mock runs through the server's integrations (the embedded worker's
``Registry``): a Lambda function is called for real, as AWS's TestState calls it. Time is
the service clock's; randomness (jitter of a retrier's back-off) a generator of its own per
request.
"""

from __future__ import annotations

import random
import uuid
from typing import Final

from stepline.api import lookups
from stepline.api.checks import Member, arn, boolean, integer, shape, string, structure
from stepline.api.operation import Body, Context, Operations, Reply, operation
from stepline.api.sfn_executions import PAYLOAD_MAX
from stepline.api.sfn_machines import DEFINITION
from stepline.asl.errors import Json
from stepline.engine.teststate import Invoke, Mock, StateConfig, test_state
from stepline.engine.teststate.request import FIELD_VALIDATION_MODES, INSPECTION_LEVELS
from stepline.integrations.base import Registry, TaskFailure, TaskRequest

_STATE_NAME: Final = string("stateName", min=1, max=80, sensitive=True)


def _data(name: str) -> Member:
    """AWS's SensitiveData: JSON text up to 256 KiB, never quoted in messages."""
    return string(name, max=PAYLOAD_MAX, sensitive=True)


_MOCK: Final = structure(
    "mock",
    _data("result"),
    structure(
        "errorOutput",
        string("error", min=0, max=256, sensitive=True),
        string("cause", min=0, max=32_768, sensitive=True),
    ),
    string("fieldValidationMode", enum=FIELD_VALIDATION_MODES),
)
_STATE_CONFIGURATION: Final = structure(
    "stateConfiguration",
    integer("retrierRetryCount", min=0),
    string("errorCausedByState", min=1, max=80, sensitive=True),
    integer("mapIterationFailureCount", min=0),
    _data("mapItemReaderData"),
)


def operations() -> Operations:
    return {"TestState": test_state_operation}


@operation(
    shape(
        DEFINITION,
        arn("roleArn"),
        _data("input"),
        string("inspectionLevel", enum=INSPECTION_LEVELS),
        boolean("revealSecrets"),
        _data("variables"),
        _STATE_NAME,
        _MOCK,
        _data("context"),
        _STATE_CONFIGURATION,
    )
)
def test_state_operation(ctx: Context, body: Body) -> Reply:
    role = body.get("roleArn")
    if role is not None:
        lookups.role_arn(role)
    mock = body.get("mock")
    config = body.get("stateConfiguration")
    account = ctx.service.account
    result = test_state(
        body["definition"],
        body.get("input"),
        state_name=body.get("stateName"),
        inspection_level=body.get("inspectionLevel") or "INFO",
        variables=body.get("variables"),
        context=body.get("context"),
        mock=None if mock is None else Mock.from_dict(mock),
        state_config=None if config is None else StateConfig.from_dict(config),
        invoke=_invoker(ctx.registry, body.get("stateName"), account.region, account.account),
        now=ctx.service.clock.now(),
        rng=random.Random(),  # one per request, seeded from the OS
        role_arn=role,
        reveal_secrets=bool(body.get("revealSecrets", False)),
        region=account.region,
        account=account.account,
    )
    return result.to_dict()


def _invoker(
    registry: Registry | None, state_name: str | None, region: str, account: str
) -> Invoke | None:
    """``invoke(resource, parameters)`` through the integrations; None without them (then a
    Task needs a mock: a ValidationException says so)."""
    if registry is None:
        return None
    execution_arn = f"arn:aws:states:{region}:{account}:express:TestState:{uuid.uuid4()}"

    def invoke(resource: str, parameters: Json) -> Json:
        request = TaskRequest(
            resource=resource,
            parameters=parameters,
            state_name=state_name or "TestState",
            execution_arn=execution_arn,
            token="teststate#1",
            region=region,
            account=account,
        )
        try:
            return registry.invoke(request)
        except TaskFailure:
            raise
        except Exception as exc:  # as the worker: an integration's bug fails the task
            raise TaskFailure("States.Runtime", f"{type(exc).__name__}: {exc}") from None

    return invoke
