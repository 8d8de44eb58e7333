"""Downloader middlewares: stay on the portal (or its stand-in), and be polite.

Each extends Scrapy's own component where there is one:

- :class:`AddressingMiddleware` sends a request for one of the publisher's hosts to
  ``NEWSBOT_ORIGIN`` when it is set, whoever made the request (the spider already
  does; ``scrapy parse``/``scrapy shell`` do not).
- :class:`PortalOffsiteMiddleware` is Scrapy's ``OffsiteMiddleware`` with our rule
  (``should_follow``: the exact host and port the crawl may reach), and records what
  it refused, so a stray link can never send traffic elsewhere (and tests can prove it).
- :class:`RobotsTxtMiddleware` is Scrapy's, with every request that waits for a
  host's robots.txt judged by it (Scrapy 2.19 hands the parser to the first waiter
  only; the others pass unchecked).
- :class:`PolitenessMiddleware` honours robots.txt ``Crawl-delay`` (Scrapy reads
  robots.txt but ignores the delay) and the wait a retry asked for.
- :class:`BackoffRetryMiddleware` is Scrapy's ``RetryMiddleware`` (``super()`` decides)
  with exponential backoff and ``Retry-After`` stamped on the retry; a DNS failure is
  not retried (the name will not resolve a second later); a firewall's random 403s
  are retried with backoff, counted apart.
"""

from __future__ import annotations

import logging
import time
from email.utils import parsedate_to_datetime
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.downloadermiddlewares.offsite import OffsiteMiddleware
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware as _ScrapyRobotsTxt
from scrapy.exceptions import CannotResolveHostError, IgnoreRequest
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future, sleep
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred
from twisted.internet.error import DNSLookupError

from newsbot.sites import site_for_url
from newsbot.spiders.addressing import Addressing, parse_origins
from newsbot.spiders.errors import record_error

log = logging.getLogger(__name__)

NOT_BEFORE = "newsbot_not_before"
#: Failures of name resolution: retrying at once cannot help.
DNS_ERRORS = (DNSLookupError, CannotResolveHostError)


class AddressingMiddleware:
    """Rewrites requests for a publisher's hosts to its stand-in origin (when one is set)."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        settings = crawler.settings
        self.origin: str | None = settings.get("NEWSBOT_ORIGIN") or None
        self.origins = parse_origins(settings.get("NEWSBOT_ORIGINS"))

    @classmethod
    def from_crawler(cls, crawler: Any) -> AddressingMiddleware:
        return cls(crawler)

    def addressing_for(self, url: str) -> Addressing | None:
        spider = getattr(self.crawler, "spider", None)
        addressing = getattr(spider, "addressing", None)
        if isinstance(addressing, Addressing):
            return addressing
        if not (self.origin or self.origins):
            return None
        site = site_for_url(url)
        if site is None:
            return None
        return Addressing(site.canonical_host, self.origin, self.origins)

    def process_request(self, request: Request, spider: Spider | None = None) -> Request | None:
        addressing = self.addressing_for(request.url)
        if addressing is None or addressing.origin is None:
            return None
        if urlparse_cached(request).netloc.lower() in addressing.netlocs:
            return None  # already at a stand-in (a redirect between two of them, too)
        site = site_for_url(request.url)
        portal_url = site.canonical_url(request.url) if site else None
        if portal_url is None:
            return None  # not the publisher's: the offsite filter decides
        # dont_filter: the fetched URL has the same fingerprint as the portal URL.
        return request.replace(
            url=addressing.to_fetch(portal_url),
            dont_filter=True,
            meta={**request.meta, "portal_url": request.meta.get("portal_url", portal_url)},
        )


class PortalOffsiteMiddleware(OffsiteMiddleware):
    """Scrapy's offsite filter with the crawl's rule: exactly the hosts (and port) the
    spider lists in ``allowed_netlocs``; refusals are recorded with their host."""

    _scheduling = False

    def request_scheduled(self, request: Request, spider: Spider) -> None:
        # At scheduling, a publisher's own host is let through when an origin is set:
        # AddressingMiddleware rewrites it before download. In the downloader chain
        # (after that rewrite) only the origin itself passes.
        self._scheduling = True
        try:
            super().request_scheduled(request, spider)
        finally:
            self._scheduling = False

    def should_follow(self, request: Request, spider: Spider) -> bool:
        allowed: frozenset[str] | None = getattr(spider, "allowed_netlocs", None)
        if allowed is None:
            return super().should_follow(request, spider)
        netloc = urlparse_cached(request).netloc.lower()
        if netloc in allowed:
            return True
        # A publisher's own host that AddressingMiddleware sends to the origin.
        addressing = getattr(spider, "addressing", None)
        hosts = getattr(getattr(spider, "site", None), "hosts", ())
        return bool(
            self._scheduling
            and addressing is not None
            and addressing.origin
            and (urlparse_cached(request).hostname or "") in hosts
        )

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        try:
            super().process_request(request)
        except IgnoreRequest:
            netloc = urlparse_cached(request).netloc.lower()
            self.crawler.stats.inc_value("newsbot/offsite_blocked")
            record_error(
                self.crawler.stats, request.url, f"host {netloc} is outside the crawl", "offsite"
            )
            raise


class RobotsTxtMiddleware(_ScrapyRobotsTxt):
    """Scrapy's robots.txt middleware, with the parser given to every waiting request.

    While a host's robots.txt is being fetched, Scrapy 2.19 parks each request for that
    host on one shared Deferred and awaits it directly; the first awaiter's callback
    returns None, so every later waiter gets None for a parser and is let through
    unchecked. A fleet worker that joins a crawl pops disallowed links from the shared
    queue at exactly that moment (a /private/ page was fetched and stored that way).
    Here each waiter gets its own Deferred that is fired from a callback passing the
    parser on, which is how Scrapy did it before its middleware became a coroutine.
    """

    async def robot_parser(self, request: Request) -> Any:
        netloc = urlparse_cached(request).netloc
        pending = self._parsers.get(netloc)
        if not isinstance(pending, Deferred):
            return await super().robot_parser(request)
        mine: Deferred[Any] = Deferred()

        def hand_on(parser: Any) -> Any:
            mine.callback(parser)
            return parser

        pending.addCallback(hand_on)
        return await maybe_deferred_to_future(mine)


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
    """Scrapy's retry; the retry it returns waits (backoff or ``Retry-After``, capped)."""

    def __init__(self, settings: Any) -> None:
        super().__init__(settings)
        self.backoff_base = settings.getfloat("NEWSBOT_RETRY_BACKOFF", 1.0)
        self.backoff_max = settings.getfloat("NEWSBOT_RETRY_BACKOFF_MAX", 60.0)
        self.retry_after_max = settings.getfloat("NEWSBOT_RETRY_AFTER_MAX", 120.0)
        self.firewall_retries = settings.getint("NEWSBOT_FIREWALL_RETRIES", 3)

    def delay_for(self, retry: Request, response: Response | None) -> float:
        """Seconds the retry waits: what the server asked for, else exponential backoff."""
        if response is not None:
            asked = retry_after_seconds(response)
            if asked is not None:
                return min(asked, self.retry_after_max)
        attempt = max(1, retry.meta.get("retry_times", 1))
        return min(self.backoff_base * 2 ** (attempt - 1), self.backoff_max)

    def _stamp(self, result: Any, response: Response | None) -> Any:
        if isinstance(result, Request):
            result.meta[NOT_BEFORE] = time.monotonic() + self.delay_for(result, response)
        return result

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Request | Response:
        if response.status == 403 and not request.meta.get("dont_retry", False):
            return self._firewall(request, response)
        return self._stamp(super().process_response(request, response), response)

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
        if isinstance(exception, DNS_ERRORS):
            return None  # fail fast: the spider reports the host as unreachable
        return self._stamp(super().process_exception(request, exception), None)
