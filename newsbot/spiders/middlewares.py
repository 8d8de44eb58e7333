"""Downloader middlewares: stay on the portal (or its stand-in), and be polite.

- :class:`OriginGuard` refuses any request to a host the crawl has no business with,
  so a stray link can never send traffic elsewhere (and tests can prove it).
- :class:`PolitenessMiddleware` honours robots.txt ``Crawl-delay`` (Scrapy reads
  robots.txt but ignores the delay) and the wait a retry asked for.
- :class:`BackoffRetryMiddleware` is Scrapy's retry with exponential backoff and
  ``Retry-After`` on 429/503.
"""

from __future__ import annotations

import logging
import time
from email.utils import parsedate_to_datetime
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.utils.defer import sleep
from scrapy.utils.httpobj import urlparse_cached

from newsbot.spiders.errors import record_error

log = logging.getLogger(__name__)

NOT_BEFORE = "newsbot_not_before"


class OriginGuard:
    """Drops requests to hosts outside the crawl's allowed set (counted, with reason)."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> OriginGuard:
        return cls(crawler)

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        spider = spider or self.crawler.spider
        allowed: frozenset[str] | None = getattr(spider, "allowed_netlocs", None)
        if allowed is None:
            return
        netloc = urlparse_cached(request).netloc.lower()
        if netloc not in allowed:
            self.crawler.stats.inc_value("newsbot/offsite_blocked")
            record_error(
                self.crawler.stats,
                request.url,
                f"host {netloc} is outside the crawl",
                kind="offsite",
            )
            raise IgnoreRequest(f"offsite: {netloc}")


class PolitenessMiddleware:
    """Spaces requests per host by robots.txt Crawl-delay; waits out Retry-After."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        settings = crawler.settings
        self.obey_crawl_delay = settings.getbool("NEWSBOT_POLITE", True) and settings.getbool(
            "ROBOTSTXT_OBEY"
        )
        self.max_delay = settings.getfloat("NEWSBOT_MAX_CRAWL_DELAY", 30.0)
        self.user_agent = settings.get("ROBOTSTXT_USER_AGENT") or settings.get("USER_AGENT")
        self.delays: dict[str, float] = {}
        self._next_slot: dict[str, float] = {}
        crawler.signals.connect(self._robots_parsed, signal=signals.robots_parsed)

    @classmethod
    def from_crawler(cls, crawler: Any) -> PolitenessMiddleware:
        return cls(crawler)

    def _robots_parsed(self, robotparser: Any, request: Request) -> None:
        if not self.obey_crawl_delay:
            return
        try:
            delay = robotparser.crawl_delay(self.user_agent)
        except Exception:  # a parser without crawl_delay support
            delay = None
        if delay:
            netloc = urlparse_cached(request).netloc
            self.delays[netloc] = min(float(delay), self.max_delay)
            self.crawler.stats.set_value("newsbot/crawl_delay", self.delays[netloc])
            log.info("robots.txt of %s asks for Crawl-delay %.2fs: honoured", netloc, delay)

    async def process_request(self, request: Request, spider: Spider | None = None) -> None:
        now = time.monotonic()
        wait = max(0.0, request.meta.get(NOT_BEFORE, 0.0) - now)
        netloc = urlparse_cached(request).netloc
        delay = self.delays.get(netloc)
        if delay and not request.url.endswith("/robots.txt"):
            slot = max(now + wait, self._next_slot.get(netloc, 0.0))
            self._next_slot[netloc] = slot + delay
            wait = slot - now
        if wait > 0:
            await sleep(wait)


def retry_after_seconds(response: Response) -> float | None:
    """Seconds a ``Retry-After`` header asks for (delta-seconds or an HTTP date)."""
    value = response.headers.get(b"Retry-After")
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class BackoffRetryMiddleware(RetryMiddleware):
    """Retries with exponential backoff, honouring ``Retry-After`` (capped)."""

    def __init__(self, settings: Any) -> None:
        super().__init__(settings)
        self.backoff_base = settings.getfloat("NEWSBOT_RETRY_BACKOFF", 1.0)
        self.backoff_max = settings.getfloat("NEWSBOT_RETRY_BACKOFF_MAX", 60.0)
        self.retry_after_max = settings.getfloat("NEWSBOT_RETRY_AFTER_MAX", 120.0)
        self.firewall_retries = settings.getint("NEWSBOT_FIREWALL_RETRIES", 3)

    def _delay_for(self, retry: Request, response: Response | None) -> float:
        if response is not None:
            asked = retry_after_seconds(response)
            if asked is not None:
                return min(asked, self.retry_after_max)
        attempt = max(1, retry.meta.get("retry_times", 1))
        return min(self.backoff_base * 2 ** (attempt - 1), self.backoff_max)

    def _schedule(self, retry: Request | None, response: Response | None) -> Request | None:
        if retry is not None:
            retry.meta[NOT_BEFORE] = time.monotonic() + self._delay_for(retry, response)
        return retry

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Request | Response:
        if response.status == 403 and not request.meta.get("dont_retry", False):
            return self._firewall(request, response)
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        from scrapy.utils.response import response_status_message

        retry = self._retry(request, response_status_message(response.status))
        return self._schedule(retry, response) or response

    def _firewall(self, request: Request, response: Response) -> Request | Response:
        """A 403 from the portal's web firewall, which blocks requests at random: tried
        again with backoff up to ``NEWSBOT_FIREWALL_RETRIES`` times, counted apart
        from other retries. One that persists goes on to the spider as a 403, given
        up with its URL and a reason the next run retries."""
        stats = self.crawler.stats
        tries = request.meta.get("firewall_retries", 0)
        if tries > 0:
            stats.inc_value("newsbot/firewall_403/retry_answered_403")
        if tries >= self.firewall_retries:
            stats.inc_value("newsbot/firewall_403/given_up")
            request.meta["firewall_given_up"] = tries
            return response
        stats.inc_value("newsbot/firewall_403/retried")
        retry = request.replace(dont_filter=True, priority=request.priority - 1)
        retry.meta["firewall_retries"] = tries + 1
        delay = min(self.backoff_base * 2**tries, self.backoff_max)
        retry.meta[NOT_BEFORE] = time.monotonic() + delay
        return retry

    def process_exception(
        self, request: Request, exception: Exception, spider: Spider | None = None
    ) -> Request | Response | None:
        if isinstance(exception, self.exceptions_to_retry) and not request.meta.get(
            "dont_retry", False
        ):
            return self._schedule(self._retry(request, exception), None)
        return None
