"""The OneCMS firewall's random 403s: retried with backoff and counted apart; one that
persists is handed to the spider, given up with a reason the next run retries.
Also the two-domain addressing a crawl of the OneCMS replica relies on."""

from __future__ import annotations

import time

import pytest
from scrapy import Request
from scrapy.http import Response
from scrapy.utils.test import get_crawler

from newsbot.crawl.history import worth_retrying
from newsbot.sites import get_site
from newsbot.spiders.addressing import Addressing, parse_origins
from newsbot.spiders.middlewares import NOT_BEFORE, BackoffRetryMiddleware
from newsbot.spiders.portal import PortalSpider

URL = "https://baohaiphong.vn/gia-loc-543127.html"


def _middleware(retries: int = 3) -> BackoffRetryMiddleware:
    crawler = get_crawler(
        PortalSpider,
        {"NEWSBOT_FIREWALL_RETRIES": retries, "NEWSBOT_RETRY_BACKOFF": 0.5, "RETRY_ENABLED": True},
    )
    crawler.stats.open_spider()
    return BackoffRetryMiddleware.from_crawler(crawler)


def test_403_retried_with_backoff_then_given_up():
    mw = _middleware(retries=2)
    request = Request(URL)
    delays = []
    for _ in range(2):
        before = time.monotonic()
        retry = mw.process_response(request, Response(URL, status=403, request=request))
        assert isinstance(retry, Request) and retry.dont_filter
        delays.append(round(retry.meta[NOT_BEFORE] - before, 1))
        request = retry
    final = mw.process_response(request, Response(URL, status=403, request=request))
    assert isinstance(final, Response) and final.status == 403
    assert request.meta["firewall_given_up"] == 2
    assert delays == [0.5, 1.0]  # exponential backoff
    stats = mw.crawler.stats
    assert stats.get_value("newsbot/firewall_403/retried") == 2
    assert stats.get_value("newsbot/firewall_403/given_up") == 1
    # Counted apart: Scrapy's own retry counters never saw them.
    assert stats.get_value("retry/count") is None


def test_a_403_that_passes_on_retry_is_a_200():
    mw = _middleware()
    request = Request(URL)
    retry = mw.process_response(request, Response(URL, status=403, request=request))
    ok = mw.process_response(retry, Response(URL, status=200, request=retry))
    assert ok.status == 200
    assert mw.crawler.stats.get_value("newsbot/firewall_403/given_up") is None


def test_a_persisting_403_is_retried_by_the_next_run():
    errors = [
        # The spider flags a persisting firewall 403 transient (see PortalSpider._failed).
        {
            "url": URL,
            "reason": "firewall 403 persisted after 3 retries",
            "kind": "fetch",
            "transient": True,
            "status": 403,
        },
        {
            "url": "https://baohaiphong.vn/khac-543128.html",
            "reason": "HTTP 404",
            "kind": "fetch",
            "transient": False,
            "status": 404,
        },
    ]
    assert worth_retrying(errors, get_site("baohaiduong")) == [URL]


# fmt: off
ADDRESSING = [
    pytest.param("https://baohaiphong.vn/a-1.html", "http://127.0.0.1:2/a-1.html", id="new"),
    pytest.param("https://baohaiduong.vn/kinh-te/a-1", "http://127.0.0.1:1/kinh-te/a-1",
                 id="old"),
]
# fmt: on


@pytest.mark.parametrize(("portal", "fetched"), ADDRESSING)
def test_one_origin_per_domain(portal: str, fetched: str):
    origins = parse_origins("baohaiphong.vn=http://127.0.0.1:2,baohaiduong.vn=http://127.0.0.1:1")
    addressing = Addressing("baohaiphong.vn", None, origins)
    assert addressing.to_fetch(portal) == fetched
    assert addressing.to_portal(fetched) == portal
    assert addressing.netlocs == {"127.0.0.1:1", "127.0.0.1:2"}


def test_origins_setting_is_checked():
    with pytest.raises(ValueError, match="domain=origin"):
        parse_origins("baohaiphong.vn")
