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
* ``finish`` (``spider_closed`` signal, which knows the close reason): write
  status, counts, coverage, provenance mix and errors; release the lock.

A run killed with SIGKILL leaves its row "running"; ``Store.last_run`` shows it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import weakref
from datetime import UTC, datetime
from typing import Any

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.exceptions import CloseSpider

from newsbot.store import DEFAULT_TARGET, Store, StoreError, StoreLocked, open_store
from newsbot.store.dedup import DEFAULT_NUM_PERM, DEFAULT_THRESHOLD, Deduplicator

logger = logging.getLogger(__name__)

DEFAULT_BATCH = 100
OUTCOMES = ("new", "duplicate", "updated", "unchanged", "error")
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
    """Where the store is: env ``NEWSBOT_STORE``, else setting ``NEWSBOT_STORE``, else default."""
    return os.environ.get("NEWSBOT_STORE") or settings.get("NEWSBOT_STORE") or DEFAULT_TARGET


def new_run_id() -> str:
    return f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


def _spider_args(spider: Any) -> dict[str, Any]:
    """The spider's ``-a`` arguments: Scrapy sets them as plain instance attributes."""
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
        crawler.signals.connect(self._item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(self._spider_closed, signal=signals.spider_closed)

    @classmethod
    def for_crawler(cls, crawler: Any) -> RunRecorder:
        recorder = _recorders.get(crawler)
        if recorder is None:
            recorder = _recorders[crawler] = cls(crawler)
        return recorder

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
        outcomes = self.store.write_batch(records, self.run_id)
        for record, outcome in zip(records, outcomes, strict=True):
            self.counts[COUNT_KEYS[outcome]] += 1
            self.stats.inc_value(f"newsbot/stored/{outcome}")
            if outcome == "error":
                self.errors.append({"url": str(record.get("url")), "reason": "store write failed"})
        if self._dedup is not None:
            self._dedup.flushed()

    def _item_dropped(self, item: Any, response: Any = None, exception: Any = None) -> None:
        # Keep the page of a dropped article: after a parser fix, reparse recovers it.
        adapter = ItemAdapter(item)
        if self.started and adapter.get("_raw_html") is not None:
            self.raw_buffer.append(
                {k: adapter.get(k) for k in ("url", "_fetched_url", "_fetched_at", "_raw_html")}
            )

    def summary(self) -> tuple[dict[str, Any], dict[str, float], dict[str, dict[str, int]]]:
        """counts, coverage {field: share} and provenance mix {field: {source: n}} of the run."""
        stats = self.stats.get_stats()
        seen = int(stats.get("newsbot/items_seen", 0))
        dropped = sum(int(v) for k, v in stats.items() if k.startswith("newsbot/dropped/"))
        counts: dict[str, Any] = {
            "seen": seen,
            **self.counts,
            "dropped": dropped,
            "errors": len(self.errors),
            "requests": int(stats.get("downloader/request_count", 0)),
        }
        coverage = {
            k.removeprefix("newsbot/coverage/"): round(int(v) / seen, 4)
            for k, v in sorted(stats.items())
            if k.startswith("newsbot/coverage/") and seen
        }
        provenance: dict[str, dict[str, int]] = {}
        for key, value in sorted(stats.items()):
            if key.startswith("newsbot/provenance/"):
                field, _, source = key.removeprefix("newsbot/provenance/").partition("/")
                provenance.setdefault(field, {})[source] = int(value)
        return counts, coverage, provenance

    def finish(self, reason: str) -> None:
        if not self.started:
            self.close()
            return
        try:
            self.flush()
            spider_errors = self.stats.get_value("newsbot/errors") or []
            self.errors = [
                {"url": str(e.get("url")), "reason": str(e.get("reason"))}
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
