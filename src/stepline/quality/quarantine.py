"""Quarantine: a failed partition moved out of readers' sight, and back.

``quarantine`` renames ``<table location>/k=v`` (or ``<path>/k=v``) to
``<location>/_quarantine/k=v``: names starting with "_" are skipped by stepline's readers
(Athena views, Glue-style jobs, quality runs) and by Spark's, so downstream readers no longer
see it; a partition registered in the catalog is dropped from it too. A marker file
``_stepline_quarantine.json`` inside the moved folder remembers what was done (invisible to
readers as well). ``release`` renames it back and registers the partition again if it was.
Both are one ``rename`` of the directory (atomic on one file system).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from stepline.athena.catalog import LakeCatalog
from stepline.athena.views import local_dir
from stepline.lake.paths import LakePathError, LakePaths
from stepline.quality.target import (
    Target,
    TargetError,
    find_table,
    parse_partition,
    partition_dir,
    partition_values,
)
from stepline.runtime.clock import Clock

QUARANTINE_DIR: Final = "_quarantine"
MARKER: Final = "_stepline_quarantine.json"


@dataclass(frozen=True, slots=True)
class Moved:
    source: Path  # where readers look
    quarantine: Path  # where it is kept meanwhile
    registered: bool  # in the catalog (before the quarantine / after the release)

    def to_json(self) -> dict[str, Any]:
        return {
            "partition_dir": str(self.source),
            "quarantine_dir": str(self.quarantine),
            "registered": self.registered,
        }


class Quarantine:
    def __init__(self, catalog: LakeCatalog, lake: LakePaths, clock: Clock) -> None:
        self.catalog = catalog
        self.lake = lake
        self.clock = clock

    def _places(self, target: Target) -> tuple[Path, str]:
        """The dataset's root folder and the partition's relative folder."""
        if not target.partition:
            raise TargetError("Quality.InvalidTarget", "quarantine needs a partition (k=v)")
        relative = partition_dir(parse_partition(target.partition))
        try:
            if target.table:
                table = find_table(self.catalog, target.table)
                partition_values(table, target.partition)  # its keys must be the table's
                root = local_dir(self.lake, table.location, f"table {target.table}")
            elif target.path:
                root = Path(self.lake.resolve(target.path, where="the quarantine path"))
            else:
                raise TargetError("Quality.InvalidTarget", "give a table or a path")
        except LakePathError as error:
            raise TargetError("Quality.InvalidTarget", str(error)) from None
        return root, relative

    def quarantine(self, target: Target, reason: str = "") -> Moved:
        root, relative = self._places(target)
        source, kept = root / relative, root / QUARANTINE_DIR / relative
        if not source.is_dir():
            raise TargetError(
                "Quality.PartitionNotFound", f"{target.describe()}: no folder {source}"
            )
        if os.path.lexists(kept):
            raise TargetError(
                "Quality.AlreadyQuarantined",
                f"{target.describe()}: {kept} exists (release it or remove it first)",
            )
        registered = False
        if target.table:
            table = find_table(self.catalog, target.table)
            values = partition_values(table, target.partition or "")
            registered = self.catalog.delete_partitions(table, [values]) > 0
        marker = {
            "target": target.describe(),
            "registered": registered,
            "quarantined_at": self.clock.now().isoformat(),
            "reason": reason,
        }
        (source / MARKER).write_text(json.dumps(marker), encoding="utf-8")
        kept.parent.mkdir(parents=True, exist_ok=True)
        os.rename(source, kept)
        return Moved(source, kept, registered)

    def release(self, target: Target) -> Moved:
        root, relative = self._places(target)
        source, kept = root / relative, root / QUARANTINE_DIR / relative
        if not kept.is_dir():
            raise TargetError(
                "Quality.PartitionNotFound", f"{target.describe()}: not in quarantine ({kept})"
            )
        if os.path.lexists(source):
            raise TargetError(
                "Quality.InvalidTarget",
                f"{target.describe()}: {source} exists again; move it away to release",
            )
        try:
            marker = json.loads((kept / MARKER).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            marker = {}
        os.rename(kept, source)
        (source / MARKER).unlink(missing_ok=True)
        registered = False
        if target.table and marker.get("registered"):
            table = find_table(self.catalog, target.table)
            values = partition_values(table, target.partition or "")
            location = table.location.rstrip("/") + "/" + relative
            partition = self.catalog.new_partition(table, values, location)
            registered = not self.catalog.create_partitions(table, [partition])
        return Moved(source, kept, registered)
