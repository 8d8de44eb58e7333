"""Articles: the write path (identity, versions, near-duplicate links), reads, raw pages.

Rows are worked on as *canonical rows*: dicts keyed by :data:`ROW_KEYS` holding the
record's values (JSON fields as Python values, times as ISO text). Each engine's
column layout (:data:`SQLITE_COLUMNS`, :data:`POSTGRES_COLUMNS`) says how a
canonical row maps to its columns and back, so the write path is written once.

Writing a batch (:meth:`Articles.write_batch_results`) looks every identity of the
batch up in a few queries, decides each record's outcome in order (a later record of
the same article sees the earlier one), then writes with one ``executemany`` per
statement kind, all in one transaction. When that transaction fails, records are
retried one per transaction; every record gets exactly one result, decided only
after its transaction committed, so a failed COMMIT can never count a record twice.

Dedup rules: identity is the URL or ``(site, source_id)`` (the first URL stored stays
the key); the same text (sha256 of normalised title, lead, body) only moves
``last_seen_at``; a new text adds an ``article_versions`` row and bumps ``version``;
changed metadata with the same text is updated in place; a near-duplicate of another
story is stored with ``duplicate_of`` = the earlier publication's URL, and when the
new record is the earlier publication, the stored original and its copies are
re-pointed to it.
"""

from __future__ import annotations

import json
import logging
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, NamedTuple

from newsbot.record import OPTIONAL_FIELDS, RECORD_FIELDS
from newsbot.store.dedup import content_hash
from newsbot.store.engines import Engine
from newsbot.store.errors import StoreError

logger = logging.getLogger(__name__)

#: Fields holding JSON (lists or objects).
JSON_FIELDS: tuple[str, ...] = ("images", "related", "media", "aliases", "tags", "provenance")
#: JSON fields that stay NULL (absent from the record) when the record has none.
_NULLABLE_JSON = frozenset({"media", "aliases"})
#: Fields that change an article without changing its text (updated in place, no version).
METADATA_FIELDS: tuple[str, ...] = tuple(
    f for f in RECORD_FIELDS if f not in ("url", "site", "title", "lead", "body")
)
#: Keys of a canonical row (what an ``articles`` row holds, whatever the engine).
ROW_KEYS: tuple[str, ...] = (
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
    "aliases",
    "tags",
    "provenance",
    "language",
    "content_hash",
    "version",
    "first_seen_at",
    "last_seen_at",
    "duplicate_of",
    "run_id",
    "left_published",
)
#: Row keys holding JSON: the record's JSON fields, and ``left_published``, the
#: publication times an edit moved the article away from (so the publisher rebuilds
#: the by-date files of the days it left; never part of a record).
_JSON_KEYS = frozenset({*JSON_FIELDS, "left_published"})
#: How many earlier publication times an article keeps (edits of the date are rare).
_LEFT_PUBLISHED_MAX = 20
BOOKKEEPING_FIELDS: tuple[str, ...] = (
    "content_hash",
    "version",
    "first_seen_at",
    "last_seen_at",
    "duplicate_of",
)
#: Keys an update of an existing row leaves alone (identity, first sighting, story link).
_KEPT_ON_UPDATE = frozenset({"url", "first_seen_at", "duplicate_of"})
#: Keys the write path's decisions never read from a stored row (it compares hashes).
_TEXT_KEYS = frozenset({"title", "lead", "body", "provenance"})
_CHUNK = 500
_REASON_MAX = 300


class Column(NamedTuple):
    """One ``articles`` column: its name, the canonical key it holds and how.

    ``kind``: ``plain`` (as is), ``json`` (JSON text / jsonb), ``time`` (ISO text /
    timestamptz), ``utc_of`` (timestamptz of the key's printed time; not read back).
    """

    name: str
    key: str
    kind: str = "plain"


SQLITE_COLUMNS: tuple[Column, ...] = tuple(
    Column(k, k, "json" if k in _JSON_KEYS else "plain") for k in ROW_KEYS
)
POSTGRES_COLUMNS: tuple[Column, ...] = tuple(
    {
        "published_at": Column("published_local", "published_at"),
        "published_utc": Column("published_at", "published_utc", "time"),
        "modified_at": Column("modified_local", "modified_at"),
        "first_seen_at": Column("first_seen_at", "first_seen_at", "time"),
        "last_seen_at": Column("last_seen_at", "last_seen_at", "time"),
    }.get(k, Column(k, k, "json" if k in _JSON_KEYS else "plain"))
    for k in ROW_KEYS
) + (Column("modified_at", "modified_at", "utc_of"),)


class _Fingerprints(NamedTuple):
    """A batch's signatures and band keys to write, by URL (the last one wins)."""

    signatures: dict[str, tuple[Any, ...]]
    bands: dict[str, tuple[str, str, tuple[int, ...]]]


class RawPage(NamedTuple):
    """A page as fetched: the article's canonical URL, the URL really requested
    (a mirror, a replica), when, and the HTML."""

    url: str
    fetched_url: str
    fetched_at: str
    html: bytes


class WriteResult(NamedTuple):
    """What writing one record did (see :meth:`Articles.write_batch_results`)."""

    #: ``new``, ``duplicate``, ``updated``, ``unchanged`` or ``error``.
    outcome: str
    #: Why the write failed (exception type and first line of its text); None unless ``error``.
    reason: str | None = None
    #: URL of a stored article this record superseded as the earlier publication, which
    #: the write marked ``duplicate_of`` this record (it was an original until now).
    marked_duplicate: str | None = None


class KnownArticle(NamedTuple):
    """What a crawl needs to know of a stored article to decide whether to fetch it."""

    source_id: str | None
    published_at: str
    last_seen_at: str
    #: The stored (identity) URL.
    url: str | None = None
    #: When a run first stored it (the crawl tells its own run's articles by it).
    first_seen_at: str | None = None
    #: Its URLs under the publisher's other domain, as stored (``known`` reads them).
    aliases: tuple[str, ...] = ()


def _alias_tuple(value: Any) -> tuple[str, ...]:
    """A stored ``aliases`` value (a JSON list or NULL) as :attr:`KnownArticle.aliases`."""
    return tuple(str(u) for u in value) if isinstance(value, list) else ()


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


def _utc_or_none(value: Any) -> str | None:
    try:
        return to_utc_iso(value)
    except (TypeError, ValueError):
        return None


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _compress(html: bytes) -> bytes:
    # Level 3: within a few percent of level 6 on HTML, at half the CPU on the hot path.
    return zlib.compress(html, 3)


def _decompress(codec: str, data: bytes) -> bytes:
    if codec == "zlib":
        return zlib.decompress(bytes(data))
    raise StoreError(f"unknown raw page codec {codec!r}")


def reason_of(exc: BaseException) -> str:
    """A failed write's reason as the run records and logs it: one bounded line."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    if len(text) > _REASON_MAX:
        text = text[:_REASON_MAX] + "…"
    return f"store write failed: {type(exc).__name__}: {text}"


def _chunks(values: Sequence[Any], size: int = _CHUNK) -> Iterator[Sequence[Any]]:
    """``values`` in slices small enough for one ``IN (...)`` list on either engine."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def record_row(record: Mapping[str, Any]) -> dict[str, Any]:
    """The record's contract fields as a canonical row (without bookkeeping)."""
    row: dict[str, Any] = {}
    for field in RECORD_FIELDS:
        value = record.get(field)
        if field in JSON_FIELDS:
            if value is None and field not in _NULLABLE_JSON:
                value = []
        elif field == "source_id" and value is not None:
            value = str(value)
        row[field] = value
    row["provenance"] = record.get("provenance") or {}
    row["published_utc"] = to_utc_iso(record.get("published_at"))
    return row


def _metadata_differs(stored: Mapping[str, Any], values: Mapping[str, Any]) -> bool:
    """Whether the record's metadata differs from the stored row's."""
    for field in METADATA_FIELDS:
        old, new = stored.get(field), values[field]
        if old == new:
            continue
        if field in JSON_FIELDS and old is not None and new is not None:
            # Compared as they read back (a tuple is a JSON list): equal then is unchanged.
            if json.loads(_dumps(old)) == json.loads(_dumps(new)):
                continue
        return True
    return False


class Articles:
    """The ``articles``, ``article_versions``, ``raw_pages`` and ``minhash`` tables."""

    def __init__(self, db: Engine) -> None:
        self._db = db
        p = db.param
        self.columns = SQLITE_COLUMNS if db.dialect == "sqlite" else POSTGRES_COLUMNS
        self._read_columns = [c for c in self.columns if c.kind != "utc_of"]
        self._slim_columns = [c for c in self._read_columns if c.key not in _TEXT_KEYS]
        by_key = {c.key: c.name for c in self._read_columns}
        #: Column of the UTC publication instant (sort key) and of the printed time.
        self.utc_column = by_key["published_utc"]
        self.local_column = by_key["published_at"]
        self._column_names = [c.name for c in self.columns]
        self._select = "SELECT " + ", ".join(c.name for c in self._read_columns) + " FROM articles"
        self._update_columns = [c for c in self.columns if c.key not in _KEPT_ON_UPDATE]
        self._update = (
            "UPDATE articles SET "
            + ", ".join(f"{c.name} = {p}" for c in self._update_columns)
            + f" WHERE url = {p}"
        )

    # -- encoding ------------------------------------------------------------------

    def _encode(self, row: Mapping[str, Any], columns: Sequence[Column]) -> list[Any]:
        out = []
        for c in columns:
            value = row.get(c.key)
            if c.kind == "json":
                value = None if value is None else _dumps(value)
            elif c.kind == "utc_of":
                value = _utc_or_none(value)
            out.append(value)
        return out

    def _decode(
        self, values: Sequence[Any], columns: Sequence[Column] | None = None
    ) -> dict[str, Any]:
        row: dict[str, Any] = {}
        for c, value in zip(columns or self._read_columns, values, strict=True):
            if c.kind == "json":
                value = self._db.json_value(value)
            elif c.kind == "time":
                value = self._db.time_value(value)
            row[c.key] = value
        return row

    @staticmethod
    def _record(row: Mapping[str, Any]) -> dict[str, Any]:
        record: dict[str, Any] = {}
        for field in RECORD_FIELDS:
            value = row.get(field)
            if value is None and field in OPTIONAL_FIELDS:
                continue
            record[field] = value
        record["provenance"] = row.get("provenance") or {}
        for field in BOOKKEEPING_FIELDS:
            record[field] = row[field]
        return record

    # -- lookups -------------------------------------------------------------------

    def find_row(self, url: str | None, site: str | None, source_id: Any) -> dict[str, Any] | None:
        p = self._db.param
        if url:
            rows = self._db.query(self._select + f" WHERE url = {p}", (url,))
            if rows:
                return self._decode(rows[0])
        if site and source_id:
            rows = self._db.query(
                self._select + f" WHERE site = {p} AND source_id = {p}", (site, str(source_id))
            )
            if rows:
                return self._decode(rows[0])
        return None

    def find_identity(self, url: str | None, site: str | None, source_id: Any) -> str | None:
        """The stored URL of the article ``url`` or ``(site, source_id)`` names, if stored."""
        p = self._db.param
        if url:
            rows = self._db.query(f"SELECT url FROM articles WHERE url = {p}", (url,))
            if rows:
                return str(rows[0][0])
        if site and source_id:
            rows = self._db.query(
                f"SELECT url FROM articles WHERE site = {p} AND source_id = {p}",
                (site, str(source_id)),
            )
            if rows:
                return str(rows[0][0])
        return None

    def _rows_by(
        self, column: str, values: Sequence[Any], site: str | None = None, *, slim: bool = False
    ) -> list[dict[str, Any]]:
        """Rows whose ``column`` is one of ``values`` (of ``site`` if given); ``slim`` leaves
        out the text columns (title, lead, body, provenance), which the write path's
        decisions never read: it compares hashes and metadata."""
        p = self._db.param
        columns = self._slim_columns if slim else self._read_columns
        select = "SELECT " + ", ".join(c.name for c in columns) + " FROM articles"
        out: list[dict[str, Any]] = []
        for chunk in _chunks(values):
            test, params = self._db.in_list(column, chunk)
            sql = f"{select} WHERE {test}"
            if site is not None:
                sql += f" AND site = {p}"
                params.append(site)
            out.extend(self._decode(r, columns) for r in self._db.query(sql, params))
        return out

    def known(
        self, site: str, *, urls: Iterable[str] = (), source_ids: Iterable[Any] = ()
    ) -> list[KnownArticle]:
        """Stored articles of ``site`` with one of ``urls`` or ``source_ids`` (indexed lookups).

        Each article is listed once, whichever key found it. Keys are looked up in
        chunks, so memory grows with the keys asked for, never with the store.
        """
        p = self._db.param
        found: dict[str, KnownArticle] = {}
        keys = (
            ("url", list(dict.fromkeys(u for u in urls if u))),
            (
                "source_id",
                list(dict.fromkeys(str(i) for i in source_ids if i is not None and i != "")),
            ),
        )
        for column, values in keys:
            for chunk in _chunks(values):
                marks = ", ".join([p] * len(chunk))
                for row in self._db.query(
                    f"SELECT {self._known_columns} FROM articles"
                    f" WHERE site = {p} AND {column} IN ({marks})",
                    (site, *chunk),
                ):
                    known = self._known(row)
                    found[str(known.url)] = known
        return list(found.values())

    @property
    def _known_columns(self) -> str:
        """The columns :meth:`_known` reads, in its order."""
        return f"url, source_id, {self.local_column}, last_seen_at, first_seen_at, aliases"

    def _known(self, row: Sequence[Any]) -> KnownArticle:
        url, sid, pub, seen, first, aliases = row
        time_value = self._db.time_value
        return KnownArticle(
            sid,
            pub,
            time_value(seen),
            url,
            time_value(first),
            _alias_tuple(self._db.json_value(aliases)),
        )

    def iter_known(
        self, site: str, *, published_since: str | None = None, seen_since: str | None = None
    ) -> Iterator[KnownArticle]:
        """Stored articles of ``site`` published (or last seen) at or after a UTC instant,
        newest first; with no bound, every article of the site."""
        p = self._db.param
        where, params = [f"site = {p}"], [site]
        if published_since:
            where.append(f"{self.utc_column} >= {p}")
            params.append(to_utc_iso(published_since))
        if seen_since:
            where.append(f"last_seen_at >= {p}")
            params.append(to_utc_iso(seen_since))
        for row in self._db.iterate(
            f"SELECT {self._known_columns} FROM articles WHERE "
            + " AND ".join(where)
            + f" ORDER BY {self.utc_column} DESC, url DESC",
            params,
        ):
            yield self._known(row)

    def iter_dated_ids(
        self, site: str, *, before: str | None = None, after: str | None = None
    ) -> Iterator[tuple[str | None, str]]:
        """(source_id, published_at as printed) of articles of ``site`` published before
        ``before`` or at/after ``after`` (UTC instants), streamed."""
        p = self._db.param
        clauses: list[str] = []
        params: list[Any] = [site]
        if before:
            clauses.append(f"{self.utc_column} < {p}")
            params.append(to_utc_iso(before))
        if after:
            clauses.append(f"{self.utc_column} >= {p}")
            params.append(to_utc_iso(after))
        if not clauses:
            return
        yield from self._db.iterate(
            f"SELECT source_id, {self.local_column} FROM articles WHERE site = {p} AND ("
            + " OR ".join(clauses)
            + ")",
            params,
        )

    def count(self, site: str | None = None) -> int:
        if site is None:
            return int(self._db.query("SELECT COUNT(*) FROM articles")[0][0])
        p = self._db.param
        return int(self._db.query(f"SELECT COUNT(*) FROM articles WHERE site = {p}", (site,))[0][0])

    def known_articles(self, site: str) -> dict[str, KnownArticle]:
        """url -> KnownArticle of every stored article of ``site`` (prefer :meth:`known`)."""
        return {k.url or "": k for k in self.iter_known(site)}

    def related_frontier(self, site: str, limit: int | None = None) -> list[str]:
        """Related-article URLs of stored articles of ``site`` that are not stored themselves,
        newest articles' links first. Streams the articles and asks the store which links it
        holds, a chunk at a time (memory grows with the frontier, not the store)."""
        p = self._db.param
        out: dict[str, None] = {}
        pending: dict[str, None] = {}

        def settle() -> None:
            stored = set()
            keys = list(pending)
            for chunk in _chunks(keys):
                marks = ", ".join([p] * len(chunk))
                stored.update(
                    r[0]
                    for r in self._db.query(
                        f"SELECT url FROM articles WHERE url IN ({marks})", list(chunk)
                    )
                )
            for url in keys:
                if url not in stored:
                    out[url] = None
            pending.clear()

        for (related,) in self._db.iterate(
            f"SELECT related FROM articles WHERE site = {p} ORDER BY {self.utc_column} DESC",
            (site,),
        ):
            for link in self._db.json_value(related) or []:
                url = link.get("url") if isinstance(link, dict) else None
                if url and url not in out:
                    pending[url] = None
            if len(pending) >= _CHUNK:
                settle()
                if limit is not None and len(out) >= limit:
                    break
        settle()
        links = list(out)
        return links[:limit] if limit is not None else links

    def iter_signatures(
        self, published_since: str | None = None
    ) -> Iterator[tuple[str, str, int, bytes, str | None, str | None]]:
        """(url, scheme, num_perm, signature, published_at, duplicate_of) of stored articles,
        oldest first; with ``published_since`` (a UTC instant) only those published since."""
        p = self._db.param
        sql = (
            f"SELECT m.url, m.scheme, m.num_perm, m.signature, a.{self.local_column},"
            f" a.duplicate_of FROM minhash m JOIN articles a ON a.url = m.url"
        )
        params: list[Any] = []
        if published_since:
            sql += f" WHERE a.{self.utc_column} >= {p}"
            params.append(to_utc_iso(published_since))
        sql += f" ORDER BY a.{self.utc_column}"
        for url, scheme, num_perm, sig, pub, dup in self._db.iterate(sql, params):
            yield url, scheme, int(num_perm), bytes(sig), pub, dup

    # -- near-duplicate bands ------------------------------------------------------

    def near_candidates(self, lsh: str, keys: Sequence[int]) -> list[tuple[str, str, str | None]]:
        """Stored articles sharing a band key with ``keys``: (url, the original of its story,
        that original's published_at as printed). One indexed query."""
        if not keys:
            return []
        p = self._db.param
        test, params = self._db.in_list("key", list(keys))
        rows = self._db.query(
            f"SELECT a.url, COALESCE(a.duplicate_of, a.url), r.{self.local_column}"
            " FROM articles a LEFT JOIN articles r ON r.url = COALESCE(a.duplicate_of, a.url)"
            f" WHERE a.url IN (SELECT url FROM minhash_bands WHERE {test} AND lsh = {p})",
            [*params, lsh],
        )
        return [(str(url), str(root), pub) for url, root, pub in rows]

    def signatures_without_bands(self, lsh: str) -> Iterator[tuple[str, str, int, bytes]]:
        """(url, scheme, num_perm, signature) of stored signatures with no ``lsh`` band keys."""
        p = self._db.param
        for url, scheme, num_perm, signature in self._db.iterate(
            "SELECT m.url, m.scheme, m.num_perm, m.signature FROM minhash m WHERE NOT EXISTS"
            f" (SELECT 1 FROM minhash_bands b WHERE b.url = m.url AND b.lsh = {p})",
            (lsh,),
        ):
            yield str(url), str(scheme), int(num_perm), bytes(signature)

    def save_bands(self, lsh: str, rows: Sequence[tuple[int, str]]) -> None:
        """Add band keys ``(key, url)`` made with the parameters ``lsh``."""
        with self._db.transaction():
            self._db.insert_many(
                "minhash_bands", ("key", "url", "lsh"), [(k, u, lsh) for k, u in rows]
            )

    # -- reading records -------------------------------------------------------

    def iter_articles(
        self,
        *,
        since: str | None = None,
        until: str | None = None,
        section: str | None = None,
        site: str | None = None,
        include_duplicates: bool = True,
        newest_first: bool = True,
        limit: int | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Stored records by publication time.

        ``since``/``until`` with an offset compare instants; a date or naive time
        compares against ``published_at`` as printed (the publisher's local time).
        A date ``until`` includes that whole day.
        """
        p = self._db.param
        where: list[str] = []
        params: list[Any] = []
        if since:
            column, value = self._bound(since, end=False)
            where.append(f"{column} >= {p}")
            params.append(value)
        if until:
            column, value = self._bound(until, end=True)
            op = "<" if _is_date(until) else "<="
            where.append(f"{column} {op} {p}")
            params.append(value)
        if section is not None:
            where.append(f"section = {p}")
            params.append(section)
        if site is not None:
            where.append(f"site = {p}")
            params.append(site)
        if not include_duplicates:
            where.append("duplicate_of IS NULL")
        sql = self._select
        if where:
            sql += " WHERE " + " AND ".join(where)
        order = "DESC" if newest_first else "ASC"
        sql += f" ORDER BY {self.utc_column} {order}, url {order}"
        if limit is not None:
            sql += f" LIMIT {p}"
            params.append(int(limit))
        for row in self._db.iterate(sql, params):
            yield self._record(self._decode(row))

    def _bound(self, value: str, *, end: bool) -> tuple[str, str]:
        """The column and value a since/until bound compares (see iter_articles)."""
        value = value.strip()
        local = f"substr({self.local_column}, 1, 19)"
        if _is_date(value):
            day = date.fromisoformat(value)
            if end:
                day += timedelta(days=1)
            return local, f"{day.isoformat()}T00:00:00"
        dt = datetime.fromisoformat(value)
        if dt.tzinfo is not None:
            return self.utc_column, dt.astimezone(UTC).isoformat(timespec="seconds")
        return local, dt.isoformat(timespec="seconds")

    def iter_run_changes(self, run_id: str) -> Iterator[dict[str, Any]]:
        """Records inserted or updated (text, metadata or duplicate link) by ``run_id``."""
        p = self._db.param
        for row in self._db.iterate(
            self._select + f" WHERE run_id = {p} ORDER BY {self.utc_column} DESC, url", (run_id,)
        ):
            yield self._record(self._decode(row))

    def left_published(self, run_id: str) -> list[str]:
        """Publication times that articles changed by ``run_id`` had before (the days
        their by-date files must no longer show them on)."""
        p = self._db.param
        out: list[str] = []
        for (value,) in self._db.iterate(
            f"SELECT left_published FROM articles WHERE run_id = {p}"
            " AND left_published IS NOT NULL",
            (run_id,),
        ):
            out.extend(self._db.json_value(value) or ())
        return out

    def get(self, url: str) -> dict[str, Any] | None:
        p = self._db.param
        rows = self._db.query(self._select + f" WHERE url = {p}", (url,))
        return self._record(self._decode(rows[0])) if rows else None

    def first_stored_by(self, url: str) -> str | None:
        """The run that stored ``url`` first (the run of its version 1), if known."""
        p = self._db.param
        rows = self._db.query(
            f"SELECT run_id FROM article_versions WHERE url = {p} AND version = 1", (url,)
        )
        return rows[0][0] if rows else None

    def versions(self, url: str) -> list[dict[str, Any]]:
        """Every text the article ``url`` has had, oldest first."""
        p = self._db.param
        keys = ("url", "version", "content_hash", "title", "lead", "body", "seen_at", "run_id")
        rows = self._db.query(
            "SELECT "
            + ", ".join(keys)
            + f" FROM article_versions WHERE url = {p} ORDER BY version",
            (url,),
        )
        out = []
        for row in rows:
            version = dict(zip(keys, row, strict=True))
            version["seen_at"] = self._db.time_value(version["seen_at"])
            out.append(version)
        return out

    def iter_raw_pages(self) -> Iterator[RawPage]:
        """Every kept page, html decompressed, oldest fetch first."""
        for url, fetched_url, fetched_at, codec, html in self._db.iterate(
            "SELECT url, fetched_url, fetched_at, codec, html FROM raw_pages "
            "ORDER BY fetched_at, url"
        ):
            yield RawPage(
                url, fetched_url, self._db.time_value(fetched_at) or "", _decompress(codec, html)
            )

    def volume(self, since: str, site: str | None = None) -> list[tuple[str | None, str, int]]:
        """(section, local publication day, count) of articles first seen since ``since``."""
        p = self._db.param
        day = f"substr({self.local_column}, 1, 10)"
        where, params = f"first_seen_at >= {p}", [since]
        if site is not None:
            where += f" AND site = {p}"
            params.append(site)
        rows = self._db.query(
            f"SELECT section, {day} AS day, COUNT(*) FROM articles WHERE {where}"
            f" GROUP BY section, {day} ORDER BY day DESC, section",
            params,
        )
        return [(section, str(d), int(n)) for section, d, n in rows]

    def sightings(self, since: str, site: str | None = None) -> list[tuple[str, str]]:
        """(published_at as printed, first_seen_at) of articles first seen since ``since``."""
        p = self._db.param
        where, params = f"first_seen_at >= {p}", [since]
        if site is not None:
            where += f" AND site = {p}"
            params.append(site)
        rows = self._db.query(
            f"SELECT {self.local_column}, first_seen_at FROM articles WHERE {where}", params
        )
        return [(pub, self._db.time_value(seen) or "") for pub, seen in rows]

    def totals(self, site: str | None = None) -> tuple[int, int]:
        """(articles, of which near-duplicates)."""
        p = self._db.param
        sql, params = "SELECT COUNT(*), COUNT(duplicate_of) FROM articles", []
        if site is not None:
            sql += f" WHERE site = {p}"
            params.append(site)
        total, dups = self._db.query(sql, params)[0]
        return int(total), int(dups)

    def site_totals(self, site: str) -> tuple[int, str | None]:
        """(articles of ``site``, the latest ``first_seen_at`` among them or None)."""
        p = self._db.param
        count, newest = self._db.query(
            f"SELECT COUNT(*), MAX(first_seen_at) FROM articles WHERE site = {p}", (site,)
        )[0]
        return int(count or 0), self._db.time_value(newest)

    # -- writing ---------------------------------------------------------------

    def save_raw_pages(self, pages: Sequence[Mapping[str, Any]]) -> None:
        """Keep pages (``url``, ``_fetched_url``, ``_fetched_at``, ``_raw_html``) as they are."""
        rows = [r for r in (_raw_row(page) for page in pages) if r is not None]
        if rows:
            with self._db.transaction():
                self._db.executemany(self._raw_upsert(), rows)

    def _raw_upsert(self) -> str:
        p = self._db.param
        return (
            "INSERT INTO raw_pages (url, fetched_url, fetched_at, codec, html, size)"
            f" VALUES ({p}, {p}, {p}, 'zlib', {p}, {p}) ON CONFLICT (url) DO UPDATE SET"
            " fetched_url = excluded.fetched_url, fetched_at = excluded.fetched_at,"
            " codec = excluded.codec, html = excluded.html, size = excluded.size"
        )

    def write_batch_results(
        self, records: Sequence[Mapping[str, Any]], run_id: str | None
    ) -> list[WriteResult]:
        """Write records in one transaction; exactly one result per record, in order.

        When the batch transaction fails (a bad record, a failed COMMIT), each record is
        retried in its own transaction, so one bad record costs only itself; a record's
        result is decided after its transaction committed. Failures are logged with the
        record's URL and a one-line reason, never the record itself.
        """
        if not records:
            return []
        try:
            with self._db.transaction():
                results = self._write(records, run_id)
            return results
        except Exception as exc:  # noqa: BLE001 - any write error triggers the per-record retry
            if len(records) == 1:
                return [self._failed(records[0], exc)]
            logger.warning(
                "store batch of %d records failed (%s); retrying one by one",
                len(records),
                reason_of(exc),
            )
        results = []
        for record in records:
            try:
                with self._db.transaction():
                    [result] = self._write([record], run_id)
            except Exception as exc:  # noqa: BLE001 - reported per record, with its URL
                result = self._failed(record, exc)
            results.append(result)
        return results

    @staticmethod
    def _failed(record: Mapping[str, Any], exc: BaseException) -> WriteResult:
        reason = reason_of(exc)
        logger.error("%s: %s", record.get("url"), reason)
        return WriteResult("error", reason)

    def _lookup(self, records: Sequence[Mapping[str, Any]]) -> tuple[dict, dict]:
        """Stored rows of the batch's identities (and of articles it supersedes)."""
        urls = {str(r["url"]) for r in records}
        urls.update(str(r["_supersedes"]) for r in records if r.get("_supersedes"))
        by_url = {row["url"]: row for row in self._rows_by("url", sorted(urls), slim=True)}
        ids: dict[str, set[str]] = {}
        for r in records:
            if r.get("site") and r.get("source_id") not in (None, ""):
                ids.setdefault(str(r["site"]), set()).add(str(r["source_id"]))
        by_id: dict[tuple[str, str], dict[str, Any]] = {}
        for site, source_ids in ids.items():
            for row in self._rows_by("source_id", sorted(source_ids), site=site, slim=True):
                # One object per stored row, whichever key found it: a decision made through
                # one key must be seen through the other by the next record of the batch.
                row = by_url.setdefault(row["url"], row)
                by_id[(row["site"], str(row["source_id"]))] = row
        for row in by_url.values():
            if row.get("site") and row.get("source_id") is not None:
                by_id.setdefault((row["site"], str(row["source_id"])), row)
        return by_url, by_id

    def _write(self, records: Sequence[Mapping[str, Any]], run_id: str | None) -> list[WriteResult]:
        """Decide every record's outcome against the stored rows, then write them all."""
        by_url, by_id = self._lookup(records)
        inserts: dict[str, dict[str, Any]] = {}
        updates: dict[str, dict[str, Any]] = {}
        touched: dict[str, str] = {}
        versions: list[tuple[Any, ...]] = []
        signatures = _Fingerprints({}, {})
        raw: dict[str, list[Any]] = {}
        supersede: list[tuple[str, str]] = []
        renames: list[tuple[str, str]] = []
        results: list[WriteResult] = []

        for record in records:
            seen_at = to_utc_iso(record.get("_fetched_at")) or utc_now()
            chash = record.get("_content_hash") or content_hash(record)
            values = record_row(record)
            if values["published_utc"] is None:
                raise ValueError(f"no published_at: {record.get('published_at')!r}")
            site, sid = record.get("site"), record.get("source_id")
            existing = by_url.get(record["url"])
            if existing is None and site and sid not in (None, ""):
                existing = by_id.get((site, str(sid)))
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
                url = row["url"]
                inserts[url] = by_url[url] = row
                if site and sid not in (None, ""):
                    by_id[(site, str(sid))] = row
                versions.append(_version(url, 1, chash, values, seen_at, run_id))
                self._signature(signatures, url, record)
                _keep_page(raw, record)
                marked = None
                superseded = record.get("_supersedes")
                if superseded:
                    # The former original becomes a copy of this earlier publication
                    # (counted by the caller as a duplicate); its copies now point here too.
                    former = by_url.get(str(superseded))
                    if former is not None and former.get("duplicate_of") is None:
                        marked = str(superseded)
                        former["duplicate_of"] = url
                    for other in by_url.values():
                        if other.get("duplicate_of") == superseded:
                            other["duplicate_of"] = url
                    supersede.append((url, str(superseded)))
                results.append(
                    WriteResult("duplicate" if row["duplicate_of"] else "new", None, marked)
                )
                continue

            moved = _moved(existing, values)
            if moved is not None:
                renames.append((existing["url"], moved))
                by_url[moved] = existing
            url = existing["url"] = moved or existing["url"]
            values["aliases"] = _aliases(existing, values)
            left = _left_published(existing, values)
            if left is not None:
                existing["left_published"] = left
            last_seen = max(existing["last_seen_at"], seen_at)
            if existing["content_hash"] != chash:
                version = int(existing["version"]) + 1
                existing.update(values, url=url, content_hash=chash, version=version)
                existing.update(last_seen_at=last_seen, run_id=run_id)
                versions.append(_version(url, version, chash, values, seen_at, run_id))
                self._signature(signatures, url, record)
                outcome = "updated"
            elif _metadata_differs(existing, values):
                existing.update(values, url=url, last_seen_at=last_seen, run_id=run_id)
                outcome = "updated"
            else:
                existing["last_seen_at"] = last_seen
                if url not in inserts and url not in updates:
                    touched[url] = last_seen
                results.append(WriteResult("unchanged"))
                continue
            if url not in inserts:
                updates[url] = existing
                touched.pop(url, None)
            # An unchanged article keeps the page it was stored from: same text and
            # metadata, so reparse gets as much from it, and the crawl skips compressing.
            _keep_page(raw, record)
            results.append(WriteResult(outcome))

        self._rename(renames)
        self._flush(inserts, updates, touched, versions, signatures, raw, supersede, run_id)
        return results

    def _rename(self, renames: list[tuple[str, str]]) -> None:
        """Move stored articles to the URL they live at now (an article of the old
        domain met on the new one): the row and everything keyed by its URL."""
        p = self._db.param
        for old, new in renames:
            for table, column in (
                ("articles", "url"),
                ("article_versions", "url"),
                ("raw_pages", "url"),
                ("minhash", "url"),
                ("minhash_bands", "url"),
                ("articles", "duplicate_of"),
            ):
                self._db.execute(
                    f"UPDATE {table} SET {column} = {p} WHERE {column} = {p}", (new, old)
                )

    def _flush(
        self,
        inserts: dict[str, dict[str, Any]],
        updates: dict[str, dict[str, Any]],
        touched: dict[str, str],
        versions: list[tuple[Any, ...]],
        signatures: _Fingerprints,
        raw: dict[str, list[Any]],
        supersede: list[tuple[str, str]],
        run_id: str | None,
    ) -> None:
        db, p = self._db, self._db.param
        if inserts:
            db.insert_many(
                "articles",
                self._column_names,
                [self._encode(r, self.columns) for r in inserts.values()],
            )
        if updates:
            db.executemany(
                self._update,
                [self._encode(r, self._update_columns) + [r["url"]] for r in updates.values()],
            )
        if touched:
            db.executemany(
                f"UPDATE articles SET last_seen_at = {p} WHERE url = {p}",
                [(seen, url) for url, seen in touched.items()],
            )
        for new_url, superseded in supersede:
            db.execute(
                f"UPDATE articles SET duplicate_of = {p}, run_id = {p}"
                f" WHERE url = {p} AND duplicate_of IS NULL",
                (new_url, run_id, superseded),
            )
            db.execute(
                f"UPDATE articles SET duplicate_of = {p}, run_id = {p} WHERE duplicate_of = {p}",
                (new_url, run_id, superseded),
            )
        if versions:
            db.insert_many("article_versions", _VERSION_COLUMNS, versions)
        if signatures.bands:
            urls = list(signatures.bands)
            for chunk in _chunks(urls):
                test, params = db.in_list("url", chunk)
                db.execute(f"DELETE FROM minhash_bands WHERE {test}", params)
            db.insert_many(
                "minhash_bands",
                ("key", "url", "lsh"),
                [(key, url, lsh) for url, lsh, keys in signatures.bands.values() for key in keys],
            )
        if signatures.signatures:
            db.executemany(
                f"INSERT INTO minhash (url, scheme, num_perm, signature) VALUES ({p}, {p}, {p}, {p})"
                " ON CONFLICT (url) DO UPDATE SET scheme = excluded.scheme,"
                " num_perm = excluded.num_perm, signature = excluded.signature",
                list(signatures.signatures.values()),
            )
        if raw:
            db.executemany(self._raw_upsert(), list(raw.values()))

    @staticmethod
    def _signature(out: _Fingerprints, url: str, record: Mapping[str, Any]) -> None:
        if record.get("_bands"):
            lsh, keys = record["_bands"]
            out.bands[url] = (url, lsh, tuple(keys))
        signature = record.get("_signature")
        if signature is not None:
            out.signatures[url] = (
                url,
                record.get("_signature_scheme"),
                record.get("_num_perm"),
                bytes(signature),
            )

    # -- pruning ---------------------------------------------------------------

    def prune_raw_pages(self, before: str, *, dry_run: bool = False) -> int:
        """Delete raw pages fetched before the UTC instant ``before``; how many went
        (``dry_run``: how many would go, nothing deleted)."""
        p = self._db.param
        if dry_run:
            rows = self._db.query(
                f"SELECT COUNT(*) FROM raw_pages WHERE fetched_at < {p}", (before,)
            )
            return int(rows[0][0])
        with self._db.transaction():
            cur = self._db.execute(f"DELETE FROM raw_pages WHERE fetched_at < {p}", (before,))
        return int(cur.rowcount or 0)


def _moved(existing: Mapping[str, Any], values: Mapping[str, Any]) -> str | None:
    """The record's URL when the stored article moved there: the record names the
    stored URL among its aliases (found under the publisher's other domain)."""
    url = values.get("url")
    if url and url != existing["url"] and existing["url"] in (values.get("aliases") or ()):
        return str(url)
    return None


def _left_published(existing: Mapping[str, Any], values: Mapping[str, Any]) -> list[str] | None:
    """The stored article's earlier publication times with the one this record replaces,
    when the record moves it (None when the time stays)."""
    old, new = existing.get("published_at"), values.get("published_at")
    if not old or old == new:
        return None
    left = [t for t in existing.get("left_published") or () if t != old]
    return [*left, old][-_LEFT_PUBLISHED_MAX:]


def _aliases(existing: Mapping[str, Any], values: Mapping[str, Any]) -> list[str] | None:
    """Every other URL the article was met under, stored and new, each once."""
    url = values.get("url")
    found = [*(existing.get("aliases") or ()), *(values.get("aliases") or ())]
    out = [u for u in dict.fromkeys(found) if u != url]
    return out or None


_VERSION_COLUMNS = ("url", "version", "content_hash", "title", "lead", "body", "seen_at", "run_id")


def _version(
    url: str, version: int, chash: str, values: Mapping[str, Any], seen_at: str, run_id: str | None
) -> tuple[Any, ...]:
    return (url, version, chash, values["title"], values["lead"], values["body"], seen_at, run_id)


def _keep_page(raw: dict[str, list[Any]], record: Mapping[str, Any]) -> None:
    page = _raw_row(record)
    if page is not None:
        raw[page[0]] = page


def _raw_row(record: Mapping[str, Any]) -> list[Any] | None:
    html = record.get("_raw_html")
    url = record.get("url") or record.get("_fetched_url")
    if html is None or not url:
        return None
    if isinstance(html, str):
        html = html.encode("utf-8")
    fetched_at = to_utc_iso(record.get("_fetched_at")) or utc_now()
    return [url, record.get("_fetched_url") or url, fetched_at, _compress(html), len(html)]


def _is_date(value: str) -> bool:
    return len(value.strip()) == 10
