"""stepline.toml: sections, env overlays, variables, templates, and every error message."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from project_support import PASS_MACHINE, write_project

from stepline.project.config import load_project
from stepline.project.errors import ConfigError

BASE = """
[project]
name = "demo"
[vars]
bucket = "demo-dev"
seconds = 5
[env.prod.vars]
bucket = "demo-prod"
[env.prod.state_machines.flow]
alias = "live"
[state_machines.flow]
definition = "orchestrations/flow.asl.json"
"""
WAIT = {
    "StartAt": "W",
    "States": {
        "W": {"Type": "Wait", "Seconds": "${seconds}", "Next": "P"},
        "P": {"Type": "Pass", "Result": "s3://${bucket}/in/ $${literal}", "End": True},
    },
}


def test_env_overlay_and_variables(tmp_path: Path) -> None:
    write_project(tmp_path, BASE, {"orchestrations/flow.asl.json": WAIT})
    dev = load_project(tmp_path)
    prod = load_project(tmp_path, "prod")
    (dev_machine,) = dev.machines
    (prod_machine,) = prod.machines
    dev_states = json.loads(dev_machine.definition)["States"]
    prod_states = json.loads(prod_machine.definition)["States"]
    # a whole-string variable keeps its type; a part of a string is text; $${ is literal
    assert dev_states["W"]["Seconds"] == 5
    assert dev_states["P"]["Result"] == "s3://demo-dev/in/ ${literal}"
    assert prod_states["P"]["Result"] == "s3://demo-prod/in/ ${literal}"
    assert dev_machine.alias is None and prod_machine.alias == "live"
    assert (dev.env, prod.env) == (None, "prod")
    assert prod.variables["project_dir"] == str(tmp_path.resolve())


def test_templates_deploy_once_per_instance(tmp_path: Path) -> None:
    template = {
        "StartAt": "P",
        "States": {"P": {"Type": "Pass", "Result": "${dataset}/${bucket}", "End": True}},
    }
    write_project(
        tmp_path,
        """
        [project]
        name = "t"
        [vars]
        bucket = "b"
        [state_machines.ingest]
        template = "orchestrations/ingest.asl.json"
        [[state_machines.ingest.instances]]
        params = { dataset = "orders" }
        [[state_machines.ingest.instances]]
        name = "customers-ingest"
        params = { dataset = "customers" }
        [state_machines.single]
        template = "orchestrations/ingest.asl.json"
        params = { dataset = "one" }
        """,
        {"orchestrations/ingest.asl.json": template},
    )
    project = load_project(tmp_path)
    results = {m.name: json.loads(m.definition)["States"]["P"]["Result"] for m in project.machines}
    assert results == {
        "ingest_orders": "orders/b",
        "customers-ingest": "customers/b",
        "single": "one/b",
    }


def test_jobs_queues_tables_topics_pipelines(tmp_path: Path) -> None:
    write_project(
        tmp_path,
        """
        [project]
        name = "all"
        [vars]
        bucket = "lake"
        [functions]
        greet = "functions:greet"
        [state_machines.flow]
        definition = "flow.json"
        [jobs.raw]
        script = "glue/jobs/raw.py"
        engine = "duckdb"
        bookmarks = "enable"
        arguments = { input = "s3://${bucket}/raw/", "--flag" = 1 }
        max_concurrent_runs = 3
        timeout = 10
        max_retries = 2
        [queues.dlq]
        [queues.work]
        dead_letter = "dlq"
        max_receive_count = 3
        attributes = { VisibilityTimeout = 60 }
        [topics.alerts]
        subscriptions = [{ protocol = "email", endpoint = "ops@example.com" }]
        [tables.orders]
        database = "Sales"
        location = "data/orders"
        format = "csv"
        header = true
        columns = { ID = "bigint", amount = "double" }
        partition_keys = { dt = "string" }
        [quality_profiles.strict]
        min_score = 0.9
        [quality.orders]
        checks = "quality/orders.sql"
        table = "sales.orders"
        profile = "strict"
        [pipelines.orders_daily]
        dataset = "orders"
        state_machine = "flow"
        partition = "$.process_date"
        replay_queue = "work"
        quality = "orders"
        """,
        {
            "flow.json": PASS_MACHINE,
            "glue/jobs/raw.py": "print('raw')\n",
            "quality/orders.sql": "SELECT 1 WHERE false;\n",
        },
    )
    project = load_project(tmp_path)
    (job,) = project.jobs
    assert job.members["Command"] == {
        "Name": "glueetl",
        "ScriptLocation": str(tmp_path.resolve() / "glue/jobs/raw.py"),
    }
    assert job.members["DefaultArguments"] == {
        "--input": "s3://lake/raw/",
        "--flag": "1",
        "--stepline-engine": "duckdb",
        "--job-bookmark-option": "job-bookmark-enable",
    }
    assert job.members["ExecutionProperty"] == {"MaxConcurrentRuns": 3}
    assert (job.members["Timeout"], job.members["MaxRetries"]) == (10, 2)
    # dead-letter queues come first: the other's RedrivePolicy names them
    assert [q.name for q in project.queues] == ["dlq", "work"]
    assert project.queues[1].attributes == {"VisibilityTimeout": "60"}
    (table,) = project.tables
    assert (table.key, table.location) == ("sales.orders", str(tmp_path.resolve() / "data/orders"))
    assert table.columns == (("id", "bigint"), ("amount", "double"))
    assert project.topics[0].subscriptions[0].endpoint == "ops@example.com"
    assert (
        project.quality[0].text.startswith("SELECT")
        and project.quality_profiles[0].min_score == 0.9
    )
    assert project.pipelines[0].replay_queue == "work"
    assert project.functions[0].target == "functions:greet"


MINIMAL = '[project]\nname = "x"\n'


@pytest.mark.parametrize(
    ("toml", "files", "message"),
    [
        ("[project]\nname = \n", {}, "stepline.toml: not valid TOML: "),
        (
            "[projekt]\nname = 'x'\n",
            {},
            "stepline.toml: projekt: unknown key (known keys: project,",
        ),
        ("[project]\n", {}, "stepline.toml: [project] name: is required"),
        (
            MINIMAL + "[jobs.orders_raw]\nscript = 'glue/jobs/x.py'\n",
            {},
            "stepline.toml: [jobs.orders_raw] script: file glue/jobs/x.py does not exist",
        ),
        (
            MINIMAL + "[jobs.j]\nscript = 'j.py'\ntimeout = 'long'\n",
            {"j.py": ""},
            "stepline.toml: [jobs.j] timeout: must be a whole number, got a string ('long')",
        ),
        (
            MINIMAL + "[jobs.j]\nscript = 'j.py'\ntimeout = 20000\n",
            {"j.py": ""},
            "stepline.toml: [jobs.j] [jobs.j].Timeout must be 1 to 10080, got 20000",
        ),
        (
            MINIMAL + "[jobs.j]\nscript = 'j.py'\ncommand = 'pythonshell'\nengine = 'spark'\n",
            {"j.py": ""},
            "stepline.toml: [jobs.j] engine: only glueetl jobs have an engine",
        ),
        (
            MINIMAL + "[jobs.j]\nscript = 'j.py'\nscirpt = 1\n",
            {"j.py": ""},
            "stepline.toml: [jobs.j] scirpt: unknown key (known keys: script,",
        ),
        (
            MINIMAL + "[jobs.j]\nscript = 's3://${bucket}/j.py'\n",
            {},
            "stepline.toml: [jobs.j] script: ${bucket} is not defined (declare it in [vars])",
        ),
        (
            MINIMAL + "[vars]\nproject = 'y'\n",
            {},
            "stepline.toml: [vars] project: project is built in",
        ),
        (
            MINIMAL + "[vars]\na = '${b}'\n",
            {},
            "stepline.toml: [vars] a: ${b} is not defined (a variable's value may use only",
        ),
        (
            MINIMAL + "[vars]\na = [1]\n",
            {},
            "stepline.toml: [vars] a: must be a string, number or boolean, got an array",
        ),
        (
            MINIMAL + "[state_machines.m]\ndefinition = 'm.json'\n",
            {"m.json": "{nope"},
            "m.json: not valid JSON (line 1 column 2): Expecting property name",
        ),
        (
            MINIMAL + "[state_machines.m]\ndefinition = 'm.json'\n",
            {"m.json": PASS_MACHINE},
            "m.json: /States/P/Result/bucket: ${bucket} is not defined (declare it in [vars];"
            " stepline.toml: [state_machines.m])",
        ),
        (
            MINIMAL + "[state_machines.m]\ndefinition = 'm.json'\n",
            {"m.json": {"StartAt": "Nowhere", "States": {}}},
            "m.json: not a valid STANDARD state machine (m): ",
        ),
        (
            MINIMAL + "[state_machines.m]\ndefinition = 'm.json'\ntemplate = 'm.json'\n",
            {"m.json": PASS_MACHINE},
            "stepline.toml: [state_machines.m] give either definition (one machine) or template",
        ),
        (
            MINIMAL + "[state_machines.m]\ntemplate = 'm.json'\n",
            {"m.json": PASS_MACHINE},
            "stepline.toml: [state_machines.m] a template needs instances",
        ),
        (
            MINIMAL
            + "[state_machines.m]\ndefinition = 'm.json'\ntype = 'FAST'\n[vars]\nbucket=1\n",
            {"m.json": PASS_MACHINE},
            "stepline.toml: [state_machines.m] type: must be one of STANDARD, EXPRESS, got 'FAST'",
        ),
        (
            MINIMAL + "[state_machines.m]\ndefinition = 'm.json'\nname = 'a b'\n[vars]\nbucket=1\n",
            {"m.json": PASS_MACHINE},
            "stepline.toml: [state_machines.m] name: state machine name 'a b' contains",
        ),
        (
            MINIMAL + "[state_machines.m]\ndefinition = 'm.json'\nalias = '12'\n[vars]\nbucket=1\n",
            {"m.json": PASS_MACHINE},
            "stepline.toml: [state_machines.m] alias: '12' is not an alias name",
        ),
        (
            MINIMAL
            + "[state_machines.m]\ndefinition = 'm.json'\nlogging = { level = 'ALL' }\n"
            + "[vars]\nbucket=1\n",
            {"m.json": PASS_MACHINE},
            "stepline.toml: [state_machines.m.logging] log_group: is required with level ALL",
        ),
        (
            MINIMAL + "[state_machines.a]\ndefinition = 'm.json'\n[state_machines.b]\n"
            "definition = 'm.json'\nname = 'a'\n[vars]\nbucket=1\n",
            {"m.json": PASS_MACHINE},
            "stepline.toml: [state_machines.b] name: deploys a state machine named 'a', as"
            " [state_machines.a] does",
        ),
        (
            MINIMAL + "[functions]\ngreet = 'functions.greet'\n",
            {},
            "stepline.toml: [functions] greet: must be \"module:function\", got 'functions.greet'",
        ),
        (
            MINIMAL + "[queues.q]\ndead_letter = 'gone'\n",
            {},
            "stepline.toml: [queues.q] dead_letter: 'gone' is not another queue of this project",
        ),
        (
            MINIMAL + "[queues.q]\nattributes = { VisibilityTimeout = 99999 }\n",
            {},
            "stepline.toml: [queues.q] Invalid value for the parameter VisibilityTimeout",
        ),
        (
            MINIMAL + "[queues.'bad name']\n",
            {},
            "stepline.toml: [queues.bad name] Can only include alphanumeric characters",
        ),
        (
            MINIMAL + "[topics.t]\nsubscriptions = [{ protocol = 'pigeon', endpoint = 'x' }]\n",
            {},
            "stepline.toml: [topics.t.subscriptions[0]] protocol: must be one of log, file,",
        ),
        (
            MINIMAL + "[topics.t]\nsubscriptions = [{ protocol = 'email', endpoint = 'nope' }]\n",
            {},
            "stepline.toml: [topics.t.subscriptions[0]] endpoint: Invalid parameter: Email",
        ),
        (
            MINIMAL + "[topics.t]\nsubscriptions = [{ protocol = 'http' }]\n",
            {},
            "stepline.toml: [topics.t.subscriptions[0]] endpoint: Invalid parameter: Endpoint: a",
        ),
        (
            MINIMAL + "[tables.t]\nlocation = 's3://bkt/t/'\ncolumns = {}\n",
            {},
            "stepline.toml: [tables.t] columns: is required: a table of column name = type",
        ),
        (
            MINIMAL
            + "[tables.t]\nlocation = 's3://bkt/t/'\nformat = 'orc'\ncolumns = { a = 'int' }\n",
            {},
            "stepline.toml: [tables.t] format: must be one of parquet, csv, json, got 'orc'",
        ),
        (
            MINIMAL
            + "[tables.t]\nlocation = 's3://bkt/t/'\nheader = true\ncolumns = { a = 'int' }\n",
            {},
            "stepline.toml: [tables.t] header: only a csv table has a header or a delimiter",
        ),
        (
            MINIMAL + "[quality.q]\nchecks = 'q.txt'\n",
            {"q.txt": ""},
            "stepline.toml: [quality.q] checks: q.txt must end with .sql",
        ),
        (
            MINIMAL + "[quality.q]\nchecks = 'q.sql'\nprofile = 'strict'\n",
            {"q.sql": ""},
            "stepline.toml: [quality.q] profile: 'strict' is not a [quality_profiles.<name>]",
        ),
        (
            MINIMAL + "[quality_profiles.p]\nmin_score = 2\n",
            {},
            "stepline.toml: [quality_profiles.p] min_score: must be 0 to 1, got 2",
        ),
        (
            MINIMAL + "[pipelines.p]\ndataset = 'd'\nstate_machine = 'nope'\npartition = '$.d'\n",
            {},
            "stepline.toml: [pipelines.p] state_machine: 'nope' is not one of this project's"
            " state machines (none)",
        ),
    ],
)
def test_errors_name_the_file_table_and_key(
    tmp_path: Path, toml: str, files: dict[str, object], message: str
) -> None:
    write_project(tmp_path, toml, files)
    with pytest.raises(ConfigError) as raised:
        load_project(tmp_path)
    assert str(raised.value).startswith(message), str(raised.value)


def test_unknown_env_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"no stepline.toml here \(stepline init"):
        load_project(tmp_path)
    write_project(tmp_path, BASE, {"orchestrations/flow.asl.json": WAIT})
    with pytest.raises(ConfigError) as raised:
        load_project(tmp_path, "staging")
    assert str(raised.value) == "stepline.toml: no [env.staging] (environments: prod)"


def test_project_functions_are_loaded_with_the_env_overlay(tmp_path: Path) -> None:
    import argparse

    from stepline.cli_project import with_project

    source = "def base(event, context):\n    return 1\n\ndef extra(event, context):\n    return 2\n"
    toml = "[functions]\nbase = 'overlay_handlers:base'\n"
    toml += "[env.ops.functions]\nextra = 'overlay_handlers:extra'\n"
    write_project(tmp_path, MINIMAL + toml, {"overlay_handlers.py": source})
    plain = with_project(lambda specs: {}, argparse.Namespace(project=str(tmp_path), env=None))
    assert sorted(plain([])) == ["base"]
    ops = with_project(lambda specs: {}, argparse.Namespace(project=str(tmp_path), env="ops"))
    loaded = ops([])
    assert sorted(loaded) == ["base", "extra"] and loaded["extra"]({}, None) == 2
