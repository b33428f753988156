"""The JSONPath-mode data-flow steps of a state, as pure functions the engine calls.

Order inside a state (AWS ``concepts-input-output-filtering``): InputPath -> Parameters ->
(task) -> ResultSelector -> ResultPath -> OutputPath. Each step here raises
:class:`~stepline.asl.errors.StatesError` with AWS's error name and cause text.

Causes of ``States.Runtime`` errors appear in AWS's history prefixed with
``An error occurred while executing the state '<name>' (entered at the event id #<id>). ``;
the engine adds that prefix (:func:`in_state`) because only it knows the state and event.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Final

from stepline.asl.errors import (
    DATA_LIMIT_EXCEEDED,
    PAYLOAD_LIMIT_BYTES,
    RESULT_PATH_MATCH_FAILURE,
    RUNTIME,
    Json,
    StatesError,
)
from stepline.asl.paths import Path, PathNotFound, ReferencePath

# Built once: json.dumps with non-default options would construct an encoder per call.
_ENCODE: Final = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
# A code point takes at most 4 bytes in UTF-8: texts this short can never exceed the limit.
_SAFE_CHARS: Final = PAYLOAD_LIMIT_BYTES // 4


def to_json_text(value: Json) -> str:
    """JSON text as AWS renders it in history details and causes.

    AWS: compact separators and non-ASCII characters kept as they are
    (e.g. cause "... could not be found in the input '{\\"flagged\\":false}'").
    """
    return _ENCODE(value)


RUNTIME_CAUSE_PREFIX = "An error occurred while executing the state"


def in_state(cause: str | None, state_name: str, entered_event_id: int) -> str:
    """Prefix a runtime cause the way AWS does in the history of a failed execution.

    A cause that already carries the prefix (raised inside a nested state) is kept.
    """
    # AWS: observed "An error occurred while executing the state 'Check Address' (entered
    # at the event id #7). The JSONPath '$.application.address' specified for the field
    # 'address.$' could not be found in the input '{\"flagged\":false}'".
    if cause is not None and cause.startswith(RUNTIME_CAUSE_PREFIX):
        return cause
    return (
        f"{RUNTIME_CAUSE_PREFIX} '{state_name}' "
        f"(entered at the event id #{entered_event_id}). {cause or ''}"
    ).rstrip()


def read_path(
    path: Path, data: Json, context: Json, variables: Mapping[str, Json] | None = None
) -> Json:
    """The value a path selects; a miss is States.Runtime with AWS's "Invalid path" cause."""
    if path.is_root:
        return data
    try:
        return path.get(data, context, variables)
    except PathNotFound as exc:
        # AWS: States.Runtime "Invalid path '$.x' : No results for path: $['x']" — the
        # second half is the Jayway JSONPath message (PathNotFound.detail).
        raise StatesError(RUNTIME, f"Invalid path '{path.text}' : {exc.detail}") from None


def apply_input_path(
    path: Path | None, data: Json, context: Json, variables: Mapping[str, Json] | None = None
) -> Json:
    """InputPath: ``None`` (``"InputPath": null``) gives ``{}``; ``$`` the input itself."""
    if path is None:
        return {}
    return read_path(path, data, context, variables)


def apply_output_path(
    path: Path | None, data: Json, context: Json, variables: Mapping[str, Json] | None = None
) -> Json:
    """OutputPath: ``None`` (``"OutputPath": null``) gives ``{}``; ``$`` the data itself."""
    if path is None:
        return {}
    return read_path(path, data, context, variables)


def apply_result_path(path: ReferencePath | None, state_input: Json, result: Json) -> Json:
    """ResultPath: ``None`` discards the result (output = input); ``$`` replaces the input.

    Otherwise the result is written into a copy of the input (missing objects created on
    the way); crossing a value that is not an object is ``States.ResultPathMatchFailure``.
    """
    if path is None:
        return state_input
    if path.is_root:
        return result
    try:
        return path.set(state_input, result)
    except PathNotFound:
        # AWS: cause "Unable to apply ReferencePath $.partitioned to input "{\"min_size\":1}""
        # for a Lambda payload that was a JSON string (aws/aws-cdk issue #29473): the path
        # unquoted, the input rendered as JSON text (so a string input appears quoted).
        raise StatesError(
            RESULT_PATH_MATCH_FAILURE,
            f"Unable to apply ReferencePath {path.text} to input {to_json_text(state_input)}",
        ) from None


def payload_size(value: Json, text: str | None = None) -> int:
    """UTF-8 size in bytes of the JSON text of ``value``."""
    if text is None:
        text = to_json_text(value)
    return len(text.encode("utf-8"))


def check_payload_size(value: Json, what: str, text: str | None = None) -> None:
    """Raise ``States.DataLimitExceeded`` when ``value`` is over 256 KiB as UTF-8 JSON.

    ``what`` names the state/task in the cause; pass ``text`` when the JSON text is already
    at hand (the engine renders it for the history anyway) to avoid serializing twice.
    """
    if text is None:
        if value is None or type(value) is bool or type(value) is int:
            return
        text = to_json_text(value)
    size = len(text)
    if size <= _SAFE_CHARS:
        return
    if size > PAYLOAD_LIMIT_BYTES or len(text.encode("utf-8")) > PAYLOAD_LIMIT_BYTES:
        raise data_limit_exceeded(what)


def data_limit_exceeded(what: str) -> StatesError:
    """The error of a result over 256 KiB; ``what`` names the state/task in the cause."""
    # AWS: test_states_errors recording, a task result over the limit:
    # "The state/task 'lambda' returned a result with a size exceeding the maximum
    # number of bytes service limit."
    return StatesError(
        DATA_LIMIT_EXCEEDED,
        f"The state/task '{what}' returned a result with a size exceeding the maximum "
        "number of bytes service limit.",
    )
