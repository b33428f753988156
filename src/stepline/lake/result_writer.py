"""A Distributed Map's ResultWriter over the lake: its children's results exported as AWS
does, under ``<Prefix>/<map run id>/``:

- ``SUCCEEDED_0.json``, ``FAILED_0.json`` (and ``PENDING_0.json``, never written here: a
  Map Run exports once all its children have ended) with the children's records;
- ``manifest.json``: ``{"DestinationBucket", "MapRunArn", "ResultFiles": {"FAILED": [...],
  "PENDING": [...], "SUCCEEDED": [...]}}``, each file as ``{"Key", "Size"}`` (the shape of
  a real AWS manifest quoted in a public repository).

``WriterConfig``: ``Transformation`` NONE (the default when exporting) writes each child's
record (``engine.map_items.result_records``); COMPACT only the outputs; FLATTEN the outputs
with arrays spliced in. Failed children's records are written whole whatever the
Transformation (AWS docs). ``OutputType`` JSON (default) writes a JSON array per file, JSONL
one record per line. Assumed: a category with no children writes no file and lists none;
files keep the ``.json`` name for JSONL too; one file per category (AWS splits at 5 GB).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, Final

from stepline.asl.errors import Json
from stepline.lake.objects import ObjectError, Objects
from stepline.lake.paths import LakePathError

CATEGORIES: Final = ("FAILED", "PENDING", "SUCCEEDED")


class ResultWriterError(Exception):
    """The write failed (the Map state fails with States.ResultWriterFailed and this cause)."""


def write_results(objects: Objects, request: Mapping[str, Any]) -> dict[str, str]:
    """Write the files; the manifest's ``{"Bucket", "Key"}``."""
    target = request.get("Parameters") or {}
    bucket = target.get("Bucket")
    if not isinstance(bucket, str) or not bucket:
        raise ResultWriterError(f"The ResultWriter's Bucket must be a non-empty string: {bucket!r}")
    prefix = target.get("Prefix") or ""
    if not isinstance(prefix, str):
        raise ResultWriterError(f"The ResultWriter's Prefix must be a string: {prefix!r}")
    map_run_arn = str(request.get("MapRunArn") or "")
    folder = f"{prefix.rstrip('/')}/" if prefix else ""
    folder += map_run_arn.rpartition(":")[2] + "/"
    config = request.get("WriterConfig") or {}
    records = request.get("Results") or []
    grouped: dict[str, list[Json]] = {category: [] for category in CATEGORIES}
    for record in records:
        if record.get("Status") == "SUCCEEDED":
            grouped["SUCCEEDED"].extend(_succeeded(record, config.get("Transformation")))
        else:
            grouped[
                record.get("Status") if record.get("Status") in CATEGORIES else "FAILED"
            ].append(record)
    files: dict[str, list[dict[str, Json]]] = {category: [] for category in CATEGORIES}
    try:
        for category in CATEGORIES:
            if not grouped[category]:
                continue
            key = f"{folder}{category}_0.json"
            body = _encode(grouped[category], config.get("OutputType") or "JSON")
            info = objects.put(bucket, key, body, content_type="application/json")
            files[category].append({"Key": key, "Size": info.size})
        manifest = {"DestinationBucket": bucket, "MapRunArn": map_run_arn, "ResultFiles": files}
        key = f"{folder}manifest.json"
        objects.put(bucket, key, json.dumps(manifest).encode(), content_type="application/json")
    except ObjectError as exc:
        raise ResultWriterError(f"{exc.code}: {exc.message}") from None
    except LakePathError as exc:
        raise ResultWriterError(str(exc)) from None
    return {"Bucket": bucket, "Key": key}


def _succeeded(record: Mapping[str, Json], transformation: str | None) -> Sequence[Json]:
    if transformation in (None, "NONE"):
        return [record]
    output = json.loads(str(record.get("Output", "null")))
    if transformation == "FLATTEN" and isinstance(output, list):
        return output
    return [output]


def _encode(values: list[Json], output_type: str) -> bytes:
    if output_type == "JSONL":
        return "".join(json.dumps(v, ensure_ascii=False) + "\n" for v in values).encode()
    return json.dumps(values, ensure_ascii=False).encode()
