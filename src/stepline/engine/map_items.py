"""Pure helpers of a Distributed Map's items and results: batches (ItemBatcher), the result
records a ResultWriter exports, and WriterConfig's transformations.

AWS (docs input-output-itembatcher): a child gets ``{"Items": [...], "BatchInput": {...}}``;
a batch holds at most MaxItemsPerBatch items and at most MaxInputBytesPerBatch bytes of JSON.
Assumed: the byte limit counts the whole batch object as compact UTF-8 JSON, and an item
larger than the limit on its own travels alone (AWS's behaviour there is not documented).

AWS (docs input-output-resultwriter; a real ``manifest.json`` quoted in a public repo): a
child's record is ``{ExecutionArn, Input, InputDetails, Name, Output, OutputDetails,
RedriveCount, RedriveStatus, RedriveStatusReason, StartDate, StateMachineArn, Status,
StopDate}`` (``Error`` and ``Cause`` instead of ``Output`` for a failed one), Input and
Output as JSON text. stepline runs a Map Run's children inside the parent execution, so the
ARN and name of each are made up (a name derived from the Map Run and the item's index, in
the ARN form of a Map Run's child: ``execution:<machine>/<label>:<name>``) and its dates are
the Map state's entry and the Map Run's end.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Final

from stepline.asl.dataflow import to_json_text
from stepline.asl.errors import Json
from stepline.engine.map_io_values import BatchPlan

_DATE_FORMAT: Final = "%Y-%m-%dT%H:%M:%S.{ms:03d}Z"


def batch_items(items: Sequence[Json], plan: BatchPlan) -> tuple[Json, ...]:
    """The items grouped in batches as ``plan`` allows, in order."""
    batches: list[Json] = []
    current: list[Json] = []
    empty = _batch([], plan)
    base = len(to_json_text(empty).encode())
    size = base
    for item in items:
        grows = len(to_json_text(item).encode()) + (1 if current else 0)
        full = plan.max_items is not None and len(current) >= plan.max_items
        too_big = plan.max_bytes is not None and size + grows > plan.max_bytes
        if current and (full or too_big):
            batches.append(_batch(current, plan))
            current, size = [], base
            grows -= 1
        current.append(item)
        size += grows
    if current:
        batches.append(_batch(current, plan))
    return tuple(batches)


def _batch(items: list[Json], plan: BatchPlan) -> dict[str, Json]:
    batch: dict[str, Json] = {"Items": items}
    if plan.has_batch_input:
        batch["BatchInput"] = plan.batch_input
    return batch


def child_name(map_run_arn: str, index: int) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{map_run_arn}#{index}"))


def aws_date(moment: datetime) -> str:
    """AWS's ISO 8601 form in exported results: ``2024-11-12T18:42:31.553Z``."""
    return moment.strftime(_DATE_FORMAT.format(ms=moment.microsecond // 1000))


def result_records(
    map_run_arn: str,
    state_machine_arn: str,
    inputs: Sequence[Json],
    results: Sequence[Json],
    failures: Mapping[int, tuple[str | None, str | None]],
    started: datetime,
    stopped: datetime,
) -> list[dict[str, Json]]:
    """One record per child, in item order (``failures``: index -> error, cause)."""
    machine, _, rest = map_run_arn.partition(":mapRun:")
    run_machine = rest.rpartition(":")[0]  # "<machine>/<label>"
    records = []
    for index, item_input in enumerate(inputs):
        name = child_name(map_run_arn, index)
        record: dict[str, Json] = {
            "ExecutionArn": f"{machine}:execution:{run_machine}:{name}",
            "Input": to_json_text(item_input),
            "InputDetails": {"Included": True},
            "Name": name,
        }
        if index in failures:
            error, cause = failures[index]
            if error is not None:
                record["Error"] = error
            if cause is not None:
                record["Cause"] = cause
            status = "FAILED"
        else:
            record["Output"] = to_json_text(results[index])
            record["OutputDetails"] = {"Included": True}
            status = "SUCCEEDED"
        record.update(
            {
                "RedriveCount": 0,
                "RedriveStatus": "NOT_REDRIVABLE",
                "RedriveStatusReason": f"Execution is {status} and cannot be redriven",
                "StartDate": aws_date(started),
                "StateMachineArn": f"{state_machine_arn}/{run_machine.partition('/')[2]}",
                "Status": status,
                "StopDate": aws_date(stopped),
            }
        )
        records.append(record)
    return records


def transformed(results: Sequence[Json], transformation: str | None) -> list[Json]:
    """AWS WriterConfig Transformation of the children's outputs: COMPACT (the default
    without export) keeps them; FLATTEN splices outputs that are arrays into the list."""
    if transformation != "FLATTEN":
        return list(results)
    flat: list[Json] = []
    for output in results:
        if isinstance(output, list):
            flat.extend(output)
        else:
            flat.append(output)
    return flat
