"""The store contract for ListExecutions: keyset pages and the version, alias and redrive
filters (memory, SQLite and PostgreSQL)."""

from __future__ import annotations

import dataclasses

from factories import SM, AnyStore, at, event, execution, step

from stepline.store.records import ExecutionRecord


def _create(store: AnyStore, record: ExecutionRecord) -> ExecutionRecord:
    store.create_execution(record, [event(record.arn, 1, "ExecutionStarted")], [])
    return record


def test_pages_follow_each_other_without_gaps_or_repeats(store: AnyStore) -> None:
    # Two executions share a start date: insertion order breaks the tie, newest first.
    for index, name in enumerate("abcdefg"):
        _create(store, execution(name, start=at(min(index, 3))))
    names: list[str] = []
    after = None
    while True:
        page = store.list_executions(SM, limit=3, after_arn=after)
        names += [e.name for e in page]
        if len(page) < 3:
            break
        after = page[-1].arn
    assert names == ["g", "f", "e", "d", "c", "b", "a"]
    assert [e.name for e in store.list_executions(after_arn=execution("d").arn)] == ["c", "b", "a"]
    assert store.list_executions(after_arn=f"{SM}:missing") == []


def test_filters_by_version_alias_and_redrive(store: AnyStore) -> None:
    version, alias = f"{SM}:1", f"{SM}:live"
    _create(store, execution("plain"))
    _create(store, dataclasses.replace(execution("by-version", start=at(1)), version_arn=version))
    by_alias = dataclasses.replace(
        execution("by-alias", start=at(2)), version_arn=version, alias_arn=alias
    )
    _create(store, by_alias)
    failed = _create(store, execution("redriven", start=at(3), status="FAILED"))
    store.append(step(failed.arn, 0, status="RUNNING", redriven=at(4)))

    def names(**filters: object) -> list[str]:
        return [e.name for e in store.list_executions(SM, **filters)]  # type: ignore[arg-type]

    assert names(version_arn=version) == ["by-alias", "by-version"]
    assert names(alias_arn=alias) == ["by-alias"]
    assert names(redriven=True) == ["redriven"]
    assert names(redriven=False) == ["by-alias", "by-version", "plain"]
    assert names(redriven=False, version_arn=version, after_arn=by_alias.arn) == ["by-version"]
    assert store.list_executions(SM, "RUNNING", redriven=True)[0].redrive_date == at(4)
