"""What a Task's Resource ARN says about the events AWS records for it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

LAMBDA_ARN_MARKER: Final = ":function:"


@dataclass(frozen=True, slots=True)
class ResourceKind:
    """``lambda_function`` for a bare Lambda ARN (Lambda* events), ``activity`` for an
    activity ARN (Activity* events); else Task* events."""

    lambda_function: bool
    resource_type: str
    resource: str
    activity: bool = False


def describe_resource(arn: str) -> ResourceKind:
    """Split a Resource ARN the way TaskScheduled's resourceType/resource show it.

    ``arn:aws:states:::lambda:invoke`` -> ("lambda", "invoke");
    ``arn:aws:states:::glue:startJobRun.sync`` -> ("glue", "startJobRun.sync");
    ``arn:aws:states:::aws-sdk:s3:listBuckets`` -> ("aws-sdk:s3", "listBuckets").
    """
    parts = arn.split(":")
    if len(parts) >= 7 and parts[2] == "lambda" and parts[5] == "function":
        return ResourceKind(True, "lambda", arn)
    if is_activity(arn):
        return ResourceKind(False, "activity", arn, activity=True)
    if len(parts) >= 7 and parts[2] == "states" and parts[5] != "activity":
        service = parts[5]
        if service == "aws-sdk" and len(parts) >= 8:
            return ResourceKind(False, f"aws-sdk:{parts[6]}", ":".join(parts[7:]))
        return ResourceKind(False, service, ":".join(parts[6:]))
    return ResourceKind(False, parts[2] if len(parts) > 2 else "unknown", arn)


def is_activity(arn: str) -> bool:
    """``arn:aws:states:<region>:<account>:activity:<name>``: a Step Functions activity."""
    parts = arn.split(":")
    return len(parts) == 7 and parts[2] == "states" and parts[5] == "activity" and bool(parts[6])
