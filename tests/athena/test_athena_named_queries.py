"""Named queries on every store backend."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from stepline.athena import InvalidRequest, WorkGroups
from stepline.athena.named_queries import NamedQueries
from stepline.runtime.clock import RealClock
from stepline.store.open import open_store
from stepline.store.protocol import Store


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    opened = open_store(store_url)
    try:
        yield opened
    finally:
        opened.close()


def test_create_get_list_delete(store: Store) -> None:
    clock = RealClock()
    named = NamedQueries(store, clock, WorkGroups(store, clock, "s3://results/"))
    first = named.create("a", "sales", "SELECT 1", description="one", client_request_token="t" * 32)
    assert named.create("a", "sales", "SELECT 1", client_request_token="t" * 32) == first
    second = named.create("b", "sales", "SELECT 2")
    got = named.get(first.id)
    assert (got.name, got.database, got.query, got.workgroup, got.description) == (
        "a", "sales", "SELECT 1", "primary", "one"
    )  # fmt: skip
    ids, token = named.list(None, 1)
    assert token is not None
    more, end = named.list(None, 1, token)
    assert end is None and sorted(ids + more) == sorted([first.id, second.id])
    named.delete(first.id)
    with pytest.raises(InvalidRequest):
        named.get(first.id)
    with pytest.raises(InvalidRequest):
        named.delete(first.id)
    with pytest.raises(InvalidRequest):
        named.create("c", "sales", "SELECT 3", workgroup="nope")
