"""The CLI commands for state machine updates, versions and aliases (thin over
``Service.versions`` and ``Service.aliases``).

``MACHINE`` is a state machine name or ARN. A version is ``NAME:3``, its ARN, or (in
``--route``) just its number; an alias is ``NAME:alias`` or its ARN. ``stepline start``
takes any of them: an execution started on a version runs that version, on an alias one of
the alias's versions drawn by weight.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import Any

from stepline.asl.errors import DefinitionError
from stepline.cli_store import _service, store_command
from stepline.service import Service
from stepline.store.protocol import StoreError
from stepline.store.records import AliasRecord
from stepline.usage import UsageError

Reader = Callable[[str, str], str]


def add_version_commands(commands: Any, reader: Reader) -> None:
    """Register the commands on the main parser's subparsers; ``reader(path, what)`` reads
    a file for them (raising UsageError)."""

    def command(name: str, help_text: str, handler: Callable[..., int]) -> argparse.ArgumentParser:
        return store_command(commands, name, help_text, lambda args: handler(args, reader))

    update = command(
        "update-state-machine",
        "change a state machine's definition (running executions keep theirs)",
        _update,
    )
    update.add_argument("state_machine", metavar="MACHINE")
    update.add_argument("file", help="the new ASL definition (JSON)")
    update.add_argument("--role-arn", default=None)
    update.add_argument("--publish", action="store_true", help="publish it as a new version")
    update.add_argument("--version-description", default=None)

    publish = command("publish-version", "publish the latest definition as a version", _publish)
    publish.add_argument("state_machine", metavar="MACHINE")
    publish.add_argument("--description", default=None)
    publish.add_argument(
        "--revision-id", default=None, help="only if this is still the latest revision"
    )

    versions = command("versions", "list a state machine's versions, newest first", _versions)
    versions.add_argument("state_machine", metavar="MACHINE")

    delete_version = command("delete-version", "delete a version", _delete_version)
    delete_version.add_argument("version", help="NAME:N or a version ARN")

    for name, handler, help_text in (
        ("create-alias", _create_alias, "point a new alias at one or two versions"),
        ("update-alias", _update_alias, "change an alias's routes or description"),
    ):
        alias = command(name, help_text, handler)
        alias.add_argument("state_machine", metavar="MACHINE")
        alias.add_argument("alias", metavar="ALIAS")
        alias.add_argument(
            "--route",
            action="append",
            default=[],
            metavar="VERSION=WEIGHT",
            help="a version (number, NAME:N or ARN) and its percent of executions; up to two",
        )
        alias.add_argument("--description", default=None)

    aliases = command("aliases", "list a state machine's aliases, newest first", _aliases)
    aliases.add_argument("state_machine", metavar="MACHINE")

    delete_alias = command("delete-alias", "delete an alias (its versions stay)", _delete_alias)
    delete_alias.add_argument("state_machine", metavar="MACHINE")
    delete_alias.add_argument("alias", metavar="ALIAS")


def _update(args: argparse.Namespace, reader: Reader) -> int:
    definition = reader(args.file, "definition file")
    with _service(args) as service:
        try:
            updated = service.versions.update_state_machine(
                args.state_machine,
                definition,
                args.role_arn,
                args.publish,
                args.version_description,
            )
        except DefinitionError:
            raise  # reported with its diagnostics by the main command
        except (StoreError, ValueError) as exc:
            raise UsageError(f"cannot update {args.state_machine}: {exc}") from None
    shown = {
        "stateMachineArn": updated.machine.arn,
        "updateDate": updated.update_date.isoformat(),
        "revisionId": updated.revision_id,
        "stateMachineVersionArn": updated.version.arn if updated.version else None,
    }
    print(json.dumps({k: v for k, v in shown.items() if v is not None}, indent=2))
    return 0


def _publish(args: argparse.Namespace, reader: Reader) -> int:
    with _service(args) as service:
        try:
            version = service.versions.publish_version(
                args.state_machine, args.revision_id, args.description
            )
        except (StoreError, ValueError) as exc:
            raise UsageError(f"cannot publish a version of {args.state_machine}: {exc}") from None
    print(version.arn)
    return 0


def _versions(args: argparse.Namespace, reader: Reader) -> int:
    with _service(args) as service:
        try:
            service.versions.describe_state_machine(args.state_machine)
            found = service.versions.list_versions(args.state_machine)
        except (StoreError, ValueError) as exc:
            raise UsageError(f"cannot list the versions of {args.state_machine}: {exc}") from None
    for version in found:
        note = f"  {version.description}" if version.description else ""
        print(f"{version.arn}  {version.created_at.isoformat()}{note}")
    return 0


def _delete_version(args: argparse.Namespace, reader: Reader) -> int:
    with _service(args) as service:
        try:
            service.versions.delete_version(_qualified(service, args.version))
        except (StoreError, ValueError) as exc:
            raise UsageError(f"cannot delete version {args.version}: {exc}") from None
    return 0


def _create_alias(args: argparse.Namespace, reader: Reader) -> int:
    with _service(args) as service:
        try:
            routes = _routes(service, args.state_machine, args.route)
            alias = service.aliases.create_alias(args.alias, routes, args.description)
        except (StoreError, ValueError) as exc:
            raise UsageError(
                f"cannot create alias {args.alias} of {args.state_machine}: {exc}"
            ) from None
    print(alias.arn)
    return 0


def _update_alias(args: argparse.Namespace, reader: Reader) -> int:
    with _service(args) as service:
        try:
            arn = _qualified(service, f"{args.state_machine}:{args.alias}")
            routes = _routes(service, args.state_machine, args.route) if args.route else None
            alias = service.aliases.update_alias(arn, args.description, routes)
        except (StoreError, ValueError) as exc:
            raise UsageError(
                f"cannot update alias {args.alias} of {args.state_machine}: {exc}"
            ) from None
    print(json.dumps(_shown(alias), indent=2))
    return 0


def _aliases(args: argparse.Namespace, reader: Reader) -> int:
    with _service(args) as service:
        try:
            found = service.aliases.list_aliases(args.state_machine)
        except (StoreError, ValueError) as exc:
            raise UsageError(f"cannot list the aliases of {args.state_machine}: {exc}") from None
    for alias in found:
        routes = ", ".join(
            f"{alias.state_machine_arn}:{r.version}={r.weight}" for r in alias.routes
        )
        print(f"{alias.arn}  {routes}")
    return 0


def _delete_alias(args: argparse.Namespace, reader: Reader) -> int:
    with _service(args) as service:
        try:
            service.aliases.delete_alias(_qualified(service, f"{args.state_machine}:{args.alias}"))
        except (StoreError, ValueError) as exc:
            raise UsageError(
                f"cannot delete alias {args.alias} of {args.state_machine}: {exc}"
            ) from None
    return 0


def _qualified(service: Service, text: str) -> str:
    """The ARN of ``NAME:qualifier`` (ARNs as they are)."""
    if text.startswith("arn:"):
        return text
    return service.versions.ref(text).qualified


def _routes(service: Service, machine: str, specs: list[str]) -> list[tuple[str, int]]:
    """``--route VERSION=WEIGHT`` options as (version ARN, weight) pairs."""
    if not specs:
        raise UsageError("give the alias at least one --route VERSION=WEIGHT")
    machine_arn = service.versions.ref(machine).arn
    routes = []
    for spec in specs:
        version, equals, weight = spec.rpartition("=")
        if not equals or not version or not weight.strip().lstrip("-").isdigit():
            raise UsageError(f"--route expects VERSION=WEIGHT (e.g. 1=80), got {spec!r}")
        version = version.strip()
        if not version.isdigit() and ":" not in version:
            raise UsageError(
                f"--route {spec}: the version is a number, NAME:N or a version ARN"
                " (VERSION=WEIGHT, e.g. 1=80)"
            )
        arn = f"{machine_arn}:{version}" if version.isdigit() else _qualified(service, version)
        routes.append((arn, int(weight)))
    return routes


def _shown(alias: AliasRecord) -> dict[str, Any]:
    shown = {
        "stateMachineAliasArn": alias.arn,
        "name": alias.name,
        "description": alias.description,
        "routingConfiguration": [
            {"stateMachineVersionArn": f"{alias.state_machine_arn}:{r.version}", "weight": r.weight}
            for r in alias.routes
        ],
        "creationDate": alias.created_at.isoformat(),
        "updateDate": alias.updated_at.isoformat(),
    }
    return {k: v for k, v in shown.items() if v is not None}
