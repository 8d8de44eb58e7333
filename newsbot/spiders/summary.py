"""End-of-run summary: one log block for people, an optional JSON file for programs.

Counts requests per host (so tests and operators can see nothing left the origin),
what was given up on, and the stats newsbot keeps. ``NEWSBOT_SUMMARY_FILE`` names
the JSON file; it is written atomically.
"""

from __future__ import annotations

import json
import logging
import os
import resource
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.utils.httpobj import urlparse_cached

log = logging.getLogger(__name__)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def peak_rss_mb() -> float:
    """This process's own peak resident memory in MB.

    Linux's ``VmHWM`` (the high-water mark of this process's address space) where it
    exists: ``getrusage``'s ``ru_maxrss`` carries over from the parent across
    ``fork``/``exec``, so a crawl started by a large process (a test or the bench,
    holding a big replica) would report the parent's size, not its own.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class RunSummary:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.path = crawler.settings.get("NEWSBOT_SUMMARY_FILE") or None
        crawler.signals.connect(self._reached, signal=signals.request_reached_downloader)
        crawler.signals.connect(self._closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Any) -> RunSummary:
        return cls(crawler)

    def _reached(self, request: Request, spider: Spider) -> None:
        self.crawler.stats.inc_value(f"newsbot/requests_by_host/{urlparse_cached(request).netloc}")

    def _closed(self, spider: Spider, reason: str) -> None:
        stats = self.crawler.stats.get_stats()
        errors = stats.get("newsbot/errors") or []
        peak_mb = peak_rss_mb()
        summary = {
            "spider": spider.name,
            "finish_reason": reason,
            "exit_status": stats.get("newsbot/exit_status", 0),
            "fatal": stats.get("newsbot/fatal"),
            "run_id": stats.get("newsbot/run_id"),
            "requests": stats.get("downloader/request_count", 0),
            "responses": stats.get("downloader/response_count", 0),
            "items": stats.get("item_scraped_count", 0),
            "dropped": stats.get("item_dropped_count", 0),
            "errors": errors,
            "peak_rss_mb": round(peak_mb, 1),
            "stats": _plain({k: v for k, v in stats.items() if k != "newsbot/errors"}),
        }
        log.info(
            "run summary: %d requests, %d articles scraped, %d dropped, %d given up (%s)",
            summary["requests"],
            summary["items"],
            summary["dropped"],
            len(errors),
            reason,
        )
        for err in errors[:20]:
            log.info("  gave up: %s: %s", err["url"], err["reason"])
        if len(errors) > 20:
            log.info("  ... and %d more (see crawl_runs.errors)", len(errors) - 20)
        if self.path:
            target = Path(self.path)
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".summary-")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(summary, fh, ensure_ascii=False, indent=1)
            os.replace(tmp, target)
