"""Apply a plan through the services: create what is new, update what changed, publish a
version and move the alias of each state machine that declares one. Idempotent: deploying
the same project again changes nothing and publishes no version (``Versions`` keeps a
revision that does not change, and publishing an unchanged revision returns its version).

Not transactional: a failure stops the deployment where it is; what was applied stays, and
deploying again carries on from there.
"""

from __future__ import annotations

from dataclasses import dataclass

from stepline.asl.errors import DefinitionError
from stepline.athena.catalog import LakeCatalog
from stepline.athena.errors import ApiError, QueryFailure
from stepline.jobs.faults import JobsError
from stepline.project.appliers import Appliers
from stepline.project.plan import Change, Plan, plan, queue_attributes_wanted, table_shape
from stepline.project.specs import JobSpec, MachineSpec, Project, QueueSpec, TableSpec
from stepline.project.state import Current, read_current
from stepline.queues.errors import QueueError
from stepline.queues.service import Queues
from stepline.service import Service
from stepline.store.protocol import StoreError
from stepline.store.records import Tag
from stepline.tags import Tags
from stepline.usage import UsageError

# What the services raise for a request they refuse (all carry a message for the user).
_REFUSED = (StoreError, JobsError, QueueError, ApiError, QueryFailure, DefinitionError, ValueError)


class DeployError(UsageError):
    """The deployment stopped: a conflict in the plan, or a resource the services refused."""


@dataclass(frozen=True)
class Applied:
    change: Change
    outcome: str  # what was done, e.g. "updated (definition changed; version 2; ...)"

    def line(self) -> str:
        return f"{self.change.kind} {self.change.name}: {self.outcome}"


def current_of(service: Service, project: Project, appliers: Appliers) -> Current:
    return read_current(service.store, service.account, project, appliers)


def plan_for(service: Service, project: Project, appliers: Appliers | None = None) -> Plan:
    return plan(project, current_of(service, project, appliers or Appliers()))


def deploy(service: Service, project: Project, appliers: Appliers | None = None) -> list[Applied]:
    """Plan, then apply every change in order (raises DeployError on a conflict, before
    anything is applied)."""
    appliers = appliers or Appliers()
    the_plan = plan_for(service, project, appliers)
    if the_plan.conflicts:
        lines = "\n".join(f"  {c.line()}" for c in the_plan.conflicts)
        raise DeployError(f"nothing deployed: the plan has conflicts\n{lines}")
    current = current_of(service, project, appliers)
    done: list[Applied] = []
    for change in the_plan.changes:
        try:
            done.append(Applied(change, _apply(service, change, current, appliers, project)))
        except _REFUSED as exc:
            raise DeployError(
                f"{change.kind} {change.name}: {exc}\n(applied before it: {len(done)} of"
                f" {len(the_plan.changes)}; deploy again once fixed)"
            ) from None
    return done


def _apply(
    service: Service, change: Change, current: Current, appliers: Appliers, project: Project
) -> str:
    if change.action in ("unchanged", "local", "not applied"):
        reasons = f" ({'; '.join(change.reasons)})" if change.reasons else ""
        return f"{change.action}{reasons}"
    if change.kind == "state machine":
        return _machine(service, change, project)
    if change.kind == "job":
        return _job(service, change)
    if change.kind == "queue":
        return _queue(service, change, current)
    if change.kind == "table":
        return _table(service, change)
    _through_applier(change, appliers)
    return f"{change.action}d ({'; '.join(change.reasons)})"


def _machine(service: Service, change: Change, project: Project) -> str:
    spec: MachineSpec = change.spec
    diff = change.diff
    assert diff is not None
    arn = service.account.state_machine_arn(spec.name)
    description = f"stepline deploy{f' --env {project.env}' if project.env else ''}"
    version_arn: str | None = None
    if diff.create:
        service.create_state_machine(
            spec.name,
            spec.definition,
            spec.role_arn,
            publish=diff.publish,
            version_description=description if diff.publish else None,
            tags=[Tag(k, v) for k, v in spec.tags.items()],
            logging=spec.logging,
            type=spec.type,
        )
        if diff.publish:
            version_arn = service.versions.list_versions(arn)[0].arn
    else:
        if diff.definition:
            updated = service.versions.update_state_machine(
                arn, spec.definition, spec.role_arn, diff.publish,
                description if diff.publish else None,
            )  # fmt: skip
            version_arn = updated.version.arn if updated.version else None
        elif diff.publish:
            version_arn = service.versions.publish_version(arn, None, description).arn
        if diff.logging:
            service.versions.configure(arn, logging=spec.logging)
        tags = Tags(service.store)
        if diff.tags_add:
            tags.tag_resource(arn, [Tag(k, v) for k, v in diff.tags_add.items()])
        if diff.tags_remove:
            tags.untag_resource(arn, diff.tags_remove)
    notes = list(change.reasons)
    if diff.alias is not None and spec.alias is not None:
        if diff.alias_version is not None:
            version_arn = f"{arn}:{diff.alias_version}"
        assert version_arn is not None
        routes = [(version_arn, 100)]
        if diff.alias == "create":
            service.aliases.create_alias(spec.alias, routes)
        else:
            service.aliases.update_alias(f"{arn}:{spec.alias}", routes=routes)
        number = version_arn.rsplit(":", 1)[-1]
        notes = [n for n in notes if not n.startswith(("alias ", "publish ", "version 1"))]
        notes.append(f"alias {spec.alias} -> version {number}")
    return f"{'created' if diff.create else 'updated'} ({'; '.join(notes)})"


def _job(service: Service, change: Change) -> str:
    spec: JobSpec = change.spec
    if change.action == "create":
        service.jobs.create(spec.name, spec.members, spec.tags)
        return f"created ({spec.script})"
    service.jobs.update(spec.name, spec.members)
    return f"updated ({'; '.join(change.reasons)})"


def _queue(service: Service, change: Change, current: Current) -> str:
    spec: QueueSpec = change.spec
    queues = Queues(service.store, service.clock, service.account)
    wanted = queue_attributes_wanted(spec, current)
    given = {k: v for k, v in wanted.items() if k in spec.attributes or k == "RedrivePolicy"}
    if change.action == "create":
        url = queues.create_queue(spec.name, {k: v for k, v in given.items() if v}, spec.tags)
        return f"created ({url})"
    url = queues.url_for(spec.name)
    queues.set_attributes(url, {k: v for k, v in wanted.items() if k != "FifoQueue"})
    kept = queues.tags(url)
    queues.tag(url, spec.tags, [k for k in kept if k not in spec.tags])
    return f"updated ({'; '.join(change.reasons)})"


def _table(service: Service, change: Change) -> str:
    spec: TableSpec = change.spec
    catalog = LakeCatalog(service.store, service.clock)
    catalog.ensure_database(spec.database)
    sd, keys, parameters = table_shape(spec)
    table = catalog.new_table(spec.database, spec.name, sd, keys, parameters, spec.description)
    if change.action == "create":
        catalog.create_table(table)
        return f"created ({spec.format} at {spec.location})"
    catalog.update_table(table)
    return f"updated ({'; '.join(change.reasons)})"


def _through_applier(change: Change, appliers: Appliers) -> None:
    """A change planned with its applier (planned "not applied" without one)."""
    topics, quality, pipelines = appliers.topics, appliers.quality, appliers.pipelines
    if change.kind == "topic" and topics is not None:
        topics.apply_topic(change.spec)
    elif change.kind == "quality" and quality is not None:
        quality.apply_quality(change.spec)
    elif change.kind == "quality profile" and quality is not None:
        quality.apply_profile(change.spec)
    elif change.kind == "pipeline" and pipelines is not None:
        pipelines.apply_pipeline(change.spec)
    else:
        raise AssertionError(f"no applier for the planned change {change.line()}")
