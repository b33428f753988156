"""Fixtures of the API tests: one real ``stepline serve`` subprocess per test session (per
xdist worker) on a free loopback port, SQLite in a temporary directory; boto3 clients for it.

Tests create uniquely named resources, so they share the server safely.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sfn_client import ROLE, Server, client, serving


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from serving(tmp_path_factory.mktemp("serve"))


@pytest.fixture
def sfn(server: Server) -> Any:
    return client(server.url)


@pytest.fixture
def unique() -> Callable[[str], str]:
    return lambda prefix: f"{prefix}-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def make_machine(sfn: Any, unique: Callable[[str], str]) -> Callable[..., str]:
    """Create a state machine of a definition (a dict); returns its ARN."""

    def make(definition: dict[str, Any], name: str | None = None, **options: Any) -> str:
        created = sfn.create_state_machine(
            name=name or unique("sm"), definition=json.dumps(definition), roleArn=ROLE, **options
        )
        arn: str = created["stateMachineArn"]
        return arn

    return make
