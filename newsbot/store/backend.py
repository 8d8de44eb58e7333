"""The Store: one class over SQLite or PostgreSQL, with the dedup/version write path.

SQL is written once with ``?`` placeholders and run through a small connection
adapter per engine (:class:`_SqliteConn`, :class:`_PostgresConn`); everything else
(identity, versions, JSON columns, run records) is shared, so both engines behave
the same. See ``newsbot/store/__init__.py`` for the public API.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import sqlite3
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

from newsbot.record import OPTIONAL_FIELDS, RECORD_FIELDS
from newsbot.store import schema
from newsbot.store.dedup import content_hash

logger = logging.getLogger(__name__)

DEFAULT_TARGET = "output/newsbot.db"

#: Columns holding JSON text; decoded when records are read back.
JSON_FIELDS: tuple[str, ...] = ("images", "related", "media", "tags", "provenance")
#: Fields that change an article without changing its text (updated in place, no version).
METADATA_FIELDS: tuple[str, ...] = tuple(
    f for f in RECORD_FIELDS if f not in ("url", "site", "title", "lead", "body")
)
ARTICLE_COLUMNS: tuple[str, ...] = (
    "url",
    "source_id",
    "site",
    "section",
    "title",
    "published_at",
    "published_utc",
    "modified_at",
    "lead",
    "body",
    "author",
    "images",
    "related",
    "media",
    "tags",
    "provenance",
    "language",
    "content_hash",
    "version",
    "first_seen_at",
    "last_seen_at",
    "duplicate_of",
    "run_id",
)
BOOKKEEPING_FIELDS: tuple[str, ...] = (
    "content_hash",
    "version",
    "first_seen_at",
    "last_seen_at",
    "duplicate_of",
)
_SELECT_ARTICLE = "SELECT " + ", ".join(ARTICLE_COLUMNS) + " FROM articles"


class StoreError(Exception):
    """A store could not be opened or written."""


class StoreLocked(StoreError):
    """Another run holds the store's run lock."""


class RawPage(NamedTuple):
    """A page as fetched: the article's canonical URL, the URL really requested
    (a mirror, a replica), when, and the HTML."""

    url: str
    fetched_url: str
    fetched_at: str
    html: bytes


class WriteResult(NamedTuple):
    """What writing one record did (see :meth:`Store.write_batch_results`)."""

    #: ``new``, ``duplicate``, ``updated``, ``unchanged`` or ``error``.
    outcome: str
    #: Why the write failed (exception type and text); None unless ``error``.
    reason: str | None = None
    #: URL of a stored article this record superseded as the earlier publication, which
    #: the write marked ``duplicate_of`` this record (it was an original until now).
    marked_duplicate: str | None = None


class KnownArticle(NamedTuple):
    """What a crawl needs to know of a stored article to decide whether to fetch it."""

    source_id: str | None
    published_at: str
    last_seen_at: str
    #: The stored (identity) URL; set by :meth:`Store.known` and :meth:`Store.iter_known`.
    url: str | None = None


def utc_now(timespec: str = "seconds") -> str:
    return datetime.now(UTC).isoformat(timespec=timespec)


def to_utc_iso(value: str | None) -> str | None:
    """An ISO timestamp as UTC ``YYYY-MM-DDTHH:MM:SS+00:00``; naive values are taken as UTC."""
    if not value:
        return None
    dt = datetime.fromisoformat(str(value))
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC).isoformat(timespec="seconds")


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _compress(html: bytes) -> bytes:
    # Level 3: within a few percent of level 6 on HTML, at half the CPU on the hot path.
    return zlib.compress(html, 3)


def _decompress(codec: str, data: bytes) -> bytes:
    if codec == "zlib":
        return zlib.decompress(bytes(data))
    raise StoreError(f"unknown raw page codec {codec!r}")


# ---------------------------------------------------------------------------- engines


class _SqliteConn:
    dialect = "sqlite"

    def __init__(self, path: str) -> None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        # Autocommit mode: transactions are explicit (BEGIN IMMEDIATE .. COMMIT).
        self.conn = sqlite3.connect(path, isolation_level=None, timeout=30)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute("PRAGMA busy_timeout=30000")
        self._depth = 0

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.conn.execute(sql, params)

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self.conn.execute(sql, params).fetchall()

    def iterate(self, sql: str, params: Sequence[Any] = ()) -> Iterator[tuple[Any, ...]]:
        # A separate cursor so iteration survives writes made on the connection meanwhile.
        cur = self.conn.cursor()
        cur.execute(sql, params)
        while rows := cur.fetchmany(500):
            yield from rows

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
        except BaseException:
            self._depth = 0
            self.conn.execute("ROLLBACK")
            raise
        self._depth = 0
        self.conn.execute("COMMIT")

    @contextlib.contextmanager
    def run_lock(self) -> Iterator[None]:
        lock_path = f"{self.path}.lock"
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise StoreLocked(
                    f"another newsbot run holds the store lock {lock_path}; try again later"
                ) from None
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    def describe(self) -> str:
        return self.path

    def close(self) -> None:
        self.conn.close()


class _PostgresConn:
    dialect = "postgresql"
    #: Advisory lock key serialising migrations (the run lock key is derived per schema).
    MIGRATION_LOCK_KEY = 0x6E657773626F74

    def __init__(self, dsn: str) -> None:
        import psycopg

        self._psycopg = psycopg
        self.dsn = dsn
        try:
            self.conn = psycopg.connect(dsn, autocommit=True)
        except psycopg.OperationalError as exc:
            raise StoreError(f"cannot connect to {_redact(dsn)}: {exc}") from exc

    @staticmethod
    def _sql(sql: str) -> str:
        return sql.replace("?", "%s")

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.conn.execute(self._sql(sql), params)

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self.conn.execute(self._sql(sql), params).fetchall()

    def iterate(self, sql: str, params: Sequence[Any] = ()) -> Iterator[tuple[Any, ...]]:
        # A server-side cursor on its own connection: large tables (raw pages) stream
        # instead of loading at once, and writes on the main connection don't disturb it.
        with self._psycopg.connect(self.dsn) as reader:
            with reader.cursor(name="newsbot_iter") as cur:
                cur.itersize = 500
                cur.execute(self._sql(sql), params)
                yield from cur

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        with self.conn.transaction():
            yield

    @contextlib.contextmanager
    def run_lock(self) -> Iterator[None]:
        # A session lock on its own connection: it dies with the process, even on SIGKILL.
        lock_conn = self._psycopg.connect(self.dsn, autocommit=True)
        try:
            # One lock per schema, so stores side by side in one database don't block each other.
            schema_name = lock_conn.execute("SELECT current_schema()").fetchone()[0]
            digest = hashlib.sha256(f"newsbot.run_lock:{schema_name}".encode()).digest()
            key = int.from_bytes(digest[:7], "big")
            got = lock_conn.execute("SELECT pg_try_advisory_lock(%s)", (key,)).fetchone()[0]
            if not got:
                raise StoreLocked(
                    f"another newsbot run holds the store lock {_redact(self.dsn)}; try again later"
                )
            try:
                yield
            finally:
                lock_conn.execute("SELECT pg_advisory_unlock(%s)", (key,))
        finally:
            lock_conn.close()

    def describe(self) -> str:
        return _redact(self.dsn)

    def close(self) -> None:
        self.conn.close()


def _redact(dsn: str) -> str:
    """The DSN without its password, for messages."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(dsn)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return dsn


# ------------------------------------------------------------------------------ store


class Store:
    """An article store; open one with :func:`open_store`."""

    def __init__(self, conn: _SqliteConn | _PostgresConn) -> None:
        self._db = conn
        self.dialect = conn.dialect
        self.migrate()

    # -- schema ------------------------------------------------------------------

    def migrate(self) -> list[int]:
        """Apply the migrations not applied yet; returns the versions applied now."""
        db = self._db
        applied_now: list[int] = []
        db.execute(schema.CREATE_MIGRATIONS_TABLE)
        for migration in schema.MIGRATIONS:
            with db.transaction():
                if self.dialect == "postgresql":
                    # Two processes starting at once must not both apply a step.
                    db.execute(
                        "SELECT pg_advisory_xact_lock(?)", (_PostgresConn.MIGRATION_LOCK_KEY,)
                    )
                done = db.query(
                    "SELECT 1 FROM schema_migrations WHERE version = ?", (migration.version,)
                )
                if done:
                    continue
                for statement in migration.statements:
                    db.execute(schema.render(statement, self.dialect))
                db.execute(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                    (migration.version, migration.name, utc_now()),
                )
                applied_now.append(migration.version)
        return applied_now

    def schema_version(self) -> int:
        row = self._db.query("SELECT MAX(version) FROM schema_migrations")
        return int(row[0][0] or 0)

    def describe(self) -> str:
        """Where the store lives (path, or DSN without password)."""
        return self._db.describe()

    def integrity_check(self) -> str:
        """``ok`` when the database is sound (SQLite ``PRAGMA integrity_check``)."""
        if self.dialect == "sqlite":
            return str(self._db.query("PRAGMA integrity_check")[0][0])
        return "ok"

    # -- runs ----------------------------------------------------------------------

    def run_lock(self) -> contextlib.AbstractContextManager[None]:
        """Held for a whole run; raises :class:`StoreLocked` at once if another run has it."""
        return self._db.run_lock()

    def start_run(self, run_id: str, spider: str, args: dict[str, Any]) -> None:
        with self._db.transaction():
            self._db.execute(
                "INSERT INTO crawl_runs (run_id, spider, started_at, status, args)"
                " VALUES (?, ?, ?, 'running', ?)",
                # Microseconds: runs started within one second still sort in order.
                (run_id, spider, utc_now("microseconds"), _dumps(args)),
            )

    def finish_run(
        self,
        run_id: str,
        status: str,
        counts: dict[str, Any],
        coverage: dict[str, Any],
        provenance: dict[str, Any],
        errors: list[dict[str, Any]],
    ) -> None:
        with self._db.transaction():
            self._db.execute(
                "UPDATE crawl_runs SET finished_at = ?, status = ?, counts = ?, coverage = ?,"
                " provenance = ?, errors = ? WHERE run_id = ?",
                (
                    utc_now("microseconds"),
                    status,
                    _dumps(counts),
                    _dumps(coverage),
                    _dumps(provenance),
                    _dumps(errors),
                    run_id,
                ),
            )

    def _runs(self, where: str, params: Sequence[Any], limit: int) -> list[dict[str, Any]]:
        rows = self._db.query(
            "SELECT run_id, spider, started_at, finished_at, status, args, counts, coverage,"
            f" provenance, errors FROM crawl_runs {where}"
            " ORDER BY started_at DESC, run_id DESC LIMIT ?",
            (*params, limit),
        )
        keys = ("run_id", "spider", "started_at", "finished_at", "status")
        out = []
        for row in rows:
            run = dict(zip(keys, row[:5], strict=True))
            for key, raw in zip(
                ("args", "counts", "coverage", "provenance", "errors"), row[5:], strict=True
            ):
                run[key] = json.loads(raw) if raw else None
            out.append(run)
        return out

    def last_run(self, spider: str | None = None) -> dict[str, Any] | None:
        """The latest run (``status`` "running" means it is still going or crashed)."""
        where, params = ("WHERE spider = ?", (spider,)) if spider else ("", ())
        runs = self._runs(where, params, 1)
        return runs[0] if runs else None

    def recent_runs(self, spider: str | None = None, limit: int = 20) -> list[dict[str, Any]]:
        where, params = ("WHERE spider = ?", (spider,)) if spider else ("", ())
        return self._runs(where, params, limit)

    # -- lookups -------------------------------------------------------------------

    def find_identity(self, url: str | None, site: str | None, source_id: Any) -> str | None:
        """The stored URL of the article ``url`` or ``(site, source_id)`` names, if stored."""
        row = self._find_row(url, site, source_id)
        return row["url"] if row else None

    def _find_row(self, url: str | None, site: str | None, source_id: Any) -> dict[str, Any] | None:
        if url:
            rows = self._db.query(_SELECT_ARTICLE + " WHERE url = ?", (url,))
            if rows:
                return dict(zip(ARTICLE_COLUMNS, rows[0], strict=True))
        if site and source_id:
            rows = self._db.query(
                _SELECT_ARTICLE + " WHERE site = ? AND source_id = ?", (site, str(source_id))
            )
            if rows:
                return dict(zip(ARTICLE_COLUMNS, rows[0], strict=True))
        return None

    def known_articles(self, site: str) -> dict[str, KnownArticle]:
        """url -> (source_id, published_at, last_seen_at) of every stored article of ``site``."""
        rows = self._db.iterate(
            "SELECT url, source_id, published_at, last_seen_at FROM articles WHERE site = ?",
            (site,),
        )
        return {url: KnownArticle(sid, pub, seen, url) for url, sid, pub, seen in rows}

    def known(
        self, site: str, *, urls: Iterable[str] = (), source_ids: Iterable[Any] = ()
    ) -> list[KnownArticle]:
        """Stored articles of ``site`` with one of ``urls`` or ``source_ids`` (indexed lookups).

        Each article is listed once, whichever key found it; the caller indexes them by
        ``url``/``source_id``. Keys are looked up in chunks, so a listing page's worth or a
        sitemap's worth costs a few queries and memory that grows with the keys asked for,
        never with the store.
        """
        found: dict[str, KnownArticle] = {}
        columns = "url, source_id, published_at, last_seen_at"
        for chunk in _chunks(list(dict.fromkeys(u for u in urls if u))):
            marks = ", ".join("?" * len(chunk))
            for url, sid, pub, seen in self._db.query(
                f"SELECT {columns} FROM articles WHERE site = ? AND url IN ({marks})",
                (site, *chunk),
            ):
                found[url] = KnownArticle(sid, pub, seen, url)
        ids = list(dict.fromkeys(str(i) for i in source_ids if i is not None and i != ""))
        for chunk in _chunks(ids):
            marks = ", ".join("?" * len(chunk))
            for url, sid, pub, seen in self._db.query(
                f"SELECT {columns} FROM articles WHERE site = ? AND source_id IN ({marks})",
                (site, *chunk),
            ):
                found[url] = KnownArticle(sid, pub, seen, url)
        return list(found.values())

    def iter_known(
        self, site: str, *, published_since: str | None = None, seen_since: str | None = None
    ) -> Iterator[KnownArticle]:
        """Stored articles of ``site`` published (or last seen) at or after a UTC instant.

        The bounded window a run needs (e.g. the refresh period), streamed in order of
        publication, newest first; with no bound, every article of the site.
        """
        where, params = ["site = ?"], [site]
        if published_since:
            where.append("published_utc >= ?")
            params.append(to_utc_iso(published_since))
        if seen_since:
            where.append("last_seen_at >= ?")
            params.append(to_utc_iso(seen_since))
        for url, sid, pub, seen in self._db.iterate(
            "SELECT url, source_id, published_at, last_seen_at FROM articles WHERE "
            + " AND ".join(where)
            + " ORDER BY published_utc DESC, url DESC",
            params,
        ):
            yield KnownArticle(sid, pub, seen, url)

    def count_known(self, site: str) -> int:
        """How many articles of ``site`` the store holds."""
        return int(self._db.query("SELECT COUNT(*) FROM articles WHERE site = ?", (site,))[0][0])

    def iter_dated_ids(
        self, site: str, *, before: str | None = None, after: str | None = None
    ) -> Iterator[tuple[str | None, str]]:
        """(source_id, published_at) of articles of ``site`` published before ``before``
        or after ``after`` (ISO dates, UTC), streamed."""
        clauses, params = [], [site]
        if before:
            clauses.append("published_utc < ?")
            params.append(before)
        if after:
            clauses.append("published_utc >= ?")
            params.append(after)
        if not clauses:
            return iter(())
        return self._db.iterate(
            "SELECT source_id, published_at FROM articles WHERE site = ? AND ("
            + " OR ".join(clauses)
            + ")",
            params,
        )

    def dead_links(self, site: str, now: datetime | None = None) -> set[str]:
        """Links of ``site`` that failed for good and are not due for another try yet."""
        when = (now or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds")
        rows = self._db.query(
            "SELECT url FROM dead_links WHERE site = ? AND retry_after > ?", (site, when)
        )
        return {row[0] for row in rows}

    def mark_dead_links(
        self,
        site: str,
        links: Sequence[tuple[str, str]],
        *,
        now: datetime | None = None,
        days: float = 7.0,
    ) -> None:
        """Remember ``(url, reason)`` links as gone; each failure doubles the wait before
        the next try (``days``, then twice that, ... at most 16 times ``days``)."""
        if not links:
            return
        moment = (now or datetime.now(UTC)).astimezone(UTC)
        stamp = moment.isoformat(timespec="seconds")
        with self._db.transaction():
            for url, reason in links:
                rows = self._db.query("SELECT failures FROM dead_links WHERE url = ?", (url,))
                failures = int(rows[0][0]) + 1 if rows else 1
                retry = (moment + timedelta(days=days * 2 ** min(failures - 1, 4))).isoformat(
                    timespec="seconds"
                )
                if rows:
                    self._db.execute(
                        "UPDATE dead_links SET reason = ?, failures = ?, last_failed_at = ?,"
                        " retry_after = ? WHERE url = ?",
                        (reason, failures, stamp, retry, url),
                    )
                else:
                    self._db.execute(
                        "INSERT INTO dead_links (url, site, reason, failures, first_failed_at,"
                        " last_failed_at, retry_after) VALUES (?, ?, ?, 1, ?, ?, ?)",
                        (url, site, reason, stamp, stamp, retry),
                    )

    def related_frontier(self, site: str) -> list[str]:
        """Related-article URLs of stored articles of ``site`` that are not stored themselves.

        Streamed: candidates are checked against the store in chunks, so memory follows
        the size of the frontier, not of the archive."""
        out: dict[str, None] = {}
        pending: dict[str, None] = {}

        def settle() -> None:
            stored = {k.url for k in self.known(site, urls=list(pending))}
            out.update((u, None) for u in pending if u not in stored)
            pending.clear()

        for (related,) in self._db.iterate(
            "SELECT related FROM articles WHERE site = ? ORDER BY published_utc DESC", (site,)
        ):
            for link in json.loads(related or "[]"):
                url = link.get("url") if isinstance(link, dict) else None
                if url and url not in out:
                    pending[url] = None
            if len(pending) >= 500:
                settle()
        settle()
        return list(out)

    def iter_signatures(self) -> Iterator[tuple[str, str, int, bytes, str | None, str | None]]:
        """(url, scheme, num_perm, signature, published_at, duplicate_of) of stored articles."""
        for url, scheme, num_perm, sig, pub, dup in self._db.iterate(
            "SELECT m.url, m.scheme, m.num_perm, m.signature, a.published_at, a.duplicate_of"
            " FROM minhash m JOIN articles a ON a.url = m.url ORDER BY a.published_utc"
        ):
            yield url, scheme, int(num_perm), bytes(sig), pub, dup

    def count_articles(self) -> int:
        return int(self._db.query("SELECT COUNT(*) FROM articles")[0][0])

    # -- reading records -------------------------------------------------------

    @staticmethod
    def _record(row: Sequence[Any]) -> dict[str, Any]:
        raw = dict(zip(ARTICLE_COLUMNS, row, strict=True))
        record: dict[str, Any] = {}
        for field in RECORD_FIELDS:
            value = raw.get(field)
            if field in JSON_FIELDS and value is not None:
                value = json.loads(value)
            if value is None and field in OPTIONAL_FIELDS:
                continue
            record[field] = value
        record["provenance"] = json.loads(raw["provenance"] or "{}")
        for field in BOOKKEEPING_FIELDS:
            record[field] = raw[field]
        return record

    def iter_articles(
        self,
        *,
        since: str | None = None,
        until: str | None = None,
        section: str | None = None,
        include_duplicates: bool = True,
        newest_first: bool = True,
        limit: int | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Stored records by publication time.

        ``since``/``until`` with an offset compare instants; a date or naive time
        compares against ``published_at`` as printed (the publisher's local time).
        A date ``until`` includes that whole day.
        """
        where: list[str] = []
        params: list[Any] = []
        if since:
            column, value = _bound(since, end=False)
            where.append(f"{column} >= ?")
            params.append(value)
        if until:
            column, value = _bound(until, end=True)
            op = "<" if _is_date(until) else "<="
            where.append(f"{column} {op} ?")
            params.append(value)
        if section is not None:
            where.append("section = ?")
            params.append(section)
        if not include_duplicates:
            where.append("duplicate_of IS NULL")
        sql = _SELECT_ARTICLE
        if where:
            sql += " WHERE " + " AND ".join(where)
        order = "DESC" if newest_first else "ASC"
        sql += f" ORDER BY published_utc {order}, url {order}"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(int(limit))
        for row in self._db.iterate(sql, params):
            yield self._record(row)

    def iter_run_changes(self, run_id: str) -> Iterator[dict[str, Any]]:
        """Records inserted or updated (text, metadata or duplicate link) by ``run_id``."""
        for row in self._db.iterate(
            _SELECT_ARTICLE + " WHERE run_id = ? ORDER BY published_utc DESC, url", (run_id,)
        ):
            yield self._record(row)

    def get_article(self, url: str) -> dict[str, Any] | None:
        rows = self._db.query(_SELECT_ARTICLE + " WHERE url = ?", (url,))
        return self._record(rows[0]) if rows else None

    def versions(self, url: str) -> list[dict[str, Any]]:
        """Every text the article ``url`` has had, oldest first."""
        keys = ("url", "version", "content_hash", "title", "lead", "body", "seen_at", "run_id")
        rows = self._db.query(
            "SELECT " + ", ".join(keys) + " FROM article_versions WHERE url = ? ORDER BY version",
            (url,),
        )
        return [dict(zip(keys, row, strict=True)) for row in rows]

    def iter_raw_pages(self) -> Iterator[RawPage]:
        """Every kept page, html decompressed, oldest fetch first."""
        for url, fetched_url, fetched_at, codec, html in self._db.iterate(
            "SELECT url, fetched_url, fetched_at, codec, html FROM raw_pages "
            "ORDER BY fetched_at, url"
        ):
            yield RawPage(url, fetched_url, fetched_at, _decompress(codec, html))

    def stats_report(self, *, days: int = 30) -> dict[str, Any]:
        """See :func:`newsbot.store.stats.stats_report`."""
        from newsbot.store.stats import stats_report

        return stats_report(self, days=days)

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Read-only SQL with ``?`` placeholders, for reports and tests."""
        return self._db.query(sql, params)

    # -- writing ---------------------------------------------------------------

    def save_raw_pages(self, pages: Sequence[Mapping[str, Any]]) -> None:
        """Keep pages (``url``, ``_fetched_url``, ``_fetched_at``, ``_raw_html``) as they are."""
        with self._db.transaction():
            for page in pages:
                self._save_raw(page)

    def _save_raw(self, record: Mapping[str, Any]) -> None:
        html = record.get("_raw_html")
        url = record.get("url") or record.get("_fetched_url")
        if html is None or not url:
            return
        if isinstance(html, str):
            html = html.encode("utf-8")
        fetched_at = to_utc_iso(record.get("_fetched_at")) or utc_now()
        self._db.execute(
            "INSERT INTO raw_pages (url, fetched_url, fetched_at, codec, html, size)"
            " VALUES (?, ?, ?, 'zlib', ?, ?) ON CONFLICT (url) DO UPDATE SET"
            " fetched_url = excluded.fetched_url, fetched_at = excluded.fetched_at,"
            " codec = excluded.codec, html = excluded.html, size = excluded.size",
            (url, record.get("_fetched_url") or url, fetched_at, _compress(html), len(html)),
        )

    def write_batch(self, records: Sequence[dict[str, Any]], run_id: str | None) -> list[str]:
        """Write records in one transaction; returns one outcome per record.

        Outcomes: ``new``, ``duplicate`` (new, marked ``duplicate_of``), ``updated``
        (text changed: new version; or metadata changed in place), ``unchanged``
        (only ``last_seen_at`` moves), ``error`` (logged with its URL). When the batch
        transaction fails, records are retried one per transaction so one bad record
        costs only itself. :meth:`write_batch_results` says more per record.
        """
        return [result.outcome for result in self.write_batch_results(records, run_id)]

    def write_batch_results(
        self, records: Sequence[dict[str, Any]], run_id: str | None
    ) -> list[WriteResult]:
        """As :meth:`write_batch`, with each failure's reason and each superseded copy."""
        try:
            with self._db.transaction():
                return [self._write(record, run_id) for record in records]
        except Exception as exc:  # noqa: BLE001 - any write error triggers the per-record retry
            if len(records) == 1:
                logger.error("store write failed for %s: %s", records[0].get("url"), exc)
                return [WriteResult("error", _reason(exc))]
            logger.warning("batch of %d failed (%s); retrying one by one", len(records), exc)
        results = []
        for record in records:
            try:
                with self._db.transaction():
                    results.append(self._write(record, run_id))
            except Exception as exc:  # noqa: BLE001 - reported per record, with its URL
                logger.error("store write failed for %s: %s", record.get("url"), exc)
                results.append(WriteResult("error", _reason(exc)))
        return results

    def _write(self, record: dict[str, Any], run_id: str | None) -> WriteResult:
        db = self._db
        seen_at = to_utc_iso(record.get("_fetched_at")) or utc_now()
        chash = record.get("_content_hash") or content_hash(record)
        values = _column_values(record)
        existing = self._find_row(record["url"], record.get("site"), record.get("source_id"))
        self._save_raw(record)
        if existing is None:
            row = {
                **values,
                "content_hash": chash,
                "version": 1,
                "first_seen_at": seen_at,
                "last_seen_at": seen_at,
                "duplicate_of": record.get("duplicate_of"),
                "run_id": run_id,
            }
            db.execute(
                f"INSERT INTO articles ({', '.join(ARTICLE_COLUMNS)})"
                f" VALUES ({', '.join('?' * len(ARTICLE_COLUMNS))})",
                [row[c] for c in ARTICLE_COLUMNS],
            )
            self._add_version(row["url"], 1, chash, values, seen_at, run_id)
            self._save_signature(row["url"], record)
            superseded = record.get("_supersedes")
            marked = None
            if superseded:
                # The former original becomes a copy of this earlier publication (counted
                # by the caller as a duplicate), and its copies now point here too.
                cur = db.execute(
                    "UPDATE articles SET duplicate_of = ?, run_id = ?"
                    " WHERE url = ? AND duplicate_of IS NULL",
                    (row["url"], run_id, superseded),
                )
                if cur.rowcount:
                    marked = superseded
                db.execute(
                    "UPDATE articles SET duplicate_of = ?, run_id = ? WHERE duplicate_of = ?",
                    (row["url"], run_id, superseded),
                )
            return WriteResult("duplicate" if row["duplicate_of"] else "new", None, marked)

        url = existing["url"]
        last_seen = max(existing["last_seen_at"], seen_at)
        if existing["content_hash"] != chash:
            version = int(existing["version"]) + 1
            self._update(url, values, chash, version, last_seen, run_id)
            self._add_version(url, version, chash, values, seen_at, run_id)
            self._save_signature(url, record)
            return WriteResult("updated")
        if any(_differs(existing[f], values[f], f in JSON_FIELDS) for f in METADATA_FIELDS):
            self._update(url, values, chash, int(existing["version"]), last_seen, run_id)
            return WriteResult("updated")
        db.execute("UPDATE articles SET last_seen_at = ? WHERE url = ?", (last_seen, url))
        return WriteResult("unchanged")

    def _update(
        self,
        url: str,
        values: dict[str, Any],
        chash: str,
        version: int,
        last_seen: str,
        run_id: str | None,
    ) -> None:
        # The stored URL stays the article's identity even when found under another URL.
        columns = [c for c in ARTICLE_COLUMNS if c in values and c != "url"]
        sets = ", ".join(f"{c} = ?" for c in columns)
        self._db.execute(
            f"UPDATE articles SET {sets}, content_hash = ?, version = ?, last_seen_at = ?,"
            " run_id = ? WHERE url = ?",
            [values[c] for c in columns] + [chash, version, last_seen, run_id, url],
        )

    def _add_version(
        self,
        url: str,
        version: int,
        chash: str,
        values: dict[str, Any],
        seen_at: str,
        run_id: str | None,
    ) -> None:
        self._db.execute(
            "INSERT INTO article_versions"
            " (url, version, content_hash, title, lead, body, seen_at, run_id)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (url, version, chash, values["title"], values["lead"], values["body"], seen_at, run_id),
        )

    def _save_signature(self, url: str, record: Mapping[str, Any]) -> None:
        signature = record.get("_signature")
        if signature is None:
            return
        self._db.execute(
            "INSERT INTO minhash (url, scheme, num_perm, signature) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (url) DO UPDATE SET scheme = excluded.scheme,"
            " num_perm = excluded.num_perm, signature = excluded.signature",
            (url, record.get("_signature_scheme"), record.get("_num_perm"), bytes(signature)),
        )

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _column_values(record: Mapping[str, Any]) -> dict[str, Any]:
    """The record's contract fields as column values (JSON encoded, UTC sort key added)."""
    values: dict[str, Any] = {}
    for field in RECORD_FIELDS:
        value = record.get(field)
        if field in JSON_FIELDS:
            if value is None and field != "media":
                value = []
            value = None if value is None else _dumps(value)
        elif field == "source_id" and value is not None:
            value = str(value)
        values[field] = value
    values["provenance"] = _dumps(record.get("provenance") or {})
    values["published_utc"] = to_utc_iso(record.get("published_at"))
    return values


def _chunks(values: list[Any], size: int = 500) -> Iterator[list[Any]]:
    """``values`` in slices small enough for one ``IN (...)`` list on either engine."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _reason(exc: BaseException) -> str:
    """A failed write's reason as the run records it."""
    return f"store write failed: {type(exc).__name__}: {exc}"


def _differs(stored: Any, new: Any, is_json: bool) -> bool:
    if is_json:
        return (json.loads(stored) if stored else None) != (json.loads(new) if new else None)
    return stored != new


def _is_date(value: str) -> bool:
    return len(value.strip()) == 10


def _bound(value: str, *, end: bool) -> tuple[str, str]:
    """The column and value a since/until bound compares (see iter_articles)."""
    value = value.strip()
    if _is_date(value):
        day = date.fromisoformat(value)
        if end:
            day += timedelta(days=1)
        return "substr(published_at, 1, 19)", f"{day.isoformat()}T00:00:00"
    dt = datetime.fromisoformat(value)
    if dt.tzinfo is not None:
        return "published_utc", dt.astimezone(UTC).isoformat(timespec="seconds")
    return "substr(published_at, 1, 19)", dt.isoformat(timespec="seconds")


def open_store(target: str | os.PathLike[str] | None = None) -> Store:
    """Open (and migrate) the store at an SQLite path or a ``postgresql://`` DSN."""
    target = os.fspath(target) if target else DEFAULT_TARGET
    if target.startswith(("postgresql://", "postgres://")):
        return Store(_PostgresConn(target))
    if target.startswith("sqlite:///"):
        target = target[len("sqlite:///") :]
    return Store(_SqliteConn(target))
