"""The Store: one object over an engine adapter, its run records and its articles.

``open_store(target)`` picks the engine (:mod:`newsbot.store.engines`), checks the
schema version and migrates (:mod:`newsbot.store.schema`); ``readonly=True`` opens
without writing or migrating, for commands that only read (``export``, ``stats``).
:class:`Store` is a thin facade: run rows live in :mod:`newsbot.store.runs`,
articles and pages in :mod:`newsbot.store.articles`.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from newsbot.store import schema
from newsbot.store.articles import Articles, KnownArticle, RawPage, WriteResult
from newsbot.store.engines import Engine, open_engine
from newsbot.store.errors import StoreError
from newsbot.store.links import DeadLinks
from newsbot.store.runs import RunLog

DEFAULT_TARGET = "output/newsbot.db"


class Store:
    """An article store; open one with :func:`open_store`."""

    def __init__(self, db: Engine) -> None:
        self._db = db
        self.dialect = db.dialect
        self.readonly = db.readonly
        #: The engine's parameter marker, for :meth:`query` (``?`` or ``%s``).
        self.param = db.param
        self.runs = RunLog(db)
        self.articles = Articles(db)
        self.links = DeadLinks(db)

    # -- schema and health -------------------------------------------------------

    def migrate(self) -> list[int]:
        """Apply the migrations not applied yet; returns the versions applied now."""
        if self.readonly:
            raise StoreError(f"{self.describe()} is open read-only: it is not migrated")
        return schema.migrate(self._db)

    def schema_version(self) -> int:
        return schema.installed_version(self._db) or 0

    def describe(self) -> str:
        """Where the store lives (path, or DSN without password)."""
        return self._db.describe()

    def integrity_check(self) -> str:
        """``ok`` when the database is sound (SQLite ``PRAGMA integrity_check``)."""
        return self._db.integrity_check()

    def query(self, sql: str, params: Sequence[Any] | None = None) -> list[tuple[Any, ...]]:
        """SQL for reports and tests, with the engine's own marker (:attr:`param`)."""
        return self._db.query(sql, params or ())

    # -- runs ----------------------------------------------------------------------

    def run_lock(self, site: str | None = None) -> contextlib.AbstractContextManager[None]:
        """Held for a whole run of ``site`` (None: the whole store, e.g. reparse); raises
        :class:`StoreLocked` at once if another run of that site (or of the whole store)
        holds it. Runs of different sites hold their locks at the same time."""
        if self.readonly:
            raise StoreError(f"{self.describe()} is open read-only: no run can start")
        return self._db.run_lock(site)

    def start_run(
        self,
        run_id: str,
        spider: str,
        args: dict[str, Any],
        site: str | None = None,
        *,
        store_wide: bool = False,
    ) -> None:
        """Record a run "running" (see :meth:`newsbot.store.runs.RunLog.start`)."""
        self.runs.start(run_id, spider, args, site, store_wide=store_wide)

    def finish_run(
        self,
        run_id: str,
        status: str,
        counts: dict[str, Any],
        coverage: dict[str, Any],
        provenance: dict[str, Any],
        errors: list[dict[str, Any]],
    ) -> None:
        self.runs.finish(run_id, status, counts, coverage, provenance, errors)

    def abort_stale_runs(self, spider: str, keep: str | None = None) -> int:
        """Runs of ``spider`` left "running" become "aborted" (see RunLog.abort_stale)."""
        return self.runs.abort_stale(spider, keep)

    def last_run(self, spider: str | None = None, *, site: str | None = None) -> dict | None:
        """The latest run (``status`` "running" means it is still going or crashed)."""
        return self.runs.latest(spider, site=site)

    def recent_runs(
        self, spider: str | None = None, limit: int = 20, *, site: str | None = None
    ) -> list[dict[str, Any]]:
        return self.runs.recent(spider, limit, site=site)

    def run_sites(self) -> list[str]:
        """Every site with a recorded run."""
        return self.runs.sites()

    # -- articles: lookups ---------------------------------------------------------

    def find_identity(self, url: str | None, site: str | None, source_id: Any) -> str | None:
        return self.articles.find_identity(url, site, source_id)

    def known(
        self, site: str, *, urls: Iterable[str] = (), source_ids: Iterable[Any] = ()
    ) -> list[KnownArticle]:
        return self.articles.known(site, urls=urls, source_ids=source_ids)

    def iter_known(
        self, site: str, *, published_since: str | None = None, seen_since: str | None = None
    ) -> Iterator[KnownArticle]:
        return self.articles.iter_known(
            site, published_since=published_since, seen_since=seen_since
        )

    def count_known(self, site: str) -> int:
        return self.articles.count(site)

    def known_articles(self, site: str) -> dict[str, KnownArticle]:
        return self.articles.known_articles(site)

    def site_totals(self, site: str) -> tuple[int, str | None]:
        """(articles of ``site``, the latest ``first_seen_at`` among them)."""
        return self.articles.site_totals(site)

    def iter_dated_ids(
        self, site: str, *, before: str | None = None, after: str | None = None
    ) -> Iterator[tuple[str | None, str]]:
        """(source_id, published_at) of articles of ``site`` published before ``before``
        or at/after ``after`` (UTC instants), streamed; nothing when neither is given."""
        return self.articles.iter_dated_ids(site, before=before, after=after)

    def dead_links(self, site: str, now: datetime | None = None) -> set[str]:
        """Links of ``site`` that failed for good and are not due for another try yet."""
        return self.links.due_not(site, now)

    def mark_dead_links(
        self,
        site: str,
        links: Sequence[tuple[str, str]],
        *,
        now: datetime | None = None,
        days: float = 7.0,
    ) -> None:
        """Remember ``(url, reason)`` links as gone (see :mod:`newsbot.store.links`)."""
        self.links.mark(site, links, now=now, days=days)

    def related_frontier(self, site: str, limit: int | None = None) -> list[str]:
        return self.articles.related_frontier(site, limit)

    def iter_signatures(
        self, published_since: str | None = None
    ) -> Iterator[tuple[str, str, int, bytes, str | None, str | None]]:
        return self.articles.iter_signatures(published_since)

    def near_candidates(self, lsh: str, keys: Sequence[int]) -> list[tuple[str, str, str | None]]:
        """Stored articles sharing a near-duplicate band key (see ``dedup.Bands``)."""
        return self.articles.near_candidates(lsh, keys)

    def signatures_without_bands(self, lsh: str) -> Iterator[tuple[str, str, int, bytes]]:
        return self.articles.signatures_without_bands(lsh)

    def save_bands(self, lsh: str, rows: Sequence[tuple[int, str]]) -> None:
        self.articles.save_bands(lsh, rows)

    def count_articles(self, site: str | None = None) -> int:
        return self.articles.count(site)

    # -- articles: records ---------------------------------------------------------

    def iter_articles(self, **query: Any) -> Iterator[dict[str, Any]]:
        """See :meth:`newsbot.store.articles.Articles.iter_articles`."""
        return self.articles.iter_articles(**query)

    def iter_run_changes(self, run_id: str) -> Iterator[dict[str, Any]]:
        return self.articles.iter_run_changes(run_id)

    def left_published(self, run_id: str) -> list[str]:
        return self.articles.left_published(run_id)

    def get_article(self, url: str) -> dict[str, Any] | None:
        return self.articles.get(url)

    def versions(self, url: str) -> list[dict[str, Any]]:
        return self.articles.versions(url)

    def first_stored_by(self, url: str) -> str | None:
        """The run id that stored ``url`` first, if known (an indexed lookup)."""
        return self.articles.first_stored_by(url)

    def iter_raw_pages(self) -> Iterator[RawPage]:
        return self.articles.iter_raw_pages()

    def save_raw_pages(self, pages: Sequence[Mapping[str, Any]]) -> None:
        self.articles.save_raw_pages(pages)

    def write_batch(self, records: Sequence[Mapping[str, Any]], run_id: str | None) -> list[str]:
        """Outcomes only (see :meth:`write_batch_results`)."""
        return [r.outcome for r in self.articles.write_batch_results(records, run_id)]

    def write_batch_results(
        self, records: Sequence[Mapping[str, Any]], run_id: str | None
    ) -> list[WriteResult]:
        return self.articles.write_batch_results(records, run_id)

    # -- pruning ---------------------------------------------------------------------

    def prune(self, before: str, *, dry_run: bool = False) -> dict[str, int]:
        """Delete raw pages fetched and finished runs started before the UTC instant
        ``before``; articles and their versions are never pruned. Counts of rows deleted
        (``dry_run``: of rows that would be, nothing deleted)."""
        return {
            "raw_pages": self.articles.prune_raw_pages(before, dry_run=dry_run),
            "runs": self.runs.prune(before, dry_run=dry_run),
        }

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_store(target: str | os.PathLike[str] | None = None, *, readonly: bool = False) -> Store:
    """Open the store at an SQLite path or a ``postgresql://`` DSN.

    Writable (the default): created if absent and migrated. ``readonly=True``: never
    written nor migrated; a missing, unmigrated or older store is a :class:`StoreError`.
    A store written by a newer newsbot, or a file that is not a database, is a
    :class:`StoreError` with a one-line message either way.
    """
    target = os.fspath(target) if target else DEFAULT_TARGET
    db = open_engine(target, readonly=readonly)
    try:
        schema.prepare(db)
    except StoreError:
        db.close()
        raise
    except db.driver_errors as exc:
        db.close()
        text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise StoreError(f"{db.describe()} is not a usable newsbot store ({text})") from None
    return Store(db)
