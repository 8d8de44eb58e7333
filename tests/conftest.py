"""Shared pytest configuration: fixtures every test directory may use.

``replica``/``replica_factory`` (a running local portal) come from
``tests.replica_plugin``; ``store_target``/``store`` give an empty store on each
engine (an SQLite file in tmp_path, and a fresh PostgreSQL schema).
"""

from __future__ import annotations

import pytest

from tests.services import pg_dsn_or_skip, pg_schema_dsn

pytest_plugins = ["tests.replica_plugin"]


@pytest.fixture(scope="session")
def pg_database():
    dsn, cleanup = pg_dsn_or_skip()
    yield dsn
    cleanup()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.services)])
def store_target(request, tmp_path):
    """An empty store's target: an SQLite path, or a DSN of a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield str(tmp_path / "store" / "newsbot.db")
        return
    db_dsn = request.getfixturevalue("pg_database")
    dsn, cleanup = pg_schema_dsn(db_dsn)
    yield dsn
    cleanup()


@pytest.fixture
def store(store_target):
    from newsbot.store import open_store

    s = open_store(store_target)
    yield s
    s.close()
