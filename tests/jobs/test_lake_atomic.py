"""Atomic publishing of job output directories (real files, real renames)."""

from __future__ import annotations

from pathlib import Path

from stepline.lake import atomic

DEAD_PID = 4_194_305  # above Linux's largest pid_max: never a live process


def _tree(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): path.read_text()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def _staged(target: Path, files: dict[str, str]) -> Path:
    staging = atomic.staging_dir(target)
    for name, text in files.items():
        (staging / name).parent.mkdir(parents=True, exist_ok=True)
        (staging / name).write_text(text)
    return staging


def test_staging_is_a_hidden_sibling(tmp_path: Path) -> None:
    target = tmp_path / "out" / "orders"
    staging = atomic.staging_dir(target)
    assert staging.parent == target.parent and staging.is_dir()
    assert staging.name.startswith(".orders.stepline-staging-")
    assert not atomic.staging_dir(target, create=False).exists()


def test_publish_new_and_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "orders"
    atomic.publish_directory(_staged(target, {"part-0": "old", "_SUCCESS": ""}), target)
    assert _tree(target) == {"part-0": "old", "_SUCCESS": ""}
    atomic.publish_directory(_staged(target, {"part-1": "new"}), target)
    assert _tree(target) == {"part-1": "new"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["orders"]  # nothing left over


def test_publish_append_adds_files(tmp_path: Path) -> None:
    target = tmp_path / "orders"
    atomic.publish_append(_staged(target, {"day=1/a": "1", "_SUCCESS": "x"}), target)
    atomic.publish_append(
        _staged(target, {"day=1/b": "2", "day=2/c": "3", "_SUCCESS": "y"}), target
    )
    assert _tree(target) == {"_SUCCESS": "y", "day=1/a": "1", "day=1/b": "2", "day=2/c": "3"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["orders"]


def test_publish_partitions_replaces_only_written_partitions(tmp_path: Path) -> None:
    target = tmp_path / "orders"
    atomic.publish_directory(
        _staged(target, {"day=1/a": "old1", "day=2/b": "old2", "_SUCCESS": ""}), target
    )
    atomic.publish_partitions(_staged(target, {"day=2/c": "new2", "day=3/d": "new3"}), target)
    assert _tree(target) == {
        "_SUCCESS": "",
        "day=1/a": "old1",
        "day=2/c": "new2",
        "day=3/d": "new3",
    }
    # output without partitions replaces everything, as Spark's dynamic mode does
    atomic.publish_partitions(_staged(target, {"part-0": "flat"}), target)
    assert _tree(target) == {"part-0": "flat"}


def test_partition_dirs_finds_leaves(tmp_path: Path) -> None:
    for name in ("a=1/b=2/f", "a=1/b=3/f", "a=2/f", "_temporary/x/f", "a=3/.hidden/f"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("")
    assert atomic.partition_dirs(tmp_path) == [Path("a=1/b=2"), Path("a=1/b=3"), Path("a=2")]


def test_sweeps_leftovers_of_dead_writers_only(tmp_path: Path) -> None:
    target = tmp_path / "orders"
    dead = tmp_path / f".orders.stepline-staging-{DEAD_PID}-abc123"
    dead_old = tmp_path / f".orders.stepline-old-{DEAD_PID}-def456"
    alive = atomic.staging_dir(target)  # this process: alive
    other = tmp_path / f".customers.stepline-staging-{DEAD_PID}-abc123"
    for path in (dead, dead_old, other):
        path.mkdir()
    assert sorted(atomic.sweep_leftovers(target)) == sorted([dead, dead_old])
    assert alive.exists() and other.exists() and not dead.exists() and not dead_old.exists()
