"""``stepline init``: the files of a new project, which deploys and runs as it is."""

from __future__ import annotations

import re
from pathlib import Path

STEPLINE_TOML = """\
# A stepline project: `stepline plan` shows what `stepline deploy` would change.
# Every key is described in stepline's docs/projects.md.
[project]
name = "{name}"

# ${{name}} in any string below, and in the definition files, is replaced by its value.
[vars]
greeting = "Hello"
bucket = "{bucket}-dev"

# `stepline deploy --env prod` lays this over the rest: same files, other values.
[env.prod.vars]
bucket = "{bucket}-prod"

# Lambda-style functions: a state machine's Task calls them by name.
[functions]
greet = "functions:greet"

[state_machines.hello]
definition = "orchestrations/hello.asl.json"
alias = "live"  # each deploy that changes it publishes a version and moves the alias

[jobs.hello]
script = "glue/jobs/hello.py"
command = "pythonshell"
arguments = {{ bucket = "${{bucket}}" }}

[tables.greetings]
location = "s3://${{bucket}}/greetings/"
format = "json"
columns = {{ name = "string", message = "string" }}

[quality.greetings]
checks = "quality/checks/hello.sql"
table = "default.greetings"
"""

HELLO_ASL = """\
{
  "Comment": "${project} (${env}): greet with a function, then run the hello job",
  "StartAt": "Greet",
  "States": {
    "Greet": {
      "Type": "Task",
      "Resource": "arn:aws:states:::lambda:invoke",
      "Parameters": {
        "FunctionName": "greet",
        "Payload": {"name.$": "$.name", "greeting": "${greeting}"}
      },
      "ResultSelector": {"message.$": "$.Payload.message"},
      "ResultPath": "$.greet",
      "Next": "RunJob"
    },
    "RunJob": {
      "Type": "Task",
      "Resource": "arn:aws:states:::glue:startJobRun.sync",
      "Parameters": {
        "JobName": "hello",
        "Arguments": {"--message.$": "$.greet.message"}
      },
      "ResultSelector": {"state.$": "$.JobRunState"},
      "ResultPath": "$.job",
      "End": true
    }
  }
}
"""

HELLO_JOB = '''\
"""The hello job: a Glue Python shell script (plain Python; its arguments as Glue gives them)."""

import sys

from awsglue.utils import getResolvedOptions

args = getResolvedOptions(sys.argv, ["JOB_NAME", "bucket", "message"])
print(f"{args['JOB_NAME']}: {args['message']} (bucket {args['bucket']})")
'''

FUNCTIONS = '''\
"""Lambda-style functions: handler(event, context), named in stepline.toml's [functions]."""


def greet(event, context):
    return {"message": f"{event['greeting']}, {event['name']}!"}
'''

HELLO_SQL = """\
-- Quality checks of default.greetings: each query's rows are the records that fail it.
SELECT * FROM "default"."greetings" WHERE message IS NULL OR message = '';
"""

README = """\
# {name}

A stepline project.

    stepline plan                 # what deploy would change
    stepline deploy               # state machines, jobs, tables (idempotent)
    stepline start hello:live --input '{{"name": "world"}}' --wait --project .
    stepline deploy --env prod    # the same, with [env.prod]'s values

`orchestrations/` holds the state machines (ASL), `glue/jobs/` the job scripts,
`functions.py` the functions their Tasks call, `quality/checks/` the SQL checks.
"""


def project_name(directory: Path) -> str:
    """A name for a project in ``directory``: its folder's name, made safe."""
    name = re.sub(r"[^A-Za-z0-9_-]+", "-", directory.resolve().name).strip("-")
    return name or "project"


def scaffold(directory: Path, name: str) -> list[tuple[Path, bool]]:
    """Write the new project's files; (path, written) each, False when one was kept."""
    files = {
        "stepline.toml": STEPLINE_TOML.format(name=name, bucket=_bucket(name)),
        "orchestrations/hello.asl.json": HELLO_ASL,
        "glue/jobs/hello.py": HELLO_JOB,
        "functions.py": FUNCTIONS,
        "quality/checks/hello.sql": HELLO_SQL,
        "README.md": README.format(name=name),
    }
    done: list[tuple[Path, bool]] = []
    for relative, text in files.items():
        path = directory / relative
        if path.exists():
            done.append((path, False))
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        done.append((path, True))
    return done


def _bucket(name: str) -> str:
    """An S3 bucket name's start from the project's name (lower case, no underscores)."""
    return re.sub(r"[^a-z0-9-]+", "-", name.lower()).strip("-")[:50] or "project"
