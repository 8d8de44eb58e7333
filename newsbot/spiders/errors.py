"""What a crawl gave up on, kept as values in the crawl stats (``newsbot/errors``).

Each entry has the shape of :mod:`newsbot.crawl.errors` (url, reason, kind, and a
transient/permanent flag decided here from the exception or HTTP status). The run
recorder writes them into ``crawl_runs.errors``; the end-of-run summary prints them.
"""

from __future__ import annotations

import logging
from typing import Any, NamedTuple

from newsbot.crawl.errors import crawl_error, http_is_transient

ERRORS_KEY = "newsbot/errors"
#: Past this many, errors are only counted (a run against a broken site stays small).
MAX_KEPT = 1000


def record_error(
    stats: Any,
    url: str,
    reason: str,
    kind: str = "fetch",
    *,
    transient: bool = False,
    status: int | None = None,
    unreadable: bool = False,
) -> None:
    """Remember one failure with its URL, reason and flag, and count it by kind."""
    stats.inc_value(f"newsbot/errors_count/{kind}")
    stats.inc_value(f"newsbot/errors_count/{'transient' if transient else 'permanent'}")
    kept = stats.get_value(ERRORS_KEY)
    if kept is None:
        kept = []
        stats.set_value(ERRORS_KEY, kept)
    if len(kept) < MAX_KEPT:
        kept.append(
            crawl_error(
                url, reason, kind, transient=transient, status=status, unreadable=unreadable
            )
        )


class Failure(NamedTuple):
    """A downloader failure, described."""

    reason: str
    transient: bool
    status: int | None = None
    #: The host could not be resolved or connected to: says nothing of the page.
    unreachable: bool = False
    #: A DNS failure: asking again at once will not help.
    dns: bool = False


#: Exception class names (Scrapy's and Twisted's) -> (wording, transient, unreachable, dns).
_NETWORK: tuple[tuple[str, str, bool, bool, bool], ...] = (
    ("CannotResolveHost", "DNS lookup failed", True, True, True),
    ("DNSLookupError", "DNS lookup failed", True, True, True),
    ("TCPTimedOutError", "TCP connection timed out", True, True, False),
    ("TimeoutError", "timed out", True, False, False),
    ("ConnectionRefusedError", "connection refused", True, True, False),
    ("DownloadConnectionRefused", "connection refused", True, True, False),
    ("ConnectionLost", "connection lost", True, False, False),
    ("ResponseNeverReceived", "connection dropped before a response", True, False, False),
    (
        "ResponseFailed",
        "response failed (connection dropped or body truncated)",
        True,
        False,
        False,
    ),
    (
        "ResponseDataLoss",
        "response failed (connection dropped or body truncated)",
        True,
        False,
        False,
    ),
    ("ConnectError", "could not connect", True, True, False),
    ("ConnectionDone", "connection closed", True, False, False),
    ("DownloadFailed", "download failed", True, False, False),
    ("IgnoreRequest", "ignored", False, False, False),
)


def describe_failure(failure: Any) -> Failure:
    """A one-line reason and its flags for a Twisted failure from the downloader."""
    from scrapy.spidermiddlewares.httperror import HttpError

    exc = failure.value
    if isinstance(exc, HttpError):
        status = exc.response.status
        return Failure(f"HTTP {status}", http_is_transient(status), status)
    name = type(exc).__name__
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    if "maxsize" in text.lower() or "cancel" in text.lower() or "Cancel" in name:
        return Failure(
            f"page larger than DOWNLOAD_MAXSIZE or download cancelled ({name}: {text})", False
        )
    for known, nice, transient, unreachable, dns in _NETWORK:
        if known in name:
            reason = text if text.lower().startswith(nice.lower()) else nice
            if text and reason is not text:
                reason = f"{nice}: {text}"
            return Failure(reason, transient, None, unreachable, dns)
    return Failure(f"{name}: {text}" if text else name, False)


def failure_reason(failure: Any) -> str:
    """A one-line reason for a Twisted failure from the downloader."""
    return describe_failure(failure).reason


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
