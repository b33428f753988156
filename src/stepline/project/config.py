"""Read a project's ``stepline.toml`` (stdlib ``tomllib``) into a ``Project``.

Order: parse; lay the ``[env.<name>]`` overlay over the rest (deep merge); take ``[vars]``
(with the built-in ``project``, ``env`` and ``project_dir``); substitute ``${name}`` in every
other string value; then read each section. Every problem raises ConfigError naming the file,
the table and the key. Pure but for reading the project's files.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final, NoReturn

from stepline.project import declare_lake, declare_machines, declare_resources
from stepline.project.errors import ConfigError, at
from stepline.project.reader import Section, kind
from stepline.project.specs import Project
from stepline.project.substitute import Undefined as UndefinedVariable
from stepline.project.substitute import VarValue, deep_merge, substitute, substitute_tree

CONFIG_FILE: Final = "stepline.toml"
SECTIONS: Final = (
    "project",
    "vars",
    "env",
    "functions",
    "state_machines",
    "jobs",
    "queues",
    "topics",
    "tables",
    "quality",
    "quality_profiles",
    "pipelines",
)
BUILT_IN: Final = ("project", "env", "project_dir")


def load_project(root: Path, env: str | None = None) -> Project:
    """The project at ``root`` as deployed to ``env`` (None: no overlay)."""
    root = root.resolve()
    path = root / CONFIG_FILE
    if not path.is_file():
        raise ConfigError(
            f"{root}: no {CONFIG_FILE} here (stepline init {root} makes a new project)"
        )
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{CONFIG_FILE}: not valid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{CONFIG_FILE}: cannot read it: {exc}") from None
    top = Section(CONFIG_FILE, "", raw)
    top.check_keys(SECTIONS)
    merged = _overlaid(top, env)
    project = Section(CONFIG_FILE, "project", _table(merged, "project"))
    project.check_keys(("name", "description"))
    name = project.string("name")
    variables = _variables(
        Section(CONFIG_FILE, "vars", _table(merged, "vars")),
        {"project": name, "env": env or "default", "project_dir": str(root)},
    )
    rest = {k: v for k, v in merged.items() if k not in ("vars", "env")}
    resolved = substitute_tree(rest, variables, "", _undefined_in_config)
    config = Section(CONFIG_FILE, "", resolved)
    machines = declare_machines.machines(config.table_of("state_machines"), root, variables)
    queues = declare_resources.queues(config.table_of("queues"))
    profiles = declare_lake.profiles(config.table_of("quality_profiles"))
    quality = declare_lake.quality(config.table_of("quality"), root, profiles)
    return Project(
        name=name,
        root=root,
        file=CONFIG_FILE,
        env=env,
        variables=variables,
        machines=machines,
        jobs=declare_resources.jobs(config.table_of("jobs"), root),
        functions=declare_resources.functions(config.table_of("functions")),
        queues=queues,
        topics=declare_resources.topics(config.table_of("topics")),
        tables=declare_lake.tables(config.table_of("tables"), root),
        quality=quality,
        quality_profiles=profiles,
        pipelines=declare_lake.pipelines(config.table_of("pipelines"), machines, queues, quality),
    )


def environments(root: Path) -> list[str]:
    """The ``[env.<name>]`` names of the project at ``root``, as declared."""
    try:
        raw = tomllib.loads((root / CONFIG_FILE).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return []
    envs = raw.get("env")
    return list(envs) if isinstance(envs, Mapping) else []


def _table(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, Mapping):
        raise at(CONFIG_FILE, "", key, f"must be a table, got {kind(value)}")
    return value


def _overlaid(top: Section, env: str | None) -> dict[str, Any]:
    envs = top.table_of("env")
    for _, overlay in envs.children():
        overlay.check_keys(tuple(s for s in SECTIONS if s != "env"))
    base = {k: v for k, v in top.data.items() if k != "env"}
    if env is None:
        return base
    if env not in envs.data:
        known = ", ".join(envs.data) or "none declared"
        raise ConfigError(f"{CONFIG_FILE}: no [env.{env}] (environments: {known})")
    return deep_merge(base, envs.data[env])


def _variables(section: Section, built_in: dict[str, str]) -> dict[str, VarValue]:
    variables: dict[str, VarValue] = dict(built_in)
    for name, value in section.data.items():
        if name in BUILT_IN:
            raise section.error(name, f"{name} is built in (project, env, project_dir)")
        if isinstance(value, str):
            try:
                value = substitute(value, built_in)
            except UndefinedVariable as exc:
                raise section.error(
                    name,
                    f"${{{exc.name}}} is not defined (a variable's value may use only"
                    " ${project}, ${env} and ${project_dir})",
                ) from None
        if not isinstance(value, str | int | float | bool):
            raise section.error(name, f"must be a string, number or boolean, got {kind(value)}")
        variables[name] = value
    return variables


def _undefined_in_config(pointer: str, name: str) -> NoReturn:
    parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.strip("/").split("/")]
    table = ".".join(p for p in parts[:-1] if not p.isdigit())
    raise at(CONFIG_FILE, table, parts[-1], f"${{{name}}} is not defined (declare it in [vars])")
