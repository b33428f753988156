"""Atomic directory publishing: write into a hidden staging directory, then rename into place.

A writer builds its complete output in ``.<name>.stepline-staging-<pid>-<id>`` next to the
target and publishes it with renames, so a reader (or a job killed half way) never sees half
a dataset or half a partition:

* a new target: one ``rename``;
* an overwrite: on Linux one ``renameat2(RENAME_EXCHANGE)`` swaps the complete new directory
  with the old one, which is then deleted; elsewhere the old directory is first renamed
  aside (``.<name>.stepline-old-...``), so the old data is never deleted before the new data
  is complete;
* an append: each new file is renamed into the target (each file appears whole);
* a dynamic partition overwrite: each written partition directory is swapped as above.

Names starting with "." or "_" are invisible to Spark and to stepline's readers, so leftovers
of a killed writer are never read; the next write to the same target removes the leftovers
of writers that are no longer alive.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import re
import shutil
import uuid
from collections.abc import Iterable
from pathlib import Path

_LEFTOVER = re.compile(r"^\.(?P<name>.+)\.stepline-(?:staging|old)-(?P<pid>\d+)-[0-9a-f]+$")
_STAGING = "stepline-staging"
_OLD = "stepline-old"
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _sibling(target: Path, kind: str) -> Path:
    return target.parent / f".{target.name}.{kind}-{os.getpid()}-{uuid.uuid4().hex[:12]}"


def staging_dir(target: Path, *, create: bool = True) -> Path:
    """A fresh staging directory next to ``target`` (parents are created).

    With ``create=False`` only the name is chosen, for a writer that creates it itself.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    path = _sibling(target, _STAGING)
    if create:
        path.mkdir()
    return path


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep_leftovers(target: Path) -> list[Path]:
    """Delete staging/old siblings of ``target`` left by writers that are no longer alive."""
    removed: list[Path] = []
    if not target.parent.is_dir():
        return removed
    for entry in target.parent.iterdir():
        match = _LEFTOVER.match(entry.name)
        if match is None or match["name"] != target.name or _pid_alive(int(match["pid"])):
            continue
        remove_path(entry)
        removed.append(entry)
    return removed


def remove_path(path: Path) -> None:
    """Delete a file or a directory tree; missing is fine."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _exchange(first: Path, second: Path) -> bool:
    """Atomically swap two paths (Linux renameat2); False where that is not available."""
    library = ctypes.util.find_library("c")
    if library is None:
        return False
    try:
        libc = ctypes.CDLL(library, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p]
    renameat2.argtypes += [ctypes.c_uint]
    result = renameat2(
        _AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE
    )
    return bool(result == 0)


def publish_directory(staging: Path, target: Path) -> None:
    """Make the complete ``staging`` directory become ``target``, replacing any old one."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if not os.path.lexists(target):
        try:
            os.rename(staging, target)
            return
        except OSError:
            if not os.path.lexists(target):
                raise
    if _exchange(staging, target):
        remove_path(staging)  # now holds the old data
        return
    old = _sibling(target, _OLD)
    os.rename(target, old)
    os.rename(staging, target)
    remove_path(old)


def _files_under(root: Path) -> Iterable[Path]:
    for directory, _, files in os.walk(root):
        for name in files:
            yield Path(directory) / name


def publish_append(staging: Path, target: Path) -> None:
    """Move every file of ``staging`` into ``target`` (same relative paths), then drop staging.

    Each file appears whole (one rename each); files with the same name are replaced.
    """
    if not os.path.lexists(target):
        publish_directory(staging, target)
        return
    for source in sorted(_files_under(staging)):
        destination = target / source.relative_to(staging)
        destination.parent.mkdir(parents=True, exist_ok=True)
        os.replace(source, destination)
    remove_path(staging)


def partition_dirs(root: Path) -> list[Path]:
    """Relative paths of the leaf ``key=value`` directories under ``root``."""
    leaves: list[Path] = []
    for directory, subdirs, files in os.walk(root):
        here = Path(directory)
        visible = [name for name in subdirs if "=" in name and not name.startswith((".", "_"))]
        subdirs[:] = visible
        if here != root and not visible and files:
            leaves.append(here.relative_to(root))
    return sorted(leaves)


def publish_partitions(staging: Path, target: Path) -> None:
    """Replace only the partitions present in ``staging`` (Spark's dynamic overwrite mode).

    Output without partition directories replaces the whole target, as Spark does.
    """
    if not os.path.lexists(target) or not partition_dirs(staging):
        publish_directory(staging, target)
        return
    for relative in partition_dirs(staging):
        publish_directory(staging / relative, target / relative)
    for marker in staging.iterdir():
        if marker.is_file():
            os.replace(marker, target / marker.name)
    remove_path(staging)
