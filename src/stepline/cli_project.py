"""``stepline init``, ``plan`` and ``deploy``: project folders (``stepline.toml``); and the
``--project DIR`` option that loads a project's functions in ``worker``, ``serve``, ``start``
and ``redrive`` (thin over ``stepline.project``).

    stepline init [DIR] [--name NAME]
    stepline plan [--project DIR] [--env NAME] [--db URL]
    stepline deploy [--project DIR] [--env NAME] [--db URL]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from stepline.cli_store import _service, store_command
from stepline.project.appliers import Appliers
from stepline.project.config import CONFIG_FILE, load_project
from stepline.project.deploy import deploy, plan_for
from stepline.project.functions import load_functions
from stepline.project.scaffold import project_name, scaffold
from stepline.project.specs import Project
from stepline.service import Service
from stepline.usage import UsageError

Loader = Callable[[list[str]], dict[str, Any]]


def add_project_commands(commands: Any) -> None:
    init: argparse.ArgumentParser = commands.add_parser(
        "init", help=f"make a new project: {CONFIG_FILE}, a state machine, a job, functions"
    )
    init.add_argument("directory", nargs="?", default=".", metavar="DIR")
    init.add_argument("--name", default=None, help="the project's name (default: DIR's name)")
    init.set_defaults(command=_init)

    plan = store_command(commands, "plan", "show what deploy would change", _plan)
    deploy_cmd = store_command(
        commands, "deploy", "create or update the project's resources (idempotent)", _deploy
    )
    for parser in (plan, deploy_cmd):
        add_project_option(parser, ".")


def add_project_option(parser: argparse.ArgumentParser, default: str | None = None) -> None:
    """``--project DIR`` and ``--env NAME`` (the overlay its configuration is read with)."""
    shown = f" (default {default})" if default else ""
    parser.add_argument(
        "--project",
        default=default,
        metavar="DIR",
        help=f"the project folder (its {CONFIG_FILE}){shown}",
    )
    parser.add_argument("--env", default=None, help="lay [env.NAME] over the configuration")


def with_project(loader: Loader, args: argparse.Namespace) -> Loader:
    """``loader`` (of ``--functions`` specs) plus the functions of ``--project``, if given."""
    directory = getattr(args, "project", None)
    if not directory:
        return loader

    def load(specs: list[str]) -> dict[str, Any]:
        project = load_project(Path(directory), getattr(args, "env", None))
        return {**loader(specs), **load_functions(project)}

    return load


def _init(args: argparse.Namespace) -> int:
    directory = Path(args.directory)
    if (directory / CONFIG_FILE).exists():
        raise UsageError(f"{directory / CONFIG_FILE} exists already: this is a project")
    if directory.exists() and not directory.is_dir():
        raise UsageError(f"{directory} is not a folder")
    name = args.name or project_name(directory)
    for path, written in scaffold(directory, name):
        print(f"{'created' if written else 'kept   '} {path}")
    print(f"\nnext: cd {directory} && stepline deploy", file=sys.stderr)
    return 0


def _load(args: argparse.Namespace) -> Project:
    project = load_project(Path(args.project), args.env)
    load_functions(project)  # a function that does not import fails here, not in a worker
    return project


def _plan(args: argparse.Namespace) -> int:
    project = _load(args)
    with _service(args) as service:
        planned = plan_for(service, project, live_appliers(service))
    print(_heading(project))
    for change in planned.changes:
        print(change.line())
    print(f"plan: {planned.summary()}")
    return 1 if planned.conflicts else 0


def _deploy(args: argparse.Namespace) -> int:
    project = _load(args)
    with _service(args) as service:
        print(_heading(project))
        done = deploy(service, project, live_appliers(service))
    for applied in done:
        print(applied.line())
    changed = sum(a.change.action in ("create", "update") for a in done)
    print(f"deployed: {changed} changed, {len(done) - changed} as they were")
    return 0


def live_appliers(service: Service) -> Appliers:
    """What deploys a project's pipelines, topics and quality rules into this store."""
    from stepline.notifications.applier import StoreTopics
    from stepline.notifications.service import Notifications
    from stepline.pipelines.applier import LedgerPipelines
    from stepline.pipelines.service import Pipelines

    notifications = Notifications(service.store, service.clock, service.account)
    return Appliers(
        topics=StoreTopics(notifications), pipelines=LedgerPipelines(Pipelines(service))
    )


def _heading(project: Project) -> str:
    env = f" (env {project.env})" if project.env else ""
    return f"project {project.name}{env} at {project.root}"
