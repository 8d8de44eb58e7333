"""RunState: one crawl run's store, lock, ``crawl_runs`` row and write batches.

A Scrapy extension (enabled by the :mod:`newsbot.addon` add-on); the pipelines find it
with ``crawler.get_extension(RunState)``, so there is one per crawler and no registry.
Lifecycle:

* ``start`` (StorePipeline.open_spider): open the store, take the run lock, create
  the run id (UTC timestamp + short random; stats ``newsbot/run_id`` and spider
  attribute ``run_id``) and write the ``crawl_runs`` row with status "running".
  If another run holds the lock: one log line, stats ``newsbot/fatal``, and the
  spider closes with reason ``store_locked`` before any request is sent.
* ``add`` (StorePipeline.process_item): buffer a record and return a Deferred that
  fires with its write result once its batch is written (one transaction). The batch
  goes to the store writer's thread (:mod:`newsbot.pipelines.writer`: its own
  connection; fingerprints, compression, the write and the read-back happen there)
  when ``NEWSBOT_STORE_BATCH`` records are waiting or ``NEWSBOT_STORE_BATCH_WAIT``
  seconds after the first of them; the crawl goes on meanwhile, and the results are
  counted on the crawl's thread when the writer is done. The item then carries what the store made of it
  (``content_hash``, ``version``, ``first_seen_at``, ``last_seen_at``,
  ``duplicate_of``), so ``-O``/``FEEDS`` files hold the same record as the feeds.
* ``flush`` (StorePipeline.close_spider): hand over what waits and wait until every
  batch is written.
* ``finish`` (``spider_closed``, which knows the close reason): flush, send the
  :data:`run_stored` signal (the publisher listens: feeds are written while the run
  still holds the lock), then write status, counts, coverage, provenance mix and
  errors, and release the lock.

What is fetched but is not the record (raw HTML, the URL it came from, when) travels
beside the item: :class:`FetchedPage`, kept by :meth:`RunState.keep_page` (the
:class:`newsbot.pipelines.pages.FetchedPageMiddleware` calls it with each item's
response) in a map keyed by the item until it is written or dropped. The write request handed to the store is
the record plus that page plus the dedup annotations.

Coverage is measured against every article page the spider tried to parse
(stats ``newsbot/article_pages``), not only the items it produced: a page the
parser could not read never becomes an item, and a total layout break (no items
at all) must show as coverage 0, not as a run with nothing to measure.

A run in a fleet (workers sharing one frontier, :mod:`newsbot.scale`) is told so by the
fleet: the run state sends :data:`run_starting` before it takes its lock, and the fleet's
extension answers by setting :attr:`RunState.fleet` (a :class:`Fleet`). Nothing here
knows how a fleet works.

A run killed with SIGKILL leaves its row "running"; ``Store.last_run`` shows it.
"""

from __future__ import annotations

import contextlib
import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from itemadapter import ItemAdapter, is_item
from scrapy import signals
from scrapy.exceptions import CloseSpider, NotConfigured
from twisted.internet.defer import Deferred

from newsbot.pipelines.writer import ANNOTATE, StoreWriter, WriteJob
from newsbot.record import BOOKKEEPING_FIELDS, COVERAGE_FIELDS
from newsbot.store import Store, StoreError, StoreLocked, WriteResult, open_store
from newsbot.store.target import new_run_id, store_target  # noqa: F401  (re-exported)

logger = logging.getLogger(__name__)

#: Signal sent once the run's last record is written, before the run is recorded and its
#: lock released. Arguments: ``run_id`` (str), ``store`` (the open :class:`Store`),
#: ``reason`` (the close reason). Handlers may read the store; no other run writes.
run_stored = object()

#: Signal sent when the run starts, before it takes its lock. Argument: ``run`` (the
#: :class:`RunState`). A fleet this crawler belongs to registers itself on it
#: (``run.fleet = self``); without one the run is this crawler's alone.
run_starting = object()

#: Outcome name -> key in the run's counts.
COUNT_KEYS = {
    "new": "new",
    "duplicate": "duplicates",
    "updated": "updated",
    "unchanged": "unchanged",
    "error": "store_errors",
}


@dataclass(slots=True, frozen=True)
class FetchedPage:
    """The page an item was parsed from: kept for ``newsbot reparse``, never exported."""

    url: str
    fetched_at: str
    body: bytes


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


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


def _plain(value: Any) -> Any:
    """``value`` as plain data, as ``ItemAdapter.asdict`` makes it (nested items become
    dicts, containers are copied), without asking every string whether it is an item."""
    if value is None or isinstance(value, str | int | float | bool | bytes):
        return value
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return type(value)(_plain(v) for v in value)
    if is_item(value):
        return ItemAdapter(value).asdict()
    return value


class Fleet(Protocol):
    """What the run state needs of a fleet of workers writing one run together.

    The fleet's run (a lock shared by its workers) stands for the store's run lock, and
    the run is recorded once, by the last worker out.
    """

    #: True for the worker that opened the fleet's run (it writes the ``crawl_runs`` row).
    seeder: bool

    def join(self, site: str) -> str:
        """Join (or open) the site's fleet run; its id."""
        ...

    def leave(
        self, stats: dict[str, Any], counts: dict[str, int], errors: list[dict[str, Any]]
    ) -> dict[str, Any] | None:
        """Add this worker's numbers; the fleet's crawl stats for the worker that records
        the run (``counts`` and ``errors`` replaced in place by the fleet's), else None."""
        ...


class _Pending:
    """A record waiting for its batch: the item, what the store is given, the waiter."""

    __slots__ = ("done", "item", "write")

    def __init__(self, item: Any, write: dict[str, Any]) -> None:
        self.item = item
        self.write = write
        self.done: Deferred[WriteResult] = Deferred()


class RunState:
    """Store access and run bookkeeping for one crawler (see module docstring)."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        settings = crawler.settings
        self.target = store_target(settings)
        batch = settings.getint("NEWSBOT_STORE_BATCH")
        if settings.get("JOBDIR"):
            # A resumable job records requests as seen before their items are stored;
            # a SIGKILL would lose a buffered batch for good, so write each item.
            batch = 1
        self.batch_size = max(1, batch)
        self.batch_wait = max(0.0, settings.getfloat("NEWSBOT_STORE_BATCH_WAIT"))
        self.threshold = settings.getfloat("NEWSBOT_NEAR_DUP_THRESHOLD")
        self.num_perm = settings.getint("NEWSBOT_MINHASH_PERM")
        self._store: Store | None = None
        # Batches are written on a thread of its own (see newsbot.pipelines.writer).
        self._writer: StoreWriter | None = None
        self._in_flight = 0
        self._cpu_started = 0.0
        self._lock = contextlib.ExitStack()
        self._timer: Any = None
        self.run_id: str | None = None
        self.started = False
        self.pending: list[_Pending] = []
        self.raw_buffer: list[dict[str, Any]] = []
        self.counts: dict[str, int] = {key: 0 for key in COUNT_KEYS.values()}
        self.errors: list[dict[str, str]] = []
        # Beside each item until it is written or dropped. Keyed by identity (dict items
        # are neither hashable nor weak-referenceable); the item is held with its entry so
        # the id cannot be reused while the entry lives.
        self._pages: dict[int, tuple[Any, FetchedPage]] = {}
        self._writes: dict[int, tuple[Any, dict[str, Any]]] = {}
        #: The fleet this run is part of, set by the fleet on :data:`run_starting`.
        self.fleet: Fleet | None = None
        crawler.signals.connect(self._item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(self._spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Any) -> RunState:
        return cls(crawler)

    @classmethod
    def of(cls, crawler: Any) -> RunState:
        """The crawler's run state (the extension the add-on enables)."""
        state = crawler.get_extension(cls)
        if state is None:
            raise NotConfigured(
                "the newsbot pipelines need the RunState extension: "
                'add ADDONS = {"newsbot.addon.Newsbot": 0} to the settings'
            )
        return state

    # -- store and dedup ---------------------------------------------------------

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = open_store(self.target)
        return self._store

    # -- what travels beside an item ---------------------------------------------

    def keep_page(self, item: Any, url: str, body: bytes, fetched_at: str | None = None) -> None:
        """Remember the page ``item`` was parsed from (fetched from ``url``)."""
        self._pages[id(item)] = (item, FetchedPage(url, fetched_at or utc_now(), body))

    def page_of(self, item: Any) -> FetchedPage | None:
        kept = self._pages.get(id(item))
        page = kept[1] if kept is not None else None
        if page is None and isinstance(item, dict) and item.get("_raw_html") is not None:
            # A producer that still puts the page on a dict item (tests, other spiders).
            url = item.get("_fetched_url") or item.get("url") or ""
            page = FetchedPage(str(url), item.get("_fetched_at") or utc_now(), item["_raw_html"])
        return page

    def write_request(self, item: Any) -> dict[str, Any]:
        """What the store is given for ``item``: its fields, its page, dedup annotations.

        Made once per item (the dedup pipeline annotates it, the store pipeline writes it).
        """
        kept = self._writes.get(id(item))
        write = kept[1] if kept is not None else None
        if write is None:
            write = {
                k: _plain(v) for k, v in ItemAdapter(item).items() if not str(k).startswith("_")
            }
            page = self.page_of(item)
            if page is not None:
                write.update(
                    _raw_html=page.body, _fetched_url=page.url, _fetched_at=page.fetched_at
                )
            self._writes[id(item)] = (item, write)
        return write

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
        # The lock is per (store, site): runs of two sites go on at once into one store.
        site = getattr(getattr(spider, "site", None), "name", None) or spider.name
        self.crawler.signals.send_catch_log(run_starting, run=self)
        fleet = self.fleet
        if fleet is None:
            try:
                self._lock.enter_context(store.run_lock(site))
            except StoreLocked as exc:
                raise self._fatal(str(exc), "store_locked") from None
        # On a shared frontier the fleet run (a lock in Redis) stands for the store lock:
        # its workers write one run together, which its seeder opens.
        self.run_id = fleet.join(spider.name) if fleet else new_run_id()
        self.stats.set_value("newsbot/run_id", self.run_id)
        spider.run_id = self.run_id
        args = _spider_args(spider)
        if self.crawler.settings.get("JOBDIR"):
            args["JOBDIR"] = self.crawler.settings.get("JOBDIR")
        if fleet is None or fleet.seeder:
            # No other run of this site is going (we hold its lock), so one still
            # marked running was killed without a clean end.
            store.abort_stale_runs(spider.name, keep=self.run_id)
            store.start_run(self.run_id, spider.name, args, site=site)
        self.started = True
        self._cpu_started = time.process_time()
        logger.info("run %s started on store %s", self.run_id, store.describe())

    def add(self, item: Any) -> Deferred[WriteResult]:
        """Buffer ``item``; the Deferred fires with its write result once it is written."""
        entry = _Pending(item, self.write_request(item))
        self._writes.pop(id(item), None)
        self._pages.pop(id(item), None)
        self.pending.append(entry)
        if len(self.pending) >= self.batch_size:
            self._submit()
        elif self._timer is None:
            # Without a deadline, records waiting for a batch that never fills (the last
            # ones of a run, a slow crawl) would hold their responses and stall the crawl.
            from scrapy.utils.asyncio import call_later

            self._timer = call_later(self.batch_wait, self._deadline)
        return entry.done

    def want_dedup(self, item: Any) -> None:
        """Fingerprint ``item`` before it is written (the dedup pipeline asks this)."""
        self.write_request(item)[ANNOTATE] = True

    def _deadline(self) -> None:
        self._timer = None
        self._submit()

    @property
    def writer(self) -> StoreWriter:
        if self._writer is None:
            self._writer = StoreWriter(self.target, self.threshold, self.num_perm, self._drain)
        return self._writer

    def _submit(self) -> None:
        """Hand the waiting records (and raw pages) to the writer thread; never blocks."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not self.pending and not self.raw_buffer:
            return
        batch, self.pending = self.pending, []
        raw, self.raw_buffer = self.raw_buffer, []
        if not self.started:
            for entry in batch:
                entry.done.callback(WriteResult("error", "the run never started"))
            return
        self._in_flight += len(batch)
        self.writer.submit(WriteJob(batch, [e.write for e in batch], raw, self.run_id))

    def flush(self) -> None:
        """Write everything waiting and wait until it is written (the end of a run)."""
        self._submit()
        if self._writer is not None:
            self._writer.wait()
        self._drain()

    def _drain(self) -> None:
        """Count the finished batches and hand each item its result (crawl's thread)."""
        if self._writer is None:
            return
        done = self._writer.done
        while done:
            job = done.popleft()
            self._in_flight -= len(job.entries)
            for stage, seconds in job.seconds.items():
                self.stats.inc_value(f"newsbot/time/{stage}_s", seconds)
            for entry, result in zip(job.entries, job.results, strict=True):
                self._count(entry.write, result)
                row = job.rows.get(str(entry.write.get("url")))
                if row is not None:
                    adapter = ItemAdapter(entry.item)
                    for field in BOOKKEEPING_FIELDS:
                        adapter[field] = row.get(field)
            for entry, result in zip(job.entries, job.results, strict=True):
                entry.done.callback(result)

    def _count(self, write: dict[str, Any], result: WriteResult) -> None:
        outcome = result.outcome
        self.counts[COUNT_KEYS[outcome]] += 1
        self.stats.inc_value(f"newsbot/stored/{outcome}")
        if outcome == "error":
            reason = result.reason or "store write failed"
            self.errors.append({"url": str(write.get("url")), "reason": reason})
        if result.marked_duplicate:
            self._count_marked_duplicate(result.marked_duplicate)

    def _count_marked_duplicate(self, url: str) -> None:
        # A stored original turned into a copy of the earlier publication just written.
        self.counts["duplicates"] += 1
        self.stats.inc_value("newsbot/stored/duplicate")
        if self.store.first_stored_by(url) == self.run_id:
            # Stored as new earlier in this run (by this worker or, in a fleet, another
            # one: the workers' counts are summed): one article, now counted once. The
            # store is asked (rare: a copy met before its original) instead of this run
            # holding every URL it stored.
            self.counts["new"] -= 1
            self.stats.inc_value("newsbot/stored/new", -1)

    def _item_dropped(self, item: Any, response: Any = None, exception: Any = None) -> None:
        # Keep the page of a dropped article: after a parser fix, reparse recovers it.
        page = self.page_of(item)
        self._pages.pop(id(item), None)
        self._writes.pop(id(item), None)
        if self.started and page is not None:
            url = ItemAdapter(item).get("url") or page.url
            self.raw_buffer.append(
                {
                    "url": url,
                    "_fetched_url": page.url,
                    "_fetched_at": page.fetched_at,
                    "_raw_html": page.body,
                }
            )

    def summary(
        self, stats: dict[str, Any] | None = None
    ) -> tuple[dict[str, Any], dict[str, float], dict[str, dict[str, int]]]:
        """counts, coverage {field: share} and provenance mix {field: {source: n}} of the run.

        Coverage shares are of ``max(items seen, article pages)``: article pages the parser
        failed on count as articles missing every field. ``stats``: the crawl stats to
        summarise (a fleet's, summed over its workers), else this crawler's.
        """
        stats = stats if stats is not None else self.stats.get_stats()
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
        notes = {
            k.removeprefix("newsbot/page_notes/"): int(v)
            for k, v in sorted(stats.items())
            if k.startswith("newsbot/page_notes/")
        }
        if notes:  # pages read despite a lying charset (newsbot.extract.document)
            counts["page_notes"] = notes
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

    def finish(self, reason: str) -> None:
        if not self.started:
            self.flush()
            self.close()
            return
        try:
            self.flush()
            # The crawl's CPU time (every thread), for make bench's per-article breakdown.
            self.stats.set_value("newsbot/time/cpu_s", time.process_time() - self._cpu_started)
            fleet = self.fleet
            fleet_stats = None
            if fleet is not None:
                # Every worker adds its numbers; the last one out records the run.
                fleet_stats = fleet.leave(self.stats.get_stats(), self.counts, self.errors)
                if fleet_stats is None:
                    return
                if reason == "finished" and fleet_stats["newsbot/fleet/lost_workers"]:
                    reason = "worker_lost"
            assert self.run_id is not None
            self.crawler.signals.send_catch_log(
                run_stored, run_id=self.run_id, store=self.store, reason=reason
            )
            run_stats = fleet_stats if fleet_stats is not None else self.stats.get_stats()
            spider_errors = run_stats.get("newsbot/errors") or []
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
            counts, coverage, provenance = self.summary(run_stats)
            # The spider may know better than the close reason (a run that fetched none
            # of its start points can end "finished" in Scrapy's eyes).
            status = self.stats.get_value("newsbot/run_status") or (
                "finished" if reason == "finished" else reason
            )
            if self.counts["store_errors"] and status == "finished":
                # Records were lost to the store: the run did not do its job. Not
                # "finished", so the next run walks every listing; non-zero for cron.
                status = "failed"
                self._fail_exit()
            try:
                self.store.finish_run(
                    self.run_id, status, counts, coverage, provenance, self.errors
                )
            except Exception as exc:  # noqa: BLE001 - the store is gone: say so, fail the run
                logger.error("could not record the end of run %s: %s", self.run_id, exc)
                self._fail_exit()
            logger.info("run %s %s: %s", self.run_id, status, counts)
        finally:
            self.started = False
            self.close()

    def _fail_exit(self) -> None:
        if not self.stats.get_value("newsbot/exit_status"):
            self.stats.set_value("newsbot/exit_status", 1)

    def close(self) -> None:
        if self._writer is not None:
            self._writer.stop()
            self._drain()
            self._writer = None
        self._pages.clear()
        self._writes.clear()
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._lock.close()
        if self._store is not None:
            self._store.close()
            self._store = None

    def _spider_closed(self, spider: Any = None, reason: str = "finished") -> None:
        self.finish(reason)
