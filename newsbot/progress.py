"""A periodic progress line for long runs (a Scrapy extension).

Scrapy's own line says "Crawled N pages"; an operator watching a backfill wants the
rate, what became of the articles, how much is waiting and when it will end::

    progress: 1840 pages (312/min), articles new 1502, unchanged 40, updated 3,
    failed 2; queue 455; 1545/4000 articles, ETA 8 min

The ETA appears when the run knows its total (``NEWSBOT_PROGRESS_TOTAL``, which
``newsbot backfill`` sets from its sitemap plan). ``NEWSBOT_PROGRESS_INTERVAL``
(seconds, default 60; 0 turns it off) sets the cadence.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from scrapy import signals
from scrapy.exceptions import NotConfigured

log = logging.getLogger(__name__)


def queue_length(crawler: Any) -> int | None:
    """Requests waiting in the crawler's scheduler (the shared queue on a frontier).

    Scrapy keeps the scheduler on the engine's private slot; there is no public way.
    """
    try:
        engine = crawler.engine
    except (AttributeError, RuntimeError):  # not crawling (yet)
        return None
    slot = getattr(engine, "_slot", None)
    scheduler = getattr(slot, "scheduler", None)
    try:
        return len(scheduler) if scheduler is not None else None
    except TypeError:
        return None


def progress_line(
    stats: dict[str, Any],
    elapsed_s: float,
    queue: int | None,
    total: int | None = None,
) -> str:
    """The progress line for crawl ``stats`` after ``elapsed_s`` seconds."""
    pages = int(stats.get("response_received_count", 0))
    per_min = pages / elapsed_s * 60 if elapsed_s > 0 else 0.0
    outcome = {k: int(stats.get(f"newsbot/stored/{k}", 0)) for k in ("new", "unchanged", "updated")}
    failed = sum(
        int(v)
        for k, v in stats.items()
        if k.startswith(("newsbot/parse_errors/", "newsbot/dropped/"))
    )
    line = (
        f"progress: {pages} pages ({per_min:.0f}/min), articles new {outcome['new']}, "
        f"unchanged {outcome['unchanged']}, updated {outcome['updated']}, failed {failed}"
    )
    if queue is not None:
        line += f"; queue {queue}"
    if total:
        done = int(stats.get("newsbot/article_pages", 0))
        line += f"; {done}/{total} articles"
        rate = done / elapsed_s if elapsed_s > 0 else 0.0
        if rate > 0 and done < total:
            line += f", ETA {_duration((total - done) / rate)}"
    return line


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


class Progress:
    """Logs :func:`progress_line` every ``NEWSBOT_PROGRESS_INTERVAL`` seconds."""

    def __init__(self, crawler: Any) -> None:
        self.interval = crawler.settings.getfloat("NEWSBOT_PROGRESS_INTERVAL", 60.0)
        if self.interval <= 0:
            raise NotConfigured
        self.crawler = crawler
        self.total = crawler.settings.getint("NEWSBOT_PROGRESS_TOTAL", 0) or None
        self._started = time.monotonic()
        self._loop: Any = None
        crawler.signals.connect(self._opened, signal=signals.spider_opened)
        crawler.signals.connect(self._closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Any) -> Progress:
        return cls(crawler)

    def _opened(self, spider: Any) -> None:
        from twisted.internet import task

        self._started = time.monotonic()
        self._loop = task.LoopingCall(self.log_progress)
        self._loop.start(self.interval, now=False)

    def log_progress(self) -> None:
        log.info(
            progress_line(
                self.crawler.stats.get_stats(),
                time.monotonic() - self._started,
                queue_length(self.crawler),
                self.total,
            )
        )

    def _closed(self, spider: Any, reason: str) -> None:
        if self._loop is not None and self._loop.running:
            self._loop.stop()
