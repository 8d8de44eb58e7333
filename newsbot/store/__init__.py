"""Article storage: schema, engines (SQLite default, PostgreSQL), runs, articles, dedup.

Open a store with ``open_store(target)`` where ``target`` is an SQLite path (default
``output/newsbot.db``; parent directory created; WAL, ``synchronous=NORMAL``, one
transaction per batch) or a ``postgresql://`` DSN (psycopg 3). Both engines get the
same tables through versioned migrations (``schema_migrations``; see ``schema.py``)
and behave the same; on PostgreSQL instants are ``timestamptz`` and JSON is ``jsonb``.
``open_store(target, readonly=True)`` never writes nor migrates (``export``, ``stats``).

Modules, each pointing one way (engines <- schema/runs/articles <- store):
``errors`` (StoreError, StoreLocked), ``engines`` (one adapter per database: param
marker, transactions, the per-site run lock, value decoding), ``schema``
(migrations, version check), ``runs`` (``crawl_runs``), ``articles`` (the write path
and reads), ``dedup`` (fingerprints and near-duplicates; needs nothing of the store),
``stats`` (what ``newsbot stats`` reports), ``store`` (the facade below).

Tables: ``articles`` (one row per article, the contract fields; JSON columns
``images, related, media, tags, provenance``; plus ``content_hash, version,
first_seen_at, last_seen_at, duplicate_of, run_id`` of the last change),
``article_versions`` (every text an article has had), ``crawl_runs`` (with ``site``),
``raw_pages`` (zlib-compressed HTML as fetched, for ``newsbot reparse``) and
``minhash`` (near-duplicate signatures as bytes).

Public API (others call these names)::

    open_store(target: str | None = None, *, readonly=False) -> Store
    class Store:
        run_lock(site=None) -> ContextManager[None]  # StoreLocked at once if another run of
                                                # that site (or a store-wide run) holds it
        start_run(run_id, spider, args, site=None) -> None
        finish_run(run_id, status, counts, coverage, provenance, errors) -> None
        abort_stale_runs(spider, keep=None) -> int  # "running" rows (killed) -> "aborted"
        last_run(spider=None, *, site=None) -> dict | None  # status "finished" | "running"...
        recent_runs(spider=None, limit=20, *, site=None) -> list[dict]
        run_sites() -> list[str]                # sites with a recorded run
        known(site, urls=(), source_ids=()) -> list[KnownArticle]  # indexed lookups of
                                                # the keys given; KnownArticle.url is set
        iter_known(site, published_since=None, seen_since=None) -> Iterator[KnownArticle]
                                                # a bounded window, newest first
        count_known(site) -> int
        site_totals(site) -> (int, str | None)  # articles, latest first_seen_at
        known_articles(site) -> dict[str, KnownArticle]   # every one (prefer known())
        related_frontier(site, limit=None) -> list[str]   # related URLs not stored
        iter_signatures(published_since=None) -> Iterator[...]  # for the Deduplicator
        iter_articles(*, since=None, until=None, section=None, site=None,
                      include_duplicates=True, newest_first=True, limit=None) -> Iterator[dict]
        iter_run_changes(run_id) -> Iterator[dict]        # inserted/updated by that run
        get_article(url) -> dict | None
        versions(url) -> list[dict]             # url, version, content_hash, title, lead, body,
                                                # seen_at, run_id; oldest first
        iter_raw_pages() -> Iterator[RawPage]   # url, fetched_url, fetched_at, html
        write_batch(records, run_id) -> list[str]  # new|duplicate|updated|unchanged|error
        write_batch_results(records, run_id) -> list[WriteResult]  # (outcome, reason,
                                                # marked_duplicate), exactly one per record
        save_raw_pages(records) -> None         # raw HTML of records that were not stored
        prune(before) -> dict[str, int]         # raw pages and finished runs before a time
        integrity_check() -> str                # "ok" when sound
        close() -> None

Records read back are dicts with the contract field names (JSON decoded; absent
``modified_at``/``media`` left out) plus ``provenance, content_hash, version,
first_seen_at, last_seen_at, duplicate_of``. Timestamps the store sets are UTC ISO
8601 (``+00:00``) text on either engine; ``first_seen_at``/``last_seen_at`` come from
the item's ``_fetched_at``. The dedup rules are in ``articles.py``.
"""

from newsbot.store.articles import KnownArticle, RawPage, WriteResult
from newsbot.store.errors import StoreError, StoreLocked
from newsbot.store.store import DEFAULT_TARGET, Store, open_store

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
