"""``[state_machines.<name>]``: a definition file, or a template deployed once per instance
(``[[state_machines.<name>.instances]]`` or ``params``), with ``${name}`` variables and
template parameters substituted and the result validated as ASL."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final, NoReturn, cast

from stepline.asl.errors import DefinitionError
from stepline.asl.express_rules import load_as
from stepline.names import InvalidName, check_name
from stepline.project.errors import ConfigError
from stepline.project.reader import Section, kind
from stepline.project.specs import MachineSpec
from stepline.project.substitute import VarValue, substitute_tree
from stepline.store.records import MachineType

MACHINE_KEYS: Final = (
    "definition",
    "template",
    "name",
    "type",
    "alias",
    "role",
    "logging",
    "tags",
    "params",
    "instances",
)
LOGGING_KEYS: Final = ("level", "include_execution_data", "log_group")
LEVELS: Final = ("ALL", "ERROR", "FATAL", "OFF")
_ALIAS: Final = re.compile(r"^(?=.*[a-zA-Z_\-.])[a-zA-Z0-9_\-.]{1,80}$")  # AWS: alias name


def machines(
    section: Section, root: Path, variables: Mapping[str, VarValue]
) -> tuple[MachineSpec, ...]:
    found: list[MachineSpec] = []
    seen: dict[str, str] = {}
    for declared, machine in section.children():
        for spec in _declared(declared, machine, root, variables):
            if spec.name in seen:
                raise machine.error(
                    "name",
                    f"deploys a state machine named {spec.name!r}, as"
                    f" [state_machines.{seen[spec.name]}] does",
                )
            seen[spec.name] = declared
            found.append(spec)
    return tuple(found)


def _declared(
    declared: str, machine: Section, root: Path, variables: Mapping[str, VarValue]
) -> list[MachineSpec]:
    machine.check_keys(MACHINE_KEYS)
    has_template, has_definition = machine.has("template"), machine.has("definition")
    if has_template == has_definition:
        raise machine.error(
            None,
            "give either definition (one machine) or template (one per"
            " instance), not both or neither",
        )
    key = "template" if has_template else "definition"
    source, path = machine.path(key, root)
    instances = _instances(declared, machine, has_template)
    type_ = cast(MachineType, machine.string("type", "STANDARD", ("STANDARD", "EXPRESS")))
    alias = machine.optional_string("alias")
    if alias is not None and not _ALIAS.fullmatch(alias):
        raise machine.error(
            "alias",
            f"{alias!r} is not an alias name (letters, digits, - _ .; not only digits; at most 80)",
        )
    document = _json(path, source, machine, key)
    specs: list[MachineSpec] = []
    for name, params in instances:
        try:
            check_name(name, "state machine name")
        except InvalidName as exc:
            raise machine.error("name", str(exc)) from None
        given = {**variables, **params}
        definition = _definition(document, given, source, machine, bool(params))
        try:
            load_as(definition, type_)
        except DefinitionError as exc:
            problems = "; ".join(str(d) for d in exc.diagnostics)
            raise ConfigError(
                f"{source}: not a valid {type_} state machine ({name}): {problems}"
            ) from None
        specs.append(
            MachineSpec(
                name=name,
                declared=declared,
                source=source,
                definition=definition,
                type=type_,
                alias=alias,
                role_arn=machine.optional_string("role"),
                logging=_logging(machine.table_of("logging")) if machine.has("logging") else None,
                tags=machine.string_map("tags"),
                params=params,
            )
        )
    return specs


def _instances(
    declared: str, machine: Section, template: bool
) -> list[tuple[str, dict[str, VarValue]]]:
    """(deployed name, parameters) of each machine the declaration deploys."""
    listed, single = machine.has("instances"), machine.has("params")
    if not template:
        if listed or single:
            raise machine.error(
                "instances" if listed else "params", "only a template has instances or params"
            )
        return [(machine.string("name", declared), {})]
    if listed == single:
        raise machine.error(
            None, "a template needs instances ([[...instances]]) or params, one of them"
        )
    if single:
        return [(machine.string("name", declared), _params(machine.table_of("params")))]
    found: list[tuple[str, dict[str, VarValue]]] = []
    instances = machine.tables("instances")
    if not instances:
        raise machine.error("instances", "must list at least one instance")
    for instance in instances:
        instance.check_keys(("name", "params"))
        params = _params(instance.table_of("params"))
        if not params:
            raise instance.error("params", "is required: the template's parameters")
        default = "_".join([declared, *(str(v) for v in params.values())])
        found.append((instance.string("name", default), params))
    return found


def _params(section: Section) -> dict[str, VarValue]:
    for name, value in section.data.items():
        if not isinstance(value, str | int | float | bool):
            raise section.error(name, f"must be a string, number or boolean, got {kind(value)}")
    return dict(section.data)


def _json(path: Path, source: str, machine: Section, key: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ConfigError(
            f"{source}: not valid JSON (line {exc.lineno} column {exc.colno}): {exc.msg}"
            f" ({machine.file}: [{machine.table}] {key})"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise machine.error(key, f"cannot read {source}: {exc}") from None


def _definition(
    document: Any, given: Mapping[str, VarValue], source: str, machine: Section, template: bool
) -> str:
    def undefined(pointer: str, name: str) -> NoReturn:
        hint = "in [vars] or the instance's params" if template else "in [vars]"
        raise ConfigError(
            f"{source}: {pointer or '/'}: ${{{name}}} is not defined (declare it {hint};"
            f" {machine.file}: [{machine.table}])"
        )

    resolved = substitute_tree(document, given, "", undefined)
    return json.dumps(resolved, indent=2, ensure_ascii=False)


def _logging(section: Section) -> str:
    """The table as the API's loggingConfiguration (JSON text, as the store keeps it)."""
    section.check_keys(LOGGING_KEYS)
    level = section.string("level", "OFF", LEVELS)
    shaped: dict[str, Any] = {
        "level": level,
        "includeExecutionData": section.boolean("include_execution_data", False),
    }
    group = section.optional_string("log_group")
    if group is not None:
        if not group.startswith("arn:"):
            raise section.error("log_group", f"must be a log group ARN, got {group!r}")
        shaped["destinations"] = [{"cloudWatchLogsLogGroup": {"logGroupArn": group}}]
    elif level != "OFF":
        # AWS: "Must specify exactly one Log Destination" unless the level is OFF.
        raise section.error("log_group", f"is required with level {level}")
    return json.dumps(shaped)
