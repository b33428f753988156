"""Subscription filter policies on message attributes (SNS's FilterPolicyScope
``MessageAttributes``), a subset: per attribute a list of conditions, any of which matches;
every attribute of the policy must match.

Conditions: a string (equal to a String value, or an element of a String.Array), a number
(equal to a Number value), ``{"prefix": s}``, ``{"suffix": s}``, ``{"equals-ignore-case":
s}``, ``{"anything-but": value | [values]}``, ``{"exists": bool}`` and ``{"numeric": [op,
n, (op, n)]}`` with ``=``, ``<``, ``<=``, ``>``, ``>=``. Not supported (refused when
subscribing): message-body filtering, ``$or``, nested keys, ``cidr``, wildcards.
"""

from __future__ import annotations

import json
import operator
from collections.abc import Callable, Mapping
from typing import Any, Final

from stepline.notifications.errors import invalid

_OPERATORS: Final = {"prefix", "suffix", "equals-ignore-case", "anything-but", "exists", "numeric"}
_COMPARE: Final[dict[str, Callable[[float, float], bool]]] = {
    "=": operator.eq,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def checked_policy(given: Any) -> str | None:
    """The policy as JSON text (None: no policy), or InvalidParameter saying what is wrong."""
    if given is None or given == "" or given == {}:
        return None
    policy = given
    if isinstance(given, str):
        try:
            policy = json.loads(given)
        except ValueError:
            raise invalid("Filter policy: not JSON") from None
    if not isinstance(policy, dict):
        raise invalid("Filter policy: must be a JSON object of attribute name -> [conditions]")
    for name, conditions in policy.items():
        if name.startswith("$"):
            raise invalid(f"Filter policy: {name} is not supported by stepline")
        if not isinstance(conditions, list) or not conditions:
            raise invalid(f"Filter policy: {name!r} needs a non-empty list of conditions")
        for condition in conditions:
            _check_condition(name, condition)
    return json.dumps(policy, separators=(",", ":"), sort_keys=True)


def matches(policy: str | None, attributes: Mapping[str, Mapping[str, str]]) -> bool:
    """Whether a message with these MessageAttributes passes the policy."""
    if policy is None:
        return True
    rules: dict[str, list[Any]] = json.loads(policy)
    return all(_any(conditions, attributes.get(name)) for name, conditions in rules.items())


def _check_condition(name: str, condition: Any) -> None:
    if isinstance(condition, bool) or condition is None:
        raise invalid(f"Filter policy: {name!r}: {condition!r} is not a match type")
    if isinstance(condition, str | int | float):
        return
    if not isinstance(condition, dict) or len(condition) != 1:
        raise invalid(f"Filter policy: {name!r}: {condition!r} is not a match type")
    ((kind, value),) = condition.items()
    if kind not in _OPERATORS:
        raise invalid(f"Filter policy: Unrecognized match type {kind}")
    if kind == "exists" and not isinstance(value, bool):
        raise invalid("Filter policy: exists match pattern must be either true or false.")
    if kind == "numeric" and not _numeric_ok(value):
        raise invalid(f"Filter policy: {name!r}: bad numeric condition {value!r}")
    if kind in ("prefix", "suffix", "equals-ignore-case") and not isinstance(value, str):
        raise invalid(f"Filter policy: {kind} match pattern must be a string")


def _numeric_ok(value: Any) -> bool:
    if not isinstance(value, list) or len(value) not in (2, 4):
        return False
    pairs = zip(value[::2], value[1::2], strict=True)
    return all(
        op in _COMPARE and isinstance(n, int | float) and not isinstance(n, bool) for op, n in pairs
    )


def _any(conditions: list[Any], attribute: Mapping[str, str] | None) -> bool:
    return any(_one(condition, attribute) for condition in conditions)


def _one(condition: Any, attribute: Mapping[str, str] | None) -> bool:
    if isinstance(condition, dict):
        ((kind, wanted),) = condition.items()
        if kind == "exists":
            return (attribute is not None) is bool(wanted)
    if attribute is None:
        return False
    data_type = attribute.get("DataType", "")
    text = attribute.get("StringValue")
    if text is None or data_type.startswith("Binary"):
        return False  # AWS: Binary attributes are not filtered on
    if data_type.startswith("String.Array"):
        elements = json.loads(text)
        return any(_value(condition, e) for e in elements if isinstance(e, str | int | float))
    value: str | float = float(text) if data_type.startswith("Number") else text
    return _value(condition, value)


def _value(condition: Any, value: str | int | float) -> bool:
    if not isinstance(condition, dict):
        return _equal(condition, value)
    ((kind, given),) = condition.items()
    if kind == "anything-but":
        excluded = given if isinstance(given, list) else [given]
        return not any(_equal(e, value) for e in excluded)
    if kind == "numeric":
        if isinstance(value, str):
            return False
        pairs = zip(given[::2], given[1::2], strict=True)
        return all(_COMPARE[op](float(value), float(n)) for op, n in pairs)
    if not isinstance(value, str):
        return False
    if kind == "prefix":
        return value.startswith(given)
    if kind == "suffix":
        return value.endswith(given)
    return bool(kind == "equals-ignore-case" and value.lower() == str(given).lower())


def _equal(condition: Any, value: str | int | float) -> bool:
    if isinstance(condition, str):
        return isinstance(value, str) and value == condition
    return not isinstance(value, str) and float(value) == float(condition)
