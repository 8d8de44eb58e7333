"""pytest fixtures for tests that need a running replica (loaded by tests/conftest.py).

``replica``: a 300-article replica (seed 1, no faults) shared by a test module; do
not edit it. ``replica_factory``: call it with ``articles``, ``seed``, ``faults``,
``crawl_delay``, ``oversized_bytes`` to get a started replica of your own; every
replica it made is stopped at teardown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from replica.server import Replica

ReplicaFactory = Callable[..., Replica]


@pytest.fixture
def replica_factory() -> Iterator[ReplicaFactory]:
    made: list[Replica] = []

    def make(articles: int = 300, seed: int = 1, **kwargs: Any) -> Replica:
        replica = Replica(articles, seed, **kwargs)
        made.append(replica)
        replica.start()
        return replica

    yield make
    for replica in made:
        replica.stop()


@pytest.fixture(scope="module")
def replica() -> Iterator[Replica]:
    with Replica(300, 1) as running:
        yield running
