"""ParseAheadMiddleware: article pages parsed in worker processes, off the crawl's thread.

Parsing an article (lxml, the layout walker, structured data) is the largest share of
a crawl's CPU time per page, and it is a pure function of the page: the publisher
profile (a module-level :class:`~newsbot.sites.portal.PortalSite`), the body, the URL
and the declared content type. So, with ``NEWSBOT_PARSE_WORKERS`` > 0, this downloader
middleware hands each HTML response bound for the spider's ``parse_article`` to a pool
of that many worker processes (spawned, so no thread or reactor state is copied) and
passes the response on once the worker's :class:`~newsbot.sites.base.ParseOutcome` is
back, stashed in the request's ``meta`` under :data:`PARSED`; the crawl goes on meanwhile.
The spider uses that outcome when it was made for the same URL and content type, and
parses in its own thread otherwise, so a missing, broken or stopped pool changes
nothing but speed. Output is the same either way (the same function on the same input).

The worker's own parse time is added to ``newsbot/time/parse_worker_s`` (a parse in
the spider's thread to ``newsbot/time/parse_s``). A pool that breaks
(a worker killed) is made anew once; after a second break pages are parsed in-process.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import multiprocessing
import time
from typing import Any

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response, TextResponse

from newsbot.sites import get_site
from newsbot.sites.base import ParseOutcome

logger = logging.getLogger(__name__)

#: ``response.meta`` key of ``(url, content_type, outcome)`` parsed ahead.
PARSED = "_newsbot_parsed"


def _warm(site_name: str) -> None:
    get_site(site_name)  # import the profile (and lxml) before the first page


def parse_in_worker(
    site_name: str, body: bytes, url: str, content_type: str | None
) -> tuple[ParseOutcome, float]:
    """In a worker process: the page's outcome and the CPU seconds it took."""
    start = time.process_time()
    outcome = get_site(site_name).parse_article(body, url, content_type)
    return outcome, time.process_time() - start


def content_type_of(response: Response) -> str:
    return response.headers.get(b"Content-Type", b"").decode("latin-1")


def portal_url_of(spider: Any, request: Request, response: Response) -> str:
    """The URL the spider parses ``response`` under (its ``_portal_url``, side-effect free)."""
    return (
        spider.site.canonical_url(spider.addressing.to_portal(response.url))
        or request.meta.get("portal_url")
        or response.url
    )


def parsed_ahead(response: Response, url: str, content_type: str) -> ParseOutcome | None:
    """The outcome parsed ahead for ``response``, if it was made for this URL and type."""
    kept = response.meta.pop(PARSED, None)
    if kept is not None and kept[0] == url and kept[1] == content_type:
        return kept[2]
    return None


class ParseAheadMiddleware:
    def __init__(self, crawler: Any, workers: int) -> None:
        self.crawler = crawler
        self.workers = workers
        self._pool: concurrent.futures.ProcessPoolExecutor | None = None
        self._breaks = 0
        crawler.signals.connect(self.close, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Any) -> ParseAheadMiddleware:
        workers = crawler.settings.getint("NEWSBOT_PARSE_WORKERS")
        if workers <= 0:
            raise NotConfigured
        return cls(crawler, workers)

    def _wanted(self, request: Request, response: Response, spider: Any) -> bool:
        callback = getattr(spider, "parse_article", None)
        if callback is None or request.callback != callback:
            return False
        if response.status != 200 or not isinstance(response, TextResponse):
            return False
        content_type = content_type_of(response)
        return not content_type or "html" in content_type.lower()

    def _executor(self, site_name: str) -> concurrent.futures.ProcessPoolExecutor:
        if self._pool is None:
            self._pool = concurrent.futures.ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_warm,
                initargs=(site_name,),
            )
        return self._pool

    async def process_response(self, request: Request, response: Response) -> Any:
        spider = self.crawler.spider
        if self._breaks > 1 or not self._wanted(request, response, spider):
            return response
        try:
            url = portal_url_of(spider, request, response)
            content_type = content_type_of(response)
            future = self._executor(spider.site.name).submit(
                parse_in_worker, spider.site.name, response.body, url, content_type or None
            )
            outcome, seconds = await asyncio.wrap_future(future)
        except concurrent.futures.process.BrokenProcessPool as exc:
            self._breaks += 1
            logger.warning("parse worker pool broke (%s): parsing in the crawl's thread", exc)
            self._shutdown()
            return response
        except Exception as exc:  # noqa: BLE001 - the spider parses it itself and reports
            logger.debug("parse ahead failed for %s: %s", response.url, exc)
            return response
        self.crawler.stats.inc_value("newsbot/time/parse_worker_s", seconds)
        self.crawler.stats.inc_value("newsbot/parsed_ahead")
        request.meta[PARSED] = (url, content_type, outcome)
        return response

    def _shutdown(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    def close(self, spider: Any = None) -> None:
        self._shutdown()
