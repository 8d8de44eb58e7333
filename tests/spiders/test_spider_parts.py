"""The spider's small parts, one table each: addressing, fingerprints, retries, arguments."""

from __future__ import annotations

import gc
import subprocess
import sys

import pytest
from scrapy import Request
from scrapy.http import Response
from scrapy.utils.test import get_crawler

from newsbot.commands.crawl import exit_status
from newsbot.spiders.addressing import Addressing
from newsbot.spiders.fingerprint import CanonicalFingerprinter
from newsbot.spiders.middlewares import retry_after_seconds
from newsbot.spiders.portal import PortalSpider
from tests.spiders.crawling import ROOT

ARTICLE = "https://baohaiduong.vn/chinh-tri/be-mac-hoi-nghi-151453"


@pytest.mark.parametrize(
    "variant",
    [
        pytest.param(ARTICLE, id="canonical"),
        pytest.param("http://www.baohaiduong.vn/chinh-tri/be-mac-hoi-nghi-151453", id="www-http"),
        pytest.param("https://m.baohaiduong.vn/chinh-tri/be-mac-hoi-nghi-151453", id="mobile"),
        pytest.param("https://tab.baohaiduong.vn/chinh-tri/be-mac-hoi-nghi-151453", id="tablet"),
        pytest.param(ARTICLE + "?utm_source=rss&utm_medium=feed", id="utm-query"),
        pytest.param(ARTICLE + "#comments", id="fragment"),
        pytest.param(ARTICLE + "/", id="trailing-slash"),
    ],
)
def test_variants_of_an_article_share_one_fingerprint(variant):
    fp = CanonicalFingerprinter(get_crawler())
    assert fp.fingerprint(Request(variant)) == fp.fingerprint(Request(ARTICLE))


def test_listing_pages_keep_distinct_fingerprints():
    fp = CanonicalFingerprinter(get_crawler())
    page1 = fp.fingerprint(Request("https://baohaiduong.vn/chuyen-muc/chinh-tri/1"))
    page2 = fp.fingerprint(Request("https://baohaiduong.vn/chuyen-muc/chinh-tri/1?page=2"))
    assert page1 != page2


def test_foreign_urls_fall_back_to_scrapy_fingerprints():
    fp = CanonicalFingerprinter(get_crawler())
    a = fp.fingerprint(Request("https://example.org/a?x=1"))
    b = fp.fingerprint(Request("https://example.org/a?x=2"))
    assert a != b


@pytest.mark.parametrize(
    ("origin", "portal", "fetched"),
    [
        pytest.param(None, ARTICLE, ARTICLE, id="no-origin-identity"),
        pytest.param(
            "http://127.0.0.1:8123",
            ARTICLE,
            "http://127.0.0.1:8123/chinh-tri/be-mac-hoi-nghi-151453",
            id="origin-path",
        ),
        pytest.param(
            "http://127.0.0.1:8123/",
            "https://baohaiduong.vn/chuyen-muc/chinh-tri/1?page=2",
            "http://127.0.0.1:8123/chuyen-muc/chinh-tri/1?page=2",
            id="origin-keeps-query",
        ),
    ],
)
def test_addressing_round_trip(origin, portal, fetched):
    addressing = Addressing("baohaiduong.vn", origin)
    assert addressing.to_fetch(portal) == fetched
    assert addressing.to_portal(fetched) == portal


def test_addressing_refuses_a_malformed_origin():
    with pytest.raises(ValueError, match="NEWSBOT_ORIGIN"):
        Addressing("baohaiduong.vn", "127.0.0.1:8123")


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        pytest.param(None, None, id="absent"),
        pytest.param(b"7", 7.0, id="delta-seconds"),
        pytest.param(b"Thu, 01 Jan 1970 00:00:00 GMT", 0.0, id="http-date-in-the-past"),
        pytest.param(b"soon", None, id="garbage"),
    ],
)
def test_retry_after_header(header, expected):
    headers = {"Retry-After": header} if header is not None else {}
    assert retry_after_seconds(Response("http://x/", status=429, headers=headers)) == expected


@pytest.mark.parametrize(
    ("stats", "status"),
    [
        pytest.param({"finish_reason": "finished"}, 0, id="finished"),
        pytest.param({"finish_reason": "store_locked", "newsbot/fatal": "locked"}, 75, id="locked"),
        pytest.param(
            {"finish_reason": "portal_unreachable", "newsbot/exit_status": 1}, 1, id="unreachable"
        ),
        pytest.param(
            {"finish_reason": "finished", "newsbot/fatal": "cannot open store"}, 1, id="fatal"
        ),
    ],
)
def test_exit_status(stats, status):
    assert exit_status(stats) == status


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        pytest.param({"since": "yesterday"}, "expected YYYY-MM-DD", id="since-not-a-date"),
        pytest.param({"until": "2021-13-01"}, "expected YYYY-MM-DD", id="until-month-13"),
        pytest.param({"refresh": "sometimes"}, "all, recent, none", id="refresh-unknown"),
        pytest.param({"max_articles": "ten"}, "whole number", id="max-articles-not-a-number"),
        pytest.param({"sinse": "2021-01-01"}, "unknown argument", id="misspelt-argument"),
        pytest.param({"sections": "chính trị"}, "not a section slug", id="section-name-not-slug"),
        pytest.param({"discover": "home,rss"}, "unknown rss", id="discover-unknown-source"),
    ],
)
def test_bad_arguments_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        PortalSpider.check_arguments(**kwargs)


def test_section_slugs_forgive_case_and_spaces():
    from newsbot.crawl.arguments import section_slugs

    assert section_slugs(" Chinh-Tri, kinh-te ,") == ["chinh-tri", "kinh-te"]


def test_good_arguments_pass():
    PortalSpider.check_arguments(
        since="2021-01-01",
        until="2021-12-31",
        refresh="all",
        max_articles="50",
        sections="chinh-tri,kinh-te",
    )


def test_bad_argument_on_the_command_line_is_one_line_and_status_2(tmp_path):
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "scrapy",
            "crawl",
            "baohaiduong",
            "-a",
            "since=yesterday",
            "-s",
            f"NEWSBOT_STORE={tmp_path / 'x.db'}",
            "-s",
            "LOG_LEVEL=ERROR",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "since='yesterday': expected YYYY-MM-DD" in proc.stderr


def test_one_spider_per_site_profile():
    from newsbot.sites import site_names

    proc = subprocess.run(
        [sys.executable, "-m", "scrapy", "list"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == site_names()


# --- middlewares that extend Scrapy's ---------------------------------------------------


def _crawler_with_spider(**settings):
    from newsbot.spiders.portal import BaohaiduongSpider

    crawler = get_crawler(BaohaiduongSpider, settings_dict=settings)
    crawler.spider = BaohaiduongSpider.from_crawler(crawler)
    return crawler


@pytest.mark.parametrize(
    ("origin", "url", "allowed"),
    [
        pytest.param(None, ARTICLE, True, id="portal-host"),
        pytest.param(None, "https://m.baohaiduong.vn/x-1.html", True, id="mirror-host"),
        pytest.param(None, "https://example.org/", False, id="foreign-host"),
        pytest.param("http://127.0.0.1:8123", "http://127.0.0.1:8123/x", True, id="origin"),
        pytest.param("http://127.0.0.1:8123", "http://127.0.0.1:9999/x", False, id="other-port"),
        pytest.param("http://127.0.0.1:8123", ARTICLE, False, id="portal-not-rewritten"),
    ],
)
def test_offsite_middleware_is_scrapys_with_our_rule(origin, url, allowed):
    from scrapy.downloadermiddlewares.offsite import OffsiteMiddleware
    from scrapy.exceptions import IgnoreRequest

    from newsbot.spiders.middlewares import PortalOffsiteMiddleware

    crawler = _crawler_with_spider(NEWSBOT_ORIGIN=origin)
    mw = PortalOffsiteMiddleware.from_crawler(crawler)
    assert isinstance(mw, OffsiteMiddleware)
    if allowed:
        assert mw.process_request(Request(url)) is None
    else:
        with pytest.raises(IgnoreRequest):
            mw.process_request(Request(url))
        [error] = crawler.stats.get_value("newsbot/errors")
        assert error["kind"] == "offsite" and error["transient"] is False


def test_portal_requests_are_sent_to_the_origin_whoever_made_them():
    from newsbot.spiders.middlewares import AddressingMiddleware

    crawler = _crawler_with_spider(NEWSBOT_ORIGIN="http://127.0.0.1:8123")
    mw = AddressingMiddleware.from_crawler(crawler)
    out = mw.process_request(Request("https://m.baohaiduong.vn/chinh-tri/be-mac-hoi-nghi-151453"))
    assert out.url == "http://127.0.0.1:8123/chinh-tri/be-mac-hoi-nghi-151453"
    assert out.meta["portal_url"] == ARTICLE and out.dont_filter
    assert mw.process_request(out) is None  # already at the origin


def test_retry_is_scrapys_and_the_retry_waits_for_retry_after():
    from newsbot.spiders.middlewares import NOT_BEFORE, BackoffRetryMiddleware

    crawler = _crawler_with_spider(RETRY_TIMES=2, NEWSBOT_RETRY_AFTER_MAX=30)
    mw = BackoffRetryMiddleware.from_crawler(crawler)
    request = Request(ARTICLE)
    retry = mw.process_response(
        request, Response(ARTICLE, status=429, headers={"Retry-After": "7"}, request=request)
    )
    assert isinstance(retry, Request) and retry.meta["retry_times"] == 1
    import time

    assert 6 < retry.meta[NOT_BEFORE] - time.monotonic() <= 7
    assert crawler.stats.get_value("retry/count") == 1  # counted by Scrapy's own code


@pytest.mark.parametrize(
    ("exception", "retried"),
    [
        pytest.param("twisted.internet.error.DNSLookupError", False, id="dns-fails-fast"),
        pytest.param("scrapy.exceptions.CannotResolveHostError", False, id="cannot-resolve"),
        pytest.param("twisted.internet.error.ConnectionLost", True, id="connection-lost"),
        pytest.param("scrapy.exceptions.DownloadTimeoutError", True, id="timeout"),
    ],
)
def test_dns_failures_are_not_retried(exception, retried):
    from scrapy.utils.misc import load_object

    from newsbot.spiders.middlewares import BackoffRetryMiddleware

    crawler = _crawler_with_spider(RETRY_TIMES=4)
    mw = BackoffRetryMiddleware.from_crawler(crawler)
    out = mw.process_exception(Request(ARTICLE), load_object(exception)("boom"))
    assert isinstance(out, Request) is retried


def test_articles_wait_in_the_backlog_until_the_scheduler_has_room():
    """A sitemap of 50,000 links is decided on at once, as before, but its requests are
    handed to the scheduler as it drains: its memory queue never holds them all (4 KB a
    request). Every article is still requested once, in the order decided."""
    from scrapy.http import XmlResponse

    from newsbot.spiders.backlog import LOW_WATER

    spider = _crawler_with_spider().spider
    n = 3 * LOW_WATER + 7
    urls = [f"https://baohaiduong.vn/bai-viet-so-{i}-{400000 + i}.html" for i in range(n)]
    rows = "".join(f"<url><loc>{u}</loc></url>" for u in urls)
    body = f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{rows}</urlset>'
    response = XmlResponse(
        "https://baohaiduong.vn/sitemap.xml",
        body=body.encode(),
        request=Request("https://baohaiduong.vn/sitemap.xml", meta={"sitemap_depth": 0}),
    )
    requested = list(spider.parse_sitemap(response))  # nothing in flight: fill up
    assert len(requested) == LOW_WATER and len(spider.backlog) == n - LOW_WATER
    assert len(spider.policy._depth) == n  # every link decided on, as before
    assert list(spider._top_up()) == []  # its requests are alive (queued, downloading)
    more = list(spider._top_up(idle=True))  # nothing else left to crawl: at least one
    assert len(more) == 1
    done = [r.meta["portal_url"] for r in requested + more]
    requested = more = []  # Scrapy is done with them
    gc.collect()
    while spider.backlog:
        got = [r.meta["portal_url"] for r in spider._top_up()]  # each done with at once
        assert 0 < len(got) <= LOW_WATER
        done += got
        gc.collect()
    assert done == urls
