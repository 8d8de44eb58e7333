"""StoreWriter: a run's store writes on a thread of their own, off the crawl's thread.

:class:`~newsbot.pipelines.run.RunState` hands each batch to the writer as a
:class:`WriteJob` and goes on crawling. One thread, with its own store connection
(SQLite in WAL mode lets the crawl's connection read meanwhile; PostgreSQL gets a
second session), takes the jobs in order and for each batch:

1. fingerprints the records the dedup pipeline asked for (content hash, MinHash, band
   keys, ``duplicate_of``; :class:`newsbot.store.dedup.Deduplicator`, built on this
   connection), so the near-duplicate index of records not written yet is exactly the
   batch, as when everything ran on one thread;
2. keeps the raw pages of dropped items (zlib compression happens here too);
3. writes the batch in one transaction (:meth:`newsbot.store.Store.write_batch_results`,
   whose per-record retry decides each record once) and reads back what the store made
   of each record (``version``, ``first_seen_at`` ...).

The finished job is queued and the crawl's thread is told (the running asyncio loop's
``call_soon_threadsafe``, else the Twisted reactor's ``callFromThread``); the run state
then counts the results and fires the items' Deferreds on the crawl's thread, so
counts, stats and items are only ever touched there. :meth:`StoreWriter.wait` blocks
until every job submitted so far is finished (the end of a run). A failed job never
kills the thread: every record of it gets an ``error`` result, so the run fails loudly.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import queue
import threading
import time
from collections.abc import Callable
from typing import Any

from newsbot.store import Store, WriteResult, open_store
from newsbot.store.articles import reason_of
from newsbot.store.dedup import Deduplicator

logger = logging.getLogger(__name__)

#: Key of a write request the dedup pipeline marks: fingerprint it before writing.
ANNOTATE = "_annotate"


class WriteJob:
    """One batch for the writer: write requests and raw pages in, results out."""

    __slots__ = ("entries", "notify", "raw", "results", "rows", "run_id", "seconds", "writes")

    def __init__(
        self,
        entries: list[Any],
        writes: list[dict[str, Any]],
        raw: list[dict[str, Any]],
        run_id: str | None,
    ) -> None:
        #: The run state's own records of the batch (opaque here), in order.
        self.entries = entries
        self.writes = writes
        self.raw = raw
        self.run_id = run_id
        #: One result per write request, in order (set by the writer thread).
        self.results: list[WriteResult] = []
        #: The stored record of each written request, by the URL it was written under.
        self.rows: dict[str, dict[str, Any]] = {}
        #: CPU time of the writer thread on each stage: dedup, store (write, read-back), raw.
        self.seconds: dict[str, float] = {}
        self.notify: Callable[[], None] | None = None


def _notifier(callback: Callable[[], None]) -> Callable[[], None] | None:
    """How the writer thread asks the submitting thread's loop to run ``callback``."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        from twisted.internet import reactor

        if not getattr(reactor, "running", False):
            return None  # nobody to tell: the submitter waits (StoreWriter.wait)
        return lambda: reactor.callFromThread(callback)  # type: ignore[attr-defined]

    def notify() -> None:
        with contextlib.suppress(RuntimeError):  # the loop is closed: wait() drains
            loop.call_soon_threadsafe(callback)

    return notify


class StoreWriter:
    """The writer thread (see the module doc); ``on_done`` runs on the crawl's thread."""

    def __init__(
        self,
        target: str,
        threshold: float,
        num_perm: int,
        on_done: Callable[[], None],
    ) -> None:
        self.target = target
        self.threshold = threshold
        self.num_perm = num_perm
        self.on_done = on_done
        #: Finished jobs, in submission order, for the crawl's thread to collect.
        self.done: collections.deque[WriteJob] = collections.deque()
        self._jobs: queue.Queue[WriteJob | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        # Only ever used on the writer thread.
        self._store: Store | None = None
        self._dedup: Deduplicator | None = None

    def submit(self, job: WriteJob) -> None:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._run, name="newsbot-store-writer", daemon=True
            )
            self._thread.start()
        job.notify = _notifier(self.on_done)
        self._jobs.put(job)

    def wait(self) -> None:
        """Block until every job submitted so far is finished (and in :attr:`done`)."""
        if self._thread is not None:
            self._jobs.join()

    def stop(self) -> None:
        """Finish the queued jobs, close the writer's connection, end the thread."""
        if self._thread is None:
            return
        self._jobs.put(None)
        self._thread.join()
        self._thread = None

    # -- on the writer thread ------------------------------------------------------

    def _run(self) -> None:
        while True:
            job = self._jobs.get()
            try:
                if job is None:
                    self._close()
                    return
                try:
                    self._do(job)
                except Exception as exc:  # noqa: BLE001 - never leave a record waiting
                    logger.exception("store write of %d records failed", len(job.writes))
                    job.results = [WriteResult("error", f"store write failed: {exc}")] * len(
                        job.writes
                    )
                self.done.append(job)
                if job.notify is not None:
                    job.notify()
            finally:
                self._jobs.task_done()

    def _close(self) -> None:
        if self._store is not None:
            with contextlib.suppress(Exception):
                self._store.close()
            self._store = None
            self._dedup = None

    def _open(self) -> Store:
        if self._store is None:
            self._store = open_store(self.target)
        return self._store

    def _deduplicator(self, store: Store) -> Deduplicator:
        if self._dedup is None:
            self._dedup = Deduplicator.from_store(store, self.threshold, self.num_perm)
            if self._dedup.skipped_signatures:
                logger.warning(
                    "%d stored signatures use other MinHash parameters and are not compared",
                    self._dedup.skipped_signatures,
                )
        return self._dedup

    def _do(self, job: WriteJob) -> None:
        n = len(job.writes)
        try:
            store = self._open()
        except Exception as exc:  # noqa: BLE001 - every waiting record must learn its fate
            logger.error("store write of %d records failed: %s", n, exc)
            job.results = [WriteResult("error", f"store write failed: {exc}")] * n
            return
        if job.raw:
            start = time.thread_time()
            try:
                store.save_raw_pages(job.raw)
            except Exception as exc:  # noqa: BLE001 - raw pages are a convenience, never fatal
                logger.error("could not keep %d raw pages: %s", len(job.raw), exc)
            job.seconds["raw"] = time.thread_time() - start
        if not n:
            return
        results: list[WriteResult | None] = [None] * n
        start = time.thread_time()
        dedup: Deduplicator | None = None
        for i, write in enumerate(job.writes):
            if not write.pop(ANNOTATE, False):
                continue
            try:
                dedup = dedup or self._deduplicator(store)
                dedup.annotate(write)
            except Exception as exc:  # noqa: BLE001 - costs this record only, with its URL
                logger.error("%s: fingerprinting failed: %s", write.get("url"), reason_of(exc))
                results[i] = WriteResult("error", f"dedup failed: {reason_of(exc)}")
        job.seconds["dedup"] = time.thread_time() - start
        start = time.thread_time()
        todo = [i for i in range(n) if results[i] is None]
        try:
            written = store.write_batch_results([job.writes[i] for i in todo], job.run_id)
            if len(written) != len(todo):
                raise RuntimeError(f"{len(written)} write results for {len(todo)} records")
        except Exception as exc:  # noqa: BLE001 - every waiting record must learn its fate
            logger.error("store write of %d records failed: %s", len(todo), exc)
            written = [WriteResult("error", f"store write failed: {exc}")] * len(todo)
        for i, result in zip(todo, written, strict=True):
            results[i] = result
        job.results = [r for r in results if r is not None]
        job.rows = self._read_back(store, job)
        if self._dedup is not None:
            self._dedup.flushed()
        job.seconds["store"] = time.thread_time() - start

    @staticmethod
    def _read_back(store: Store, job: WriteJob) -> dict[str, dict[str, Any]]:
        rows: dict[str, dict[str, Any]] = {}
        for write, result in zip(job.writes, job.results, strict=True):
            if result.outcome == "error":
                continue
            url = str(write.get("url"))
            try:
                row = store.get_article(url)
                if row is None:  # stored under the URL its (site, source_id) first had
                    known = store.find_identity(url, write.get("site"), write.get("source_id"))
                    row = store.get_article(known) if known else None
            except Exception as exc:  # noqa: BLE001 - the record is stored; only the echo is lost
                logger.warning("could not read back %s: %s", url, exc)
                row = None
            if row is not None:
                rows[url] = row
        return rows
