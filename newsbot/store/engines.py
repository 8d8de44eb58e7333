"""Engine adapters: one small class per database (SQLite, PostgreSQL), the same methods.

An adapter owns its connection(s), the engine's own parameter marker (``param``:
``?`` for sqlite3, ``%s`` for psycopg; SQL is written with the marker of the engine
it runs on, never rewritten), transactions, the run lock, and turning the engine's
column values back into what the rest of the store works with (JSON text or
``jsonb``; ISO text or ``timestamptz``).

Opened ``readonly=True``, an adapter never writes: SQLite opens the file in
``mode=ro`` with ``query_only``; PostgreSQL sets ``default_transaction_read_only``.

The run lock is per (store, site): a run of site ``a`` holds the store's lock
*shared* and site ``a``'s lock exclusively, so runs of two sites go on at once while
two runs of one site cannot; a store-wide run (``site=None``, e.g. reparse) holds
the store's lock exclusively. SQLite locks are ``flock`` on files beside the
database, named after its real path (a symlink to the same file takes the same
lock); PostgreSQL locks are session advisory locks (released when the process
dies, even on SIGKILL), keyed per schema so stores side by side don't collide.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from newsbot.store.errors import StoreError, StoreLocked

_LOCKED = "another newsbot run holds the store lock"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _unreadable(where: str, exc: BaseException) -> StoreError:
    # A damaged file (truncated, overwritten) fails on the first page read, wherever
    # that is: one line naming the store, not a driver traceback.
    return StoreError(f"cannot read the store {where}: {_first_line(exc)}")


class SqliteEngine:
    """SQLite through :mod:`sqlite3`: WAL, ``synchronous=NORMAL``, explicit transactions."""

    dialect = "sqlite"
    param = "?"
    driver_errors: tuple[type[BaseException], ...] = (sqlite3.Error,)

    def __init__(self, path: str, *, readonly: bool = False) -> None:
        self.path = path
        # The real path names the lock files: a symlink must not be a second store.
        self.real = os.path.realpath(path)
        self.readonly = readonly
        self._depth = 0
        try:
            if readonly:
                if not os.path.isfile(self.real):
                    raise StoreError(f"no store at {path}")
                uri = Path(self.real).as_uri() + "?mode=ro"
                self.conn = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=30)
                self.conn.execute("PRAGMA query_only=ON")
            else:
                Path(self.real).parent.mkdir(parents=True, exist_ok=True)
                # Autocommit mode: transactions are explicit (BEGIN IMMEDIATE .. COMMIT).
                self.conn = sqlite3.connect(self.real, isolation_level=None, timeout=30)
                self.conn.execute("PRAGMA journal_mode=WAL")
                self.conn.execute("PRAGMA synchronous=NORMAL")
            self.conn.execute("PRAGMA busy_timeout=30000")
            # Read the schema page now: a garbage or truncated file fails here, in one line.
            self.conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        except sqlite3.Error as exc:
            raise StoreError(
                f"{path} is not a readable SQLite store ({_first_line(exc)})"
            ) from None

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.conn.execute(sql, params)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        self.conn.executemany(sql, rows)

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        try:
            return self.conn.execute(sql, params).fetchall()
        except sqlite3.DatabaseError as exc:
            raise _unreadable(self.path, exc) from None

    def iterate(self, sql: str, params: Sequence[Any] = ()) -> Iterator[tuple[Any, ...]]:
        # A separate cursor so iteration survives writes made on the connection meanwhile.
        cur = self.conn.cursor()
        try:
            cur.execute(sql, params)
            while rows := cur.fetchmany(500):
                yield from rows
        except sqlite3.DatabaseError as exc:
            raise _unreadable(self.path, exc) from None

    def has_table(self, name: str) -> bool:
        rows = self.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,))
        return bool(rows)

    def in_list(self, column: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
        """SQL and parameters testing ``column`` against ``values`` (at most 500 of them)."""
        return f"{column} IN ({', '.join('?' * len(values))})", list(values)

    def insert_many(
        self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
    ) -> None:
        """Insert new rows (no conflict handling: a duplicate key fails the transaction)."""
        marks = ", ".join("?" * len(columns))
        self.conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        # IMMEDIATE takes the write lock up front, so a batch never fails half-way on BUSY.
        self.conn.execute("BEGIN IMMEDIATE")
        self._depth = 1
        try:
            yield
            self.conn.execute("COMMIT")
        except BaseException:
            # Also after a failed COMMIT (disk full, I/O error): SQLite may leave the
            # transaction open, and the next BEGIN would fail for every later batch.
            if self.conn.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    self.conn.execute("ROLLBACK")
            raise
        finally:
            self._depth = 0

    @contextlib.contextmanager
    def run_lock(self, site: str | None = None) -> Iterator[None]:
        base = f"{self.real}.lock"
        with contextlib.ExitStack() as stack:
            stack.enter_context(_flock(base, exclusive=site is None, what=base))
            if site is not None:
                path = f"{self.real}.{_lock_name(site)}.lock"
                stack.enter_context(_flock(path, exclusive=True, what=f"{base} for site {site}"))
            yield

    def json_value(self, value: Any) -> Any:
        return None if value is None else json.loads(value)

    def time_value(self, value: Any, timespec: str = "seconds") -> str | None:
        return value

    def integrity_check(self) -> str:
        return str(self.query("PRAGMA integrity_check")[0][0])

    def describe(self) -> str:
        return self.path

    def close(self) -> None:
        self.conn.close()


@contextlib.contextmanager
def _flock(path: str, *, exclusive: bool, what: str) -> Iterator[None]:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
        try:
            fcntl.flock(fd, mode | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StoreLocked(f"{_LOCKED} {what}; try again later") from None
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _lock_name(site: str) -> str:
    """A file-name-safe name for a site's lock (spider names are, but be sure)."""
    if re.fullmatch(r"[A-Za-z0-9_-]{1,64}", site):
        return site
    return "site-" + hashlib.sha256(site.encode()).hexdigest()[:16]


def _advisory_key(name: str) -> int:
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:7], "big")


class PostgresEngine:
    """PostgreSQL through psycopg 3: autocommit connection, explicit transactions."""

    dialect = "postgresql"
    param = "%s"
    #: Advisory lock key serialising migrations (the run lock keys are derived per schema).
    MIGRATION_LOCK_KEY = 0x6E657773626F74

    def __init__(self, dsn: str, *, readonly: bool = False) -> None:
        import psycopg

        self._psycopg = psycopg
        self.driver_errors: tuple[type[BaseException], ...] = (psycopg.Error,)
        self.dsn = dsn
        self.readonly = readonly
        self.conn = self._connect(autocommit=True)

    def _connect(self, *, autocommit: bool) -> Any:
        try:
            conn = self._psycopg.connect(self.dsn, autocommit=autocommit, connect_timeout=10)
        except self._psycopg.OperationalError as exc:
            raise StoreError(f"cannot connect to {redact(self.dsn)}: {_first_line(exc)}") from None
        if self.readonly:
            conn.execute("SET default_transaction_read_only = on")
            if not autocommit:
                conn.commit()
        elif autocommit:
            # Article bodies are TOASTed twice (articles, article_versions): lz4 compresses
            # them several times faster than the default pglz (+30% inserts in make bench).
            # A server built without lz4 keeps pglz.
            with contextlib.suppress(self._psycopg.Error):
                conn.execute("SET default_toast_compression = 'lz4'")
        return conn

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> Any:
        return self.conn.execute(sql, params or None)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        # psycopg pipelines executemany: one round trip per batch, not per row.
        with self.conn.cursor() as cur:
            cur.executemany(sql, rows)

    def query(self, sql: str, params: Sequence[Any] | None = None) -> list[tuple[Any, ...]]:
        try:
            cur = self.conn.execute(sql, params or None)
            return cur.fetchall() if cur.description else []
        except self._psycopg.OperationalError as exc:  # the server went away, not our SQL
            raise _unreadable(redact(self.dsn), exc) from None

    def iterate(self, sql: str, params: Sequence[Any] | None = None) -> Iterator[tuple[Any, ...]]:
        # A server-side cursor on its own connection: large tables (raw pages) stream
        # instead of loading at once, and writes on the main connection don't disturb it.
        reader = self._connect(autocommit=False)
        try:
            with reader.cursor(name="newsbot_iter") as cur:
                cur.itersize = 500
                cur.execute(sql, params or None)
                yield from cur
        except self._psycopg.OperationalError as exc:
            raise _unreadable(redact(self.dsn), exc) from None
        finally:
            reader.close()

    def has_table(self, name: str) -> bool:
        return self.query("SELECT to_regclass(%s)", (name,))[0][0] is not None

    def in_list(self, column: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
        """SQL and parameters testing ``column`` against ``values``: one array parameter,
        so every batch runs the same (prepared) statement whatever its size."""
        return f"{column} = ANY(%s)", [list(values)]

    def insert_many(
        self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
    ) -> None:
        """Insert new rows with COPY (several times faster than INSERTs); a duplicate key
        fails the transaction, as an INSERT would."""
        with self.conn.cursor() as cur:
            with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        with self.conn.transaction():
            yield

    @contextlib.contextmanager
    def run_lock(self, site: str | None = None) -> Iterator[None]:
        # Session locks on their own connection: they die with the process, even on SIGKILL.
        lock_conn = self._connect(autocommit=True)
        try:
            schema_name = lock_conn.execute("SELECT current_schema()").fetchone()[0]
            # One lock per schema, so stores side by side in one database don't block each other.
            store_key = _advisory_key(f"newsbot.run_lock:{schema_name}")
            where = redact(self.dsn)
            take = "pg_try_advisory_lock" if site is None else "pg_try_advisory_lock_shared"
            if not lock_conn.execute(f"SELECT {take}(%s)", (store_key,)).fetchone()[0]:
                raise StoreLocked(f"{_LOCKED} {where}; try again later")
            if site is not None:
                site_key = _advisory_key(f"newsbot.run_lock:{schema_name}:site:{site}")
                if not lock_conn.execute("SELECT pg_try_advisory_lock(%s)", (site_key,)).fetchone()[
                    0
                ]:
                    raise StoreLocked(f"{_LOCKED} {where} for site {site}; try again later")
            yield
        finally:
            # Closing the session releases every advisory lock it holds.
            lock_conn.close()

    def json_value(self, value: Any) -> Any:
        # jsonb comes back decoded; text (a store not migrated yet) does not.
        return json.loads(value) if isinstance(value, str) else value

    def time_value(self, value: Any, timespec: str = "seconds") -> str | None:
        if isinstance(value, datetime):
            return value.astimezone(UTC).isoformat(timespec=timespec)
        return value

    def integrity_check(self) -> str:
        return "ok"

    def describe(self) -> str:
        return redact(self.dsn)

    def close(self) -> None:
        self.conn.close()


Engine = SqliteEngine | PostgresEngine


def redact(dsn: str) -> str:
    """The DSN without its password, for messages."""
    parts = urlsplit(dsn)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return dsn


def is_postgres(target: str) -> bool:
    return target.startswith(("postgresql://", "postgres://"))


def open_engine(target: str, *, readonly: bool = False) -> Engine:
    """The adapter for an SQLite path (or ``sqlite:///path``) or a ``postgresql://`` DSN."""
    if is_postgres(target):
        return PostgresEngine(target, readonly=readonly)
    if target.startswith("sqlite:///"):
        target = target[len("sqlite:///") :]
    return SqliteEngine(target, readonly=readonly)
