"""What a crawl gave up on, kept as values: ``{url, reason}`` in the crawl stats.

The store writes them into ``crawl_runs.errors``; the end-of-run summary prints them.
"""

from __future__ import annotations

import logging
from typing import Any

ERRORS_KEY = "newsbot/errors"
#: Past this many, errors are only counted (a run against a broken site stays small).
MAX_KEPT = 1000


def record_error(stats: Any, url: str, reason: str, kind: str = "fetch") -> None:
    """Remember one failure with its URL and reason, and count it by kind."""
    stats.inc_value(f"newsbot/errors_count/{kind}")
    kept = stats.get_value(ERRORS_KEY)
    if kept is None:
        kept = []
        stats.set_value(ERRORS_KEY, kept)
    if len(kept) < MAX_KEPT:
        kept.append({"url": url, "reason": reason, "kind": kind})


def failure_reason(failure: Any) -> str:
    """A one-line reason for a Twisted failure from the downloader."""
    from scrapy.spidermiddlewares.httperror import HttpError

    exc = failure.value
    if isinstance(exc, HttpError):
        return f"HTTP {exc.response.status}"
    name = type(exc).__name__
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    for known, nice in (
        ("CannotResolveHost", "DNS lookup failed"),
        ("DNSLookupError", "DNS lookup failed"),
        ("TimeoutError", "timed out"),
        ("TCPTimedOutError", "TCP connection timed out"),
        ("ConnectionRefusedError", "connection refused"),
        ("ConnectionLost", "connection lost"),
        ("ResponseNeverReceived", "connection dropped before a response"),
        ("ResponseFailed", "response failed (connection dropped or body truncated)"),
        ("ConnectError", "could not connect"),
        ("IgnoreRequest", "ignored"),
    ):
        if known in name:
            if text.lower().startswith(nice.lower()):
                return text
            return f"{nice}: {text}" if text else nice
    return f"{name}: {text}" if text else name


class NoTracebackForNetworkErrors(logging.Filter):
    """Keeps a failed robots.txt fetch to one line: the spider reports the cause."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            record.msg = f"{record.getMessage()} ({type(exc).__name__})"
            record.args = ()
            record.exc_info = None
            record.exc_text = None
        return True


def quiet_network_tracebacks() -> None:
    """Install the filter on the Scrapy loggers that print tracebacks for network errors."""
    for name in ("scrapy.downloadermiddlewares.robotstxt",):
        logger = logging.getLogger(name)
        if not any(isinstance(f, NoTracebackForNetworkErrors) for f in logger.filters):
            logger.addFilter(NoTracebackForNetworkErrors())
