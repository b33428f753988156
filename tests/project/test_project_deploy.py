"""plan and deploy against a real store (SQLite and PostgreSQL): idempotent, versions and
aliases, env overlays, templates, jobs, queues, tables, and the appliers' seam."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from project_support import write_project

from stepline.project.appliers import Appliers
from stepline.project.config import load_project
from stepline.project.deploy import DeployError, deploy, plan_for
from stepline.project.specs import PipelineSpec, TopicSpec
from stepline.queues.service import Queues
from stepline.runtime.clock import RealClock
from stepline.service import Service
from stepline.store.open import open_store

CONFIG = """
[project]
name = "shop"
[vars]
bucket = "shop-dev"
[env.prod.vars]
bucket = "shop-prod"
[env.prod.queues.work]
max_receive_count = 9
[state_machines.orders]
definition = "orchestrations/orders.asl.json"
alias = "live"
tags = { team = "data" }
[state_machines.ingest]
template = "orchestrations/ingest.asl.json"
[[state_machines.ingest.instances]]
params = { dataset = "orders" }
[[state_machines.ingest.instances]]
params = { dataset = "customers" }
[jobs.raw]
script = "glue/jobs/raw.py"
command = "pythonshell"
arguments = { bucket = "${bucket}" }
[queues.dlq]
[queues.work]
dead_letter = "dlq"
attributes = { VisibilityTimeout = 60 }
[tables.orders]
database = "sales"
location = "s3://${bucket}/orders/"
format = "csv"
header = true
columns = { id = "bigint", amount = "double" }
partition_keys = { dt = "string" }
[topics.alerts]
subscriptions = [{ protocol = "email", endpoint = "ops@example.com" }]
[pipelines.orders_daily]
dataset = "orders"
state_machine = "orders"
partition = "$.process_date"
replay_queue = "work"
"""


def orders_machine(result: str) -> dict[str, object]:
    return {
        "StartAt": "P",
        "States": {"P": {"Type": "Pass", "Result": result, "End": True}},
    }


@pytest.fixture
def project_dir(tmp_path: Path) -> Path:
    return write_project(
        tmp_path / "shop",
        CONFIG,
        {
            "orchestrations/orders.asl.json": orders_machine("s3://${bucket}/orders/"),
            "orchestrations/ingest.asl.json": orders_machine("${dataset} in ${bucket}"),
            "glue/jobs/raw.py": "print('raw')\n",
        },
    )


@pytest.fixture
def service(durable_url: str) -> Iterator[Service]:
    store = open_store(durable_url)
    service = Service(store, RealClock())
    yield service
    service.close()
    store.close()


def actions(service: Service, project_dir: Path, env: str | None = None) -> dict[str, str]:
    planned = plan_for(service, load_project(project_dir, env))
    return {f"{c.kind} {c.name}": c.action for c in planned.changes}


def test_plan_deploy_idempotent(service: Service, project_dir: Path) -> None:
    before = actions(service, project_dir)
    assert before == {
        "queue dlq": "create",
        "queue work": "create",
        "job raw": "create",
        "table sales.orders": "create",
        "state machine orders": "create",
        "state machine ingest_orders": "create",
        "state machine ingest_customers": "create",
        "topic alerts": "not applied",
        "pipeline orders_daily": "not applied",
    }
    done = deploy(service, load_project(project_dir))
    assert [a.change.action for a in done].count("create") == 7
    lines = [a.line() for a in done]
    assert "state machine orders: created (new; type STANDARD; alias live -> version 1)" in lines
    assert "topic alerts: not applied (no topics applier)" in lines
    machine = service.state_machine("orders")
    assert json.loads(machine.definition)["States"]["P"]["Result"] == "s3://shop-dev/orders/"
    assert [v.number for v in service.versions.list_versions("orders")] == [1]
    assert service.aliases.describe_alias(machine.arn + ":live").routes[0].version == 1
    assert {t.key: t.value for t in service.store.list_tags(machine.arn)} == {"team": "data"}

    after = actions(service, project_dir)
    assert set(after.values()) == {"unchanged", "not applied"}
    again = deploy(service, load_project(project_dir))
    assert all(a.change.action in ("unchanged", "not applied") for a in again)
    assert [v.number for v in service.versions.list_versions("orders")] == [1]
    assert machine.revision_id == service.state_machine("orders").revision_id

    # what was deployed is usable: a job, queues with the redrive policy, the table
    job = json.loads(service.store.get_job("raw").definition)  # type: ignore[union-attr]
    assert job["DefaultArguments"] == {"--bucket": "shop-dev"}
    queues = Queues(service.store, service.clock, service.account)
    attributes = queues.get_attributes(queues.url_for("work"), ["All"])
    assert attributes["VisibilityTimeout"] == "60"
    assert json.loads(attributes["RedrivePolicy"]) == {
        "deadLetterTargetArn": queues.queue_arn("dlq"),
        "maxReceiveCount": 10,
    }
    table = service.store.get_lake_table("sales", "orders")
    assert table is not None and table.location == "s3://shop-dev/orders/"
    assert table.parameters["skip.header.line.count"] == "1"


def test_edited_definition_updates_publishes_and_moves_the_alias(
    service: Service, project_dir: Path
) -> None:
    deploy(service, load_project(project_dir))
    (project_dir / "orchestrations/orders.asl.json").write_text(
        json.dumps(orders_machine("changed ${bucket}"))
    )
    planned = plan_for(service, load_project(project_dir))
    (change,) = [c for c in planned.changes if c.name == "orders"]
    assert change.action == "update"
    assert change.reasons == (
        "definition changed",
        "publish a new version",
        "alias live version 1 -> the new version",
    )
    assert {c.action for c in planned.changes if c.name != "orders"} <= {
        "unchanged",
        "not applied",
    }
    done = deploy(service, load_project(project_dir))
    (applied,) = [a for a in done if a.change.name == "orders"]
    assert applied.line() == (
        "state machine orders: updated (definition changed; alias live -> version 2)"
    )
    assert [v.number for v in service.versions.list_versions("orders")] == [2, 1]
    alias = service.aliases.describe_alias(service.state_machine("orders").arn + ":live")
    assert [(r.version, r.weight) for r in alias.routes] == [(2, 100)]
    started = service.start_execution("orders:live")
    assert started.version_arn is not None and started.version_arn.endswith(":orders:2")
    assert set(actions(service, project_dir).values()) == {"unchanged", "not applied"}

    # the alias moved by hand is moved back to the version of the current revision
    service.aliases.update_alias(alias.arn, routes=[(f"{alias.state_machine_arn}:1", 100)])
    planned = plan_for(service, load_project(project_dir))
    (change,) = [c for c in planned.changes if c.name == "orders"]
    assert change.reasons == ("alias live version 1 -> version 2",)
    deploy(service, load_project(project_dir))
    assert service.aliases.describe_alias(alias.arn).routes[0].version == 2
    assert len(service.versions.list_versions("orders")) == 2


def test_env_overlay_deploys_the_same_files_with_other_values(
    service: Service, project_dir: Path, tmp_path: Path
) -> None:
    deploy(service, load_project(project_dir))
    dev = json.loads(service.state_machine("orders").definition)
    prod_plan = actions(service, project_dir, "prod")
    # the same resources differ only by configuration
    assert prod_plan["state machine orders"] == "update"
    assert prod_plan["state machine ingest_orders"] == "update"
    assert prod_plan["queue work"] == "update"
    assert prod_plan["queue dlq"] == "unchanged"
    deploy(service, load_project(project_dir, "prod"))
    prod = json.loads(service.state_machine("orders").definition)
    assert dev["States"]["P"]["Result"] == "s3://shop-dev/orders/"
    assert prod["States"]["P"]["Result"] == "s3://shop-prod/orders/"
    del dev["States"]["P"]["Result"], prod["States"]["P"]["Result"]
    assert dev == prod
    ingest = json.loads(service.state_machine("ingest_customers").definition)
    assert ingest["States"]["P"]["Result"] == "customers in shop-prod"
    version = service.versions.list_versions("orders")[0]
    assert version.description == "stepline deploy --env prod"
    queues = Queues(service.store, service.clock, service.account)
    policy = queues.get_attributes(queues.url_for("work"), ["RedrivePolicy"])["RedrivePolicy"]
    assert json.loads(policy)["maxReceiveCount"] == 9
    assert set(actions(service, project_dir, "prod").values()) == {"unchanged", "not applied"}


def test_type_change_is_a_conflict_and_nothing_is_deployed(
    service: Service, project_dir: Path
) -> None:
    deploy(service, load_project(project_dir))
    toml = project_dir / "stepline.toml"
    toml.write_text(
        toml.read_text().replace('alias = "live"', 'alias = "live"\ntype = "EXPRESS"')
        + "\n[queues.extra]\n"
    )
    planned = plan_for(service, load_project(project_dir))
    (conflict,) = planned.conflicts
    assert conflict.line() == (
        "! state machine orders: conflict (type STANDARD -> EXPRESS: a machine's type cannot"
        " change; delete it first)"
    )
    with pytest.raises(DeployError, match="nothing deployed: the plan has conflicts"):
        deploy(service, load_project(project_dir))
    assert service.store.get_queue("extra") is None


def test_tables_jobs_and_queues_update_in_place(service: Service, project_dir: Path) -> None:
    deploy(service, load_project(project_dir))
    toml = project_dir / "stepline.toml"
    text = toml.read_text()
    text = text.replace("VisibilityTimeout = 60", "VisibilityTimeout = 45")
    text = text.replace('amount = "double"', 'amount = "double", note = "string"')
    text = text.replace('command = "pythonshell"', 'command = "pythonshell"\nmax_retries = 2')
    toml.write_text(text)
    planned = plan_for(service, load_project(project_dir))
    reasons = {c.name: c.reasons for c in planned.changes if c.action == "update"}
    assert reasons == {
        "work": ("VisibilityTimeout changed",),
        "raw": ("MaxRetries changed",),
        "sales.orders": ("columns changed",),
    }
    deploy(service, load_project(project_dir))
    table = service.store.get_lake_table("sales", "orders")
    assert table is not None and [c.name for c in table.storage_descriptor.columns] == [
        "id",
        "amount",
        "note",
    ]
    assert json.loads(service.store.get_job("raw").definition)["MaxRetries"] == 2  # type: ignore[union-attr]
    assert set(actions(service, project_dir).values()) == {"unchanged", "not applied"}


@dataclass
class KeptTopics:
    """A topics applier that keeps what it is given (as the SNS branch's will, in its store)."""

    topics: dict[str, TopicSpec] = field(default_factory=dict)

    def current_topic(self, name: str) -> TopicSpec | None:
        return self.topics.get(name)

    def apply_topic(self, spec: TopicSpec) -> None:
        self.topics[spec.name] = spec


@dataclass
class KeptPipelines:
    pipelines: dict[str, PipelineSpec] = field(default_factory=dict)

    def current_pipeline(self, name: str) -> PipelineSpec | None:
        return self.pipelines.get(name)

    def apply_pipeline(self, spec: PipelineSpec) -> None:
        self.pipelines[spec.name] = spec


def test_appliers_plan_and_apply_topics_and_pipelines(service: Service, project_dir: Path) -> None:
    topics, pipelines = KeptTopics(), KeptPipelines()
    appliers = Appliers(topics=topics, pipelines=pipelines)
    project = load_project(project_dir)
    planned = plan_for(service, project, appliers)
    assert {c.name: c.action for c in planned.changes if c.kind in ("topic", "pipeline")} == {
        "alerts": "create",
        "orders_daily": "create",
    }
    deploy(service, project, appliers)
    assert topics.topics["alerts"].subscriptions[0].endpoint == "ops@example.com"
    assert pipelines.pipelines["orders_daily"].partition == "$.process_date"
    toml = project_dir / "stepline.toml"
    toml.write_text(toml.read_text().replace("ops@example.com", "data@example.com"))
    changed = plan_for(service, load_project(project_dir), appliers)
    assert [(c.name, c.action) for c in changed.pending] == [("alerts", "update")]
    deploy(service, load_project(project_dir), appliers)
    assert topics.topics["alerts"].subscriptions[0].endpoint == "data@example.com"


def test_pipelines_deploy_into_the_ledger(service: Service, project_dir: Path) -> None:
    from stepline.cli_project import live_appliers
    from stepline.pipelines.service import Pipelines

    toml = project_dir / "stepline.toml"
    with_input = 'replay_queue = "work"\ninput = { process_date = "$${partition}", n = 1 }\n'
    toml.write_text(toml.read_text().replace('replay_queue = "work"\n', with_input))
    project = load_project(project_dir)
    appliers = live_appliers(service)
    deploy(service, project, appliers)
    record = service.store.get_pipeline("orders_daily")
    assert record is not None and record.dataset == "orders"
    assert record.state_machine_arn.endswith(":stateMachine:orders:live")  # its alias
    assert record.replay_queue == "work"
    pipelines = Pipelines(service)
    assert json.loads(pipelines.backfill_input(record, "2025-01-02")) == {
        "process_date": "2025-01-02",
        "n": 1,
    }
    again = plan_for(service, load_project(project_dir), appliers)
    assert next(c for c in again.changes if c.kind == "pipeline").action == "unchanged"


def test_topics_deploy_into_the_store(service: Service, project_dir: Path) -> None:
    from stepline.cli_project import live_appliers
    from stepline.notifications.service import Notifications

    appliers = live_appliers(service)
    deploy(service, load_project(project_dir), appliers)
    notifications = Notifications(service.store, service.clock, service.account)
    kept = [(s.protocol, s.endpoint) for s in notifications.subscriptions("alerts")]
    assert kept == [("email", "ops@example.com")]
    toml = project_dir / "stepline.toml"
    toml.write_text(
        toml.read_text().replace(
            '{ protocol = "email", endpoint = "ops@example.com" }',
            '{ protocol = "log" }, { protocol = "file", endpoint = "out/alerts.jsonl" }',
        )
    )
    changed = plan_for(service, load_project(project_dir), appliers)
    assert [(c.name, c.action) for c in changed.pending] == [("alerts", "update")]
    deploy(service, load_project(project_dir), appliers)
    kept = sorted((s.protocol, s.endpoint) for s in notifications.subscriptions("alerts"))
    assert kept == [("file", str(Path("out/alerts.jsonl").absolute())), ("log", "stderr")]
    again = plan_for(service, load_project(project_dir), appliers)
    assert not again.pending
