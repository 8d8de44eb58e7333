"""Service helpers for tests: a fresh PostgreSQL database or Redis key prefix per caller, or a skip.

``pg_dsn_or_skip()`` creates a database with a random name on the PostgreSQL at
127.0.0.1:5432 (override with ``NEWSBOT_TEST_PG``) and returns its DSN and a
cleanup that drops it. When the server is unreachable the test is skipped with a
one-line reason, or failed when ``NEWSBOT_REQUIRE_SERVICES=1`` (CI).

``redis_or_skip()`` does the same for Redis at 127.0.0.1:6379 (``NEWSBOT_TEST_REDIS``):
it returns the URL, a key prefix of the caller's own, and a cleanup deleting every key
under that prefix.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from urllib.parse import urlsplit, urlunsplit

import pytest

REDIS_URL = os.environ.get("NEWSBOT_TEST_REDIS", "redis://127.0.0.1:6379/0")
ADMIN_DSN = os.environ.get("NEWSBOT_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


def services_required() -> bool:
    return os.environ.get("NEWSBOT_REQUIRE_SERVICES") == "1"


def skip_or_fail(reason: str) -> None:
    """Skip the test, or fail it when services are required."""
    if services_required():
        pytest.fail(f"{reason} (NEWSBOT_REQUIRE_SERVICES=1)", pytrace=False)
    pytest.skip(reason)


def pg_dsn_or_skip(prefix: str = "newsbot_test") -> tuple[str, Callable[[], None]]:
    """(DSN of a new empty database, cleanup dropping it)."""
    try:
        import psycopg
    except ImportError:
        skip_or_fail("psycopg is not installed")
        raise  # unreachable: skip/fail raise
    name = f"{prefix}_{secrets.token_hex(6)}"
    try:
        with psycopg.connect(ADMIN_DSN, autocommit=True, connect_timeout=3) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
        skip_or_fail(f"PostgreSQL not available at {ADMIN_DSN}: {first_line}")
    parts = urlsplit(ADMIN_DSN)
    dsn = urlunsplit(parts._replace(path=f"/{name}"))

    def cleanup() -> None:
        with psycopg.connect(ADMIN_DSN, autocommit=True, connect_timeout=3) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return dsn, cleanup


def pg_schema_dsn(db_dsn: str, prefix: str = "t") -> tuple[str, Callable[[], None]]:
    """(DSN whose search_path is a new schema in ``db_dsn``, cleanup dropping it).

    Cheaper than a database per test: one database per session, a schema per test.
    """
    import psycopg

    name = f"{prefix}_{secrets.token_hex(6)}"
    with psycopg.connect(db_dsn, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{name}"')
    sep = "&" if "?" in db_dsn else "?"
    dsn = f"{db_dsn}{sep}options=-csearch_path%3D{name}"

    def cleanup() -> None:
        with psycopg.connect(db_dsn, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')

    return dsn, cleanup


def redis_or_skip(prefix: str = "newsbot-test") -> tuple[str, str, Callable[[], None]]:
    """(Redis URL, a key prefix of this caller's own, cleanup deleting its keys)."""
    try:
        import redis
    except ImportError:
        skip_or_fail("the redis client is not installed (pip install -e '.[dev]')")
        raise  # unreachable: skip/fail raise
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3)
    try:
        client.ping()
    except redis.RedisError as exc:
        skip_or_fail(f"Redis not available at {REDIS_URL}: {exc}")
    own = f"{prefix}-{secrets.token_hex(6)}"

    def cleanup() -> None:
        keys = list(client.scan_iter(match=f"{own}:*", count=500))
        if keys:
            client.delete(*keys)
        client.close()

    return REDIS_URL, own, cleanup
