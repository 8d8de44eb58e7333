"""What a crawl gave up on, as values: the entries of ``crawl_runs.errors``.

One entry per URL given up on (JSON in ``crawl_runs.errors``, read back by the next
run, ``newsbot stats`` and the run summary)::

    {"url": str, "reason": str, "kind": "fetch" | "parse" | "offsite" | "store",
     "transient": bool, "status": int}          # status only for an HTTP answer

``transient`` says whether asking again later may succeed (a timeout, a dropped
connection, 429, 5xx) or not (404, a redirect loop, a page over the size limit, a
page that is not HTML or cannot be parsed). The next run retries transient article
failures, and only transient failures make a run too incomplete to judge sitemap
parts by. The flag is decided where the failure is known (the exception or status),
never read back out of the reason's wording.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: HTTP statuses worth asking again later: timeouts, rate limits, server trouble.
TRANSIENT_HTTP = frozenset({408, 425, 429, 500, 502, 503, 504, 507, 509, 520, 521, 522, 523, 524})


def http_is_transient(status: int) -> bool:
    """Will this HTTP status perhaps pass if the same URL is asked again later?"""
    return status in TRANSIENT_HTTP


def crawl_error(
    url: str,
    reason: str,
    kind: str = "fetch",
    *,
    transient: bool,
    status: int | None = None,
    unreadable: bool = False,
) -> dict[str, Any]:
    """One entry of ``crawl_runs.errors`` (see the module docstring)."""
    entry: dict[str, Any] = {"url": url, "reason": reason, "kind": kind, "transient": transient}
    if status is not None:
        entry["status"] = status
    if unreadable:
        entry["unreadable"] = True
    return entry


def is_transient(entry: Mapping[str, Any]) -> bool:
    """Is a stored error entry worth trying again?

    Entries written before the flag existed carry none: they count as transient, so
    the first run after an upgrade retries them once rather than missing a page.
    """
    flag = entry.get("transient")
    return True if flag is None else bool(flag)
