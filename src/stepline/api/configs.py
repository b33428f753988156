"""A state machine's logging, tracing and encryption configurations: as requests give them
(Create/UpdateStateMachine), as the store keeps them (JSON text of the API's shapes, AWS's
defaults filled in), and as DescribeStateMachine shows them.

stepline keeps them and shows them; EXPRESS executions log by the logging configuration
(``stepline.express``); no X-Ray traces are written, nothing is encrypted with KMS.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Final

from stepline.api.checks import arn, boolean, integer, list_of, string, structure
from stepline.api.errors import ApiError
from stepline.api.operation import Body, Reply
from stepline.api.wire import present
from stepline.store.records import StateMachineRecord

LOGGING: Final = structure(
    "loggingConfiguration",
    string("level", enum=("ALL", "ERROR", "FATAL", "OFF")),
    boolean("includeExecutionData"),
    list_of("destinations", structure("", structure("cloudWatchLogsLogGroup", arn("logGroupArn")))),
)
TRACING: Final = structure("tracingConfiguration", boolean("enabled"))
ENCRYPTION: Final = structure(
    "encryptionConfiguration",
    string("kmsKeyId", min=1, max=2048),
    integer("kmsDataKeyReusePeriodSeconds", min=60, max=900),
    string("type", required=True, enum=("AWS_OWNED_KEY", "CUSTOMER_MANAGED_KMS_KEY")),
)

# AWS: what DescribeStateMachine shows of a machine created without these configurations
# (it shows no encryptionConfiguration then).
_LOGGING_OFF: Final = {"level": "OFF", "includeExecutionData": False}
_TRACING_OFF: Final = {"enabled": False}


def given(body: Body) -> dict[str, str | None]:
    """The configurations of a request, as the store keeps them (None: not given), checked
    as AWS checks them: keyword arguments ``logging``, ``tracing``, ``encryption``."""
    return {
        "logging": _logging(body.get(LOGGING.name)),
        "tracing": _tracing(body.get(TRACING.name)),
        "encryption": _encryption(body.get(ENCRYPTION.name)),
    }


def shown(machine: StateMachineRecord) -> Reply:
    """DescribeStateMachine's (and DescribeStateMachineForExecution's) configurations."""
    return present(
        loggingConfiguration=_loaded(machine.logging) or _LOGGING_OFF,
        tracingConfiguration=_loaded(machine.tracing) or _TRACING_OFF,
        encryptionConfiguration=_loaded(machine.encryption),
    )


def same(machine: StateMachineRecord, configurations: Mapping[str, str | None]) -> bool:
    """Whether a CreateStateMachine's configurations are the machine's (AWS: part of its
    idempotency check); one not given is the default."""
    kept = {
        "logging": machine.logging,
        "tracing": machine.tracing,
        "encryption": machine.encryption,
    }
    defaults: dict[str, Any] = {"logging": _LOGGING_OFF, "tracing": _TRACING_OFF}
    return all(
        (_loaded(kept[key]) or defaults.get(key)) == (_loaded(text) or defaults.get(key))
        for key, text in configurations.items()
    )


def _logging(value: Mapping[str, Any] | None) -> str | None:
    if value is None:
        return None
    level = value.get("level") or "OFF"
    destinations = value.get("destinations") or []
    if len(destinations) > 1 or (level != "OFF" and not destinations):
        # AWS (LocalStack's recorded message).
        raise ApiError(
            "InvalidLoggingConfiguration",
            "Invalid Logging Configuration: Must specify exactly one Log Destination.",
        )
    shaped: dict[str, Any] = {
        "level": level,
        "includeExecutionData": bool(value.get("includeExecutionData", False)),
    }
    if destinations:
        shaped["destinations"] = destinations
    return json.dumps(shaped)


def _tracing(value: Mapping[str, Any] | None) -> str | None:
    return None if value is None else json.dumps({"enabled": bool(value.get("enabled", False))})


def _encryption(value: Mapping[str, Any] | None) -> str | None:
    if value is None:
        return None
    key = value.get("kmsKeyId")
    if value["type"] == "CUSTOMER_MANAGED_KMS_KEY" and key is None:
        raise ApiError(  # stepline's message
            "InvalidEncryptionConfiguration",
            "Invalid Encryption Configuration: a kmsKeyId is required for CUSTOMER_MANAGED_KMS_KEY",
        )
    shaped = present(
        type=value["type"],
        kmsKeyId=key,
        kmsDataKeyReusePeriodSeconds=value.get("kmsDataKeyReusePeriodSeconds"),
    )
    return json.dumps(shaped)


def _loaded(text: str | None) -> Any:
    return None if text is None else json.loads(text)
