"""RunRecorder: one crawl run's store, lock, ``crawl_runs`` row and write batches.

One recorder per crawler (:meth:`RunRecorder.for_crawler`), shared by the dedup
and store pipelines. Lifecycle:

* ``start`` (StorePipeline.open_spider): open the store, take the run lock, create
  the run id (UTC timestamp + short random; stats ``newsbot/run_id`` and spider
  attribute ``run_id``) and write the ``crawl_runs`` row with status "running".
  If another run holds the lock: one log line, stats ``newsbot/fatal``, and the
  spider closes with reason ``store_locked`` before any request is sent.
* ``add``: buffer a record; a full batch is written in one transaction.
* ``flush`` (StorePipeline.close_spider): write what is buffered.
* ``finish`` (``spider_closed`` signal, which knows the close reason): flush, run
  the ``before_finish`` callbacks (the publish pipeline publishes there, so feeds
  are written while the run still holds the lock), then write status, counts,
  coverage, provenance mix and errors, and release the lock.

Coverage is measured against every article page the spider tried to parse
(stats ``newsbot/article_pages``), not only the items it produced: a page the
parser could not read never becomes an item, and a total layout break (no items
at all) must show as coverage 0, not as a run with nothing to measure.

A run killed with SIGKILL leaves its row "running"; ``Store.last_run`` shows it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import weakref
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.exceptions import CloseSpider

from newsbot.record import COVERAGE_FIELDS
from newsbot.store import DEFAULT_TARGET, Store, StoreError, StoreLocked, open_store
from newsbot.store.dedup import DEFAULT_NUM_PERM, DEFAULT_THRESHOLD, Deduplicator

logger = logging.getLogger(__name__)

DEFAULT_BATCH = 100
#: Outcome name -> key in the run's counts.
COUNT_KEYS = {
    "new": "new",
    "duplicate": "duplicates",
    "updated": "updated",
    "unchanged": "unchanged",
    "error": "store_errors",
}

_recorders: weakref.WeakKeyDictionary[Any, RunRecorder] = weakref.WeakKeyDictionary()


def store_target(settings: Any) -> str:
    """Where the store is: setting ``NEWSBOT_STORE``, else env ``NEWSBOT_STORE``, else default.

    The setting wins: ``newsbot/settings.py`` already defaults it from the environment,
    so a value here is either the environment's or a deliberate ``-s NEWSBOT_STORE=...``.
    ``settings`` is Scrapy ``Settings`` or any mapping with ``get``.
    """
    return settings.get("NEWSBOT_STORE") or os.environ.get("NEWSBOT_STORE") or DEFAULT_TARGET


def new_run_id() -> str:
    return f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


def _spider_args(spider: Any) -> dict[str, Any]:
    """The spider's ``-a`` arguments.

    A spider that keeps them in ``args`` (a dict of exactly the arguments given) is
    taken at its word; otherwise the scalar instance attributes Scrapy set from them
    (which also catches attributes the spider set itself).
    """
    given = getattr(spider, "args", None)
    if isinstance(given, dict):
        return {
            str(k): v if isinstance(v, str | int | float | bool) or v is None else str(v)
            for k, v in given.items()
        }
    return {
        k: v
        for k, v in vars(spider).items()
        if not k.startswith("_")
        and k not in {"crawler", "settings", "run_id"}
        and isinstance(v, str | int | float | bool)
    }


class RunRecorder:
    """Store access and run bookkeeping for one crawler (see module docstring)."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        settings = crawler.settings
        self.target = store_target(settings)
        batch = settings.getint("NEWSBOT_STORE_BATCH", DEFAULT_BATCH)
        if settings.get("JOBDIR"):
            # A resumable job records requests as seen before their items are stored;
            # a SIGKILL would lose a buffered batch for good, so write each item.
            batch = 1
        self.batch_size = max(1, batch)
        self.threshold = settings.getfloat("NEWSBOT_NEAR_DUP_THRESHOLD", DEFAULT_THRESHOLD)
        self.num_perm = settings.getint("NEWSBOT_MINHASH_PERM", DEFAULT_NUM_PERM)
        self._store: Store | None = None
        self._dedup: Deduplicator | None = None
        self._lock = contextlib.ExitStack()
        self.run_id: str | None = None
        self.started = False
        self.buffer: list[dict[str, Any]] = []
        self.raw_buffer: list[dict[str, Any]] = []
        self.counts: dict[str, int] = {key: 0 for key in COUNT_KEYS.values()}
        self.errors: list[dict[str, str]] = []
        # URLs this run stored as new: if a later record supersedes one, it moves from
        # "new" to "duplicates" so the counts match what the store holds.
        self._new_urls: set[str] = set()
        self._before_finish: list[Callable[[], Any]] = []
        crawler.signals.connect(self._item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(self._spider_closed, signal=signals.spider_closed)

    @classmethod
    def for_crawler(cls, crawler: Any) -> RunRecorder:
        recorder = _recorders.get(crawler)
        if recorder is None:
            recorder = _recorders[crawler] = cls(crawler)
        return recorder

    @classmethod
    def existing(cls, crawler: Any) -> RunRecorder | None:
        """The crawler's recorder if a pipeline has made one, else None (never creates one)."""
        return _recorders.get(crawler)

    def before_finish(self, callback: Callable[[], Any]) -> None:
        """Call ``callback()`` at the end of the run, after the last batch is written and
        before the run is recorded and its lock released (also when the run never started,
        so the callback can say why it has nothing to do). Errors are logged, not raised."""
        self._before_finish.append(callback)

    # -- store and dedup ---------------------------------------------------------

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = open_store(self.target)
        return self._store

    @property
    def dedup(self) -> Deduplicator:
        # Built on first use: loading signatures is wasted work for a run that never
        # gets the lock, and pipelines open before the lock is known.
        if self._dedup is None:
            self._dedup = Deduplicator.from_store(self.store, self.threshold, self.num_perm)
            if self._dedup.skipped_signatures:
                logger.warning(
                    "%d stored signatures use other MinHash parameters and are not compared",
                    self._dedup.skipped_signatures,
                )
        return self._dedup

    # -- lifecycle -----------------------------------------------------------------

    def _fatal(self, message: str, reason: str) -> CloseSpider:
        logger.error(message)
        self.stats.set_value("newsbot/fatal", message)
        return CloseSpider(reason)

    def start(self, spider: Any) -> None:
        if self.started:
            return
        try:
            store = self.store
        except StoreError as exc:
            raise self._fatal(f"cannot open the store: {exc}", "store_unavailable") from None
        try:
            self._lock.enter_context(store.run_lock())
        except StoreLocked as exc:
            raise self._fatal(str(exc), "store_locked") from None
        self.run_id = new_run_id()
        self.stats.set_value("newsbot/run_id", self.run_id)
        spider.run_id = self.run_id
        args = _spider_args(spider)
        if self.crawler.settings.get("JOBDIR"):
            args["JOBDIR"] = self.crawler.settings.get("JOBDIR")
        store.start_run(self.run_id, spider.name, args)
        self.started = True
        logger.info("run %s started on store %s", self.run_id, store.describe())

    def add(self, item: Any) -> None:
        # A shallow copy is enough: the store serialises the record, nothing mutates it.
        self.buffer.append(dict(item) if isinstance(item, dict) else ItemAdapter(item).asdict())
        if len(self.buffer) >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        if not self.started:
            return
        if self.raw_buffer:
            pages, self.raw_buffer = self.raw_buffer, []
            try:
                self.store.save_raw_pages(pages)
            except Exception as exc:  # noqa: BLE001 - raw pages are a convenience, never fatal
                logger.error("could not keep %d raw pages: %s", len(pages), exc)
        if not self.buffer:
            return
        records, self.buffer = self.buffer, []
        results = self.store.write_batch_results(records, self.run_id)
        for record, result in zip(records, results, strict=True):
            outcome = result.outcome
            self.counts[COUNT_KEYS[outcome]] += 1
            self.stats.inc_value(f"newsbot/stored/{outcome}")
            if outcome == "new":
                self._new_urls.add(str(record.get("url")))
            elif outcome == "error":
                reason = result.reason or "store write failed"
                self.errors.append({"url": str(record.get("url")), "reason": reason})
            if result.marked_duplicate:
                self._count_marked_duplicate(result.marked_duplicate)
        if self._dedup is not None:
            self._dedup.flushed()

    def _count_marked_duplicate(self, url: str) -> None:
        # A stored original turned into a copy of the earlier publication just written.
        self.counts["duplicates"] += 1
        self.stats.inc_value("newsbot/stored/duplicate")
        if url in self._new_urls:
            # Stored as new earlier in this run: it is one article, now counted once.
            self._new_urls.discard(url)
            self.counts["new"] -= 1
            self.stats.inc_value("newsbot/stored/new", -1)

    def _item_dropped(self, item: Any, response: Any = None, exception: Any = None) -> None:
        # Keep the page of a dropped article: after a parser fix, reparse recovers it.
        adapter = ItemAdapter(item)
        if self.started and adapter.get("_raw_html") is not None:
            self.raw_buffer.append(
                {k: adapter.get(k) for k in ("url", "_fetched_url", "_fetched_at", "_raw_html")}
            )

    def summary(self) -> tuple[dict[str, Any], dict[str, float], dict[str, dict[str, int]]]:
        """counts, coverage {field: share} and provenance mix {field: {source: n}} of the run.

        Coverage shares are of ``max(items seen, article pages)``: article pages the parser
        failed on count as articles missing every field.
        """
        stats = self.stats.get_stats()
        seen = int(stats.get("newsbot/items_seen", 0))
        pages = int(stats.get("newsbot/article_pages", 0))
        dropped = sum(int(v) for k, v in stats.items() if k.startswith("newsbot/dropped/"))
        parse_errors = {
            k.removeprefix("newsbot/parse_errors/"): int(v)
            for k, v in sorted(stats.items())
            if k.startswith("newsbot/parse_errors/")
        }
        counts: dict[str, Any] = {
            "seen": seen,
            "article_pages": pages,
            **self.counts,
            "dropped": dropped,
            "parse_errors": parse_errors,
            "errors": len(self.errors),
            "requests": int(stats.get("downloader/request_count", 0)),
        }
        total = max(seen, pages)
        coverage: dict[str, float] = {}
        if total:
            # Every coverage field is listed, so a field never found shows as 0.0.
            coverage = {field: 0.0 for field in COVERAGE_FIELDS}
            for key, value in stats.items():
                if key.startswith("newsbot/coverage/"):
                    coverage[key.removeprefix("newsbot/coverage/")] = round(int(value) / total, 4)
            coverage = dict(sorted(coverage.items()))
        provenance: dict[str, dict[str, int]] = {}
        for key, value in sorted(stats.items()):
            if key.startswith("newsbot/provenance/"):
                field, _, source = key.removeprefix("newsbot/provenance/").partition("/")
                provenance.setdefault(field, {})[source] = int(value)
        return counts, coverage, provenance

    def _run_before_finish(self) -> None:
        # Taken off the list first: each callback runs once even if finish runs twice.
        callbacks, self._before_finish = self._before_finish, []
        for callback in callbacks:
            try:
                callback()
            except Exception:  # noqa: BLE001 - the run must still be recorded and unlocked
                logger.exception("end-of-run callback %r failed", callback)

    def finish(self, reason: str) -> None:
        if not self.started:
            self._run_before_finish()
            self.close()
            return
        try:
            self.flush()
            self._run_before_finish()
            spider_errors = self.stats.get_value("newsbot/errors") or []
            # Entries keep every key the spider gave (kind, the transient flag, status).
            self.errors = [
                {
                    **e,
                    "url": str(e.get("url")),
                    "reason": str(e.get("reason")),
                }
                for e in spider_errors
                if isinstance(e, dict)
            ] + self.errors
            counts, coverage, provenance = self.summary()
            status = "finished" if reason == "finished" else reason
            assert self.run_id is not None
            self.store.finish_run(self.run_id, status, counts, coverage, provenance, self.errors)
            logger.info("run %s %s: %s", self.run_id, status, counts)
        finally:
            self.started = False
            self.close()

    def close(self) -> None:
        self._lock.close()
        if self._store is not None:
            self._store.close()
            self._store = None

    def _spider_closed(self, spider: Any = None, reason: str = "finished") -> None:
        self.finish(reason)
