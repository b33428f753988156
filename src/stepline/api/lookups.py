"""ARNs as the API takes them, and the records they name (with AWS's not-found errors)."""

from __future__ import annotations

from stepline.api.errors import ApiError
from stepline.api.operation import Context
from stepline.arns import MachineRef, machine_ref
from stepline.store.records import ExecutionRecord


def invalid_arn(text: str) -> ApiError:
    return ApiError("InvalidArn", f"Invalid Arn: '{text}'")


def machine(ctx: Context, text: str) -> MachineRef:
    """A state machine ARN, maybe qualified by a version or alias (names are the CLI's
    convenience, not the API's)."""
    if not text.startswith("arn:"):
        raise invalid_arn(text)
    return machine_ref(text, ctx.service.account.state_machine_arn)


def execution_arn(text: str) -> str:
    """``arn:<partition>:states:<region>:<account>:execution:<machine>:<name>``."""
    parts = text.split(":")
    if len(parts) > 5 and parts[0] == "arn" and parts[5] == "express":
        # AWS: Express executions have no record to describe, stop or redrive
        raise ApiError(
            "InvalidArn", f"Invalid Arn: 'Resource type not valid in this context: {parts[5]}'"
        )
    if (
        len(parts) != 8
        or parts[0] != "arn"
        or parts[2] != "states"
        or parts[5] != "execution"
        or not parts[6]
        or not parts[7]
    ):
        raise invalid_arn(text)
    return text


def execution(ctx: Context, text: str) -> ExecutionRecord:
    record = ctx.service.store.get_execution(execution_arn(text))
    if record is None:
        raise ApiError("ExecutionDoesNotExist", f"Execution Does Not Exist: '{text}'")
    return record


def role_arn(text: str) -> str:
    """AWS: an IAM role ARN (``arn:aws:iam::<account>:role/<name>``)."""
    parts = text.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "iam" or not parts[5]:
        raise invalid_arn(text)
    return text
