"""Rebuild records from the kept raw HTML after a parser change, without refetching.

``reparse`` runs a parser over every page in ``raw_pages`` and writes the results
through the same path as a crawl: normalise, validate, dedup annotation, then
``Store.write_batch`` (so an improved parse of unchanged text updates metadata in
place, changed text adds a version, and nothing is stored twice). It is recorded
as a run of spider ``reparse`` and holds the whole store's run lock while it works
(no crawl of any site writes meanwhile).

It sits above both ``store`` and ``pipelines`` (it uses the pipelines' normalise and
validate steps on the store's pages), so neither of those imports the other for it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from typing import Any

from newsbot.pipelines.normalize import normalize_record
from newsbot.pipelines.run import COUNT_KEYS
from newsbot.pipelines.validate import missing_reason
from newsbot.store import Store
from newsbot.store.dedup import DEFAULT_NUM_PERM, DEFAULT_THRESHOLD, Deduplicator
from newsbot.store.target import new_run_id

logger = logging.getLogger(__name__)

#: ``parse(html, url, fetched_on)``: the page, the article's canonical URL and the day
#: it was fetched (a profile picks the layout that was in use that day).
Parser = Callable[[bytes, str, "date | None"], "dict[str, Any] | None"]


def fetch_day(fetched_at: str) -> date | None:
    """The UTC day of a stored fetch time (ISO 8601), or None when it is unreadable."""
    try:
        return date.fromisoformat(fetched_at[:10])
    except (TypeError, ValueError):
        return None


def reparse(
    store: Store,
    parse: Parser,
    *,
    run_id: str | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    num_perm: int = DEFAULT_NUM_PERM,
    batch_size: int = 100,
) -> dict[str, int]:
    """Re-parse every raw page; returns counts (pages, parsed, unparsed, dropped, new, ...).

    ``parse(html, url, fetched_on)`` gets the page as fetched, the article's canonical
    URL and the day it was fetched, and returns a record, or None when the page is not
    an article. Raises
    :class:`~newsbot.store.StoreLocked` when a crawl is running.
    """
    counts = {
        "pages": 0,
        "parsed": 0,
        "unparsed": 0,
        "parse_errors": 0,
        "dropped": 0,
        "new": 0,
        "duplicates": 0,
        "updated": 0,
        "unchanged": 0,
        "store_errors": 0,
    }
    errors: list[dict[str, str]] = []
    run_id = run_id or new_run_id()
    with store.run_lock():
        store.start_run(run_id, "reparse", {}, store_wide=True)
        dedup = Deduplicator.from_store(store, threshold, num_perm)
        buffer: list[dict[str, Any]] = []

        def flush() -> None:
            results = store.write_batch_results(buffer, run_id)
            for record, result in zip(buffer, results, strict=True):
                counts[COUNT_KEYS[result.outcome]] += 1
                if result.outcome == "error":
                    reason = result.reason or "store write failed"
                    errors.append({"url": str(record.get("url")), "reason": reason})
                if result.marked_duplicate:
                    # A stored original became a copy of the earlier publication just written.
                    counts["duplicates"] += 1
            buffer.clear()
            dedup.flushed()

        status = "failed"
        try:
            for url, fetched_url, fetched_at, html in store.iter_raw_pages():
                counts["pages"] += 1
                try:
                    record = parse(html, url, fetch_day(fetched_at))
                except Exception as exc:  # noqa: BLE001 - one bad page must not stop the rebuild
                    counts["parse_errors"] += 1
                    errors.append({"url": url, "reason": f"parse error: {exc}"})
                    logger.error("reparse of %s failed: %s", url, exc)
                    continue
                if record is None:
                    counts["unparsed"] += 1
                    continue
                counts["parsed"] += 1
                record = normalize_record(dict(record))
                reason = missing_reason(record)
                if reason is not None:
                    counts["dropped"] += 1
                    logger.warning("reparse dropped %s: %s", record.get("url") or url, reason)
                    continue
                record = {k: v for k, v in record.items() if k != "_raw_html"}
                record["_fetched_at"] = fetched_at
                record["_fetched_url"] = fetched_url
                buffer.append(dedup.annotate(record))
                if len(buffer) >= batch_size:
                    flush()
            if buffer:
                flush()
            status = "finished"
        finally:
            store.finish_run(run_id, status, counts, {}, {}, errors)
    return counts
