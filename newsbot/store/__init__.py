"""Article storage: schema, backends (SQLite default, PostgreSQL), dedup and run records.

Open a store with ``open_store(target)`` where ``target`` is an SQLite path (default
``output/newsbot.db``; parent directory created; WAL, ``synchronous=NORMAL``, one
transaction per batch) or a ``postgresql://`` DSN (psycopg 3). Both engines get the
same schema through versioned migrations (``schema_migrations``; see ``schema.py``)
and behave the same.

Tables: ``articles`` (one row per article, the contract fields; JSON columns
``images, related, media, tags, provenance``; plus ``content_hash, version,
first_seen_at, last_seen_at, duplicate_of, run_id`` of the last change),
``article_versions`` (every text an article has had), ``crawl_runs``,
``raw_pages`` (zlib-compressed HTML as fetched, for ``newsbot reparse``) and
``minhash`` (near-duplicate signatures as bytes).

Public API (others call these names)::

    open_store(target: str | None = None) -> Store
    class Store:
        run_lock() -> ContextManager[None]      # StoreLocked at once if another run holds it
        start_run(run_id, spider, args) -> None
        finish_run(run_id, status, counts, coverage, provenance, errors) -> None
        last_run(spider=None) -> dict | None    # status "finished" | "running" (or crashed) | ...
        recent_runs(spider=None, limit=20) -> list[dict]
        known_articles(site) -> dict[str, KnownArticle]   # url -> (source_id, published_at,
                                                          #         last_seen_at)
        known(site, urls=(), source_ids=()) -> list[KnownArticle]  # indexed lookups of
                                                # the keys given; KnownArticle.url is set
        iter_known(site, published_since=None, seen_since=None) -> Iterator[KnownArticle]
                                                # a bounded window, newest first
        count_known(site) -> int
        related_frontier(site) -> list[str]     # related URLs of stored articles, not stored
        iter_articles(*, since=None, until=None, section=None, include_duplicates=True,
                      newest_first=True, limit=None) -> Iterator[dict]
        iter_run_changes(run_id) -> Iterator[dict]        # inserted/updated by that run
        get_article(url) -> dict | None
        versions(url) -> list[dict]             # url, version, content_hash, title, lead, body,
                                                # seen_at, run_id; oldest first
        iter_raw_pages() -> Iterator[RawPage]   # url, fetched_url, fetched_at, html
        write_batch(records, run_id) -> list[str]  # new|duplicate|updated|unchanged|error
        write_batch_results(records, run_id) -> list[WriteResult]  # (outcome, reason,
                                                # marked_duplicate) per record
        save_raw_pages(records) -> None         # raw HTML of records that were not stored
        stats_report(*, days=30) -> dict        # see newsbot.store.stats
        integrity_check() -> str                # "ok" when sound
        close() -> None

Records read back are dicts with the contract field names (JSON decoded; absent
``modified_at``/``media`` left out) plus ``provenance, content_hash, version,
first_seen_at, last_seen_at, duplicate_of``. Timestamps the store sets are UTC ISO
8601 (``+00:00``); ``first_seen_at``/``last_seen_at`` come from the item's
``_fetched_at``.

Dedup rules (``write_batch`` with records annotated by ``dedup.Deduplicator``):
identity is the URL or ``(site, source_id)`` (the first URL stored stays the key);
the same text (sha256 of normalised title, lead, body) only moves
``last_seen_at``; a new text adds an ``article_versions`` row and bumps ``version``;
changed metadata with the same text is updated in place; a near-duplicate of
another story is stored with ``duplicate_of`` = the earlier publication's URL.
When the new record is the earlier publication, the stored original and its copies
are re-pointed to it (``WriteResult.marked_duplicate`` names the former original).
"""

from newsbot.store.backend import (
    DEFAULT_TARGET,
    KnownArticle,
    RawPage,
    Store,
    StoreError,
    StoreLocked,
    WriteResult,
    open_store,
)

__all__ = [
    "DEFAULT_TARGET",
    "KnownArticle",
    "RawPage",
    "Store",
    "StoreError",
    "StoreLocked",
    "WriteResult",
    "open_store",
]
