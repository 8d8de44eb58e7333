"""Regression tests for issue 11's crawl findings, each named after its finding.

Real crawls of a replica on loopback. Where a finding needs a portal that misbehaves
in a way the replica does not play (a 429 storm, a runaway sitemap chain, a huge
sitemap index), a small subclass here serves it.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from newsbot.sites import get_site
from replica import FaultConfig, Replica
from replica.server import XML, Response
from tests.spiders.crawling import ROOT, run_crawl, stored_articles

pytestmark = pytest.mark.e2e

SITE = get_site("baohaiduong")
#: Resolves only loopback: a request that ignored NEWSBOT_ORIGIN fails here, offline.
NO_DNS = "tests.spiders.no_dns.NoDnsResolver"


def article_urls(replica: Replica) -> list[str]:
    out = []
    for e in replica.request_log:
        url = SITE.canonical_url("https://baohaiduong.vn" + e.path)
        if url and SITE.url_kind(url) == "article":
            out.append(url)
    return out


def runs(store: str) -> list[dict]:
    from newsbot.store import open_store

    s = open_store(store)
    try:
        return s.recent_runs("baohaiduong")
    finally:
        s.close()


# --- finding 4: priorities reach Request ----------------------------------------------


class HugeSitemapIndex(Replica):
    """/sitemap.xml is an index of many small parts, each listing no article."""

    PARTS = 3000

    def respond(self, raw_path: str):
        path = urlsplit(raw_path).path
        if path == "/sitemap.xml":
            rows = "".join(
                f"<sitemap><loc>https://baohaiduong.vn/sitemap-extra{n}.xml</loc></sitemap>"
                for n in range(self.PARTS)
            )
            body = (
                '<?xml version="1.0" encoding="UTF-8"?><sitemapindex '
                f'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{rows}</sitemapindex>'
            )
            return Response(200, body.encode(), XML), None, 1
        if path.startswith("/sitemap-extra"):
            body = (
                '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"/>'
            )
            return Response(200, body.encode(), XML), None, 1
        return super().respond(raw_path)


def test_finding_4_a_huge_sitemap_index_does_not_starve_listings_and_articles(tmp_path: Path):
    with HugeSitemapIndex(30, 21) as replica:
        result = run_crawl(
            replica.origin,
            str(tmp_path / "p.db"),
            tmp_path / "run",
            # Stop after a fixed number of responses: what gets fetched first decides
            # what is stored. Sitemap limits are lifted so only priorities matter.
            settings={
                "CLOSESPIDER_PAGECOUNT": "400",
                "NEWSBOT_SITEMAP_MAX_FILES": "100000",
                "CONCURRENT_REQUESTS": "4",
                "CONCURRENT_REQUESTS_PER_DOMAIN": "4",
            },
        )
        truth = replica.ground_truth()
    assert result.returncode == 0, result.stderr[-2000:]
    stored = {r["url"] for r in stored_articles(str(tmp_path / "p.db"))}
    assert stored == {t["url"] for t in truth}


# --- finding 8: a 429 storm is a failed run, loudly ------------------------------------


class RateLimitStorm(Replica):
    """Every request answered 429 (a storm longer than any retry budget)."""

    def respond(self, raw_path: str):
        if urlsplit(raw_path).path == "/robots.txt":
            return super().respond(raw_path)
        return Response(429, b"Too Many Requests", headers=(("Retry-After", "0"),)), None, 1


def test_finding_8_a_429_storm_that_fetches_nothing_fails_the_run(tmp_path: Path):
    store = str(tmp_path / "storm.db")
    with RateLimitStorm(20, 22) as replica:
        result = run_crawl(replica.origin, store, tmp_path / "run", settings={"RETRY_TIMES": "1"})
    assert result.returncode == 1, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert "fetched none of the portal's start points" in result.stderr
    assert "HTTP 429" in result.summary["fatal"]
    [run] = runs(store)
    assert run["status"] == "nothing_fetched"
    assert all(e["transient"] for e in run["errors"])


# --- finding 9: endless or repeated work -----------------------------------------------


class SitemapChain(Replica):
    """Each ``/sitemap.xml?n=K`` is an index naming ``?n=K+1`` and ``?n=K+2``: endless."""

    def respond(self, raw_path: str):
        parts = urlsplit(raw_path)
        if parts.path == "/sitemap.xml":
            n = int(parse_qs(parts.query).get("n", ["0"])[0])
            rows = "".join(
                f"<sitemap><loc>https://baohaiduong.vn/sitemap.xml?n={k}</loc></sitemap>"
                for k in (n + 1, n + 2)
            )
            body = (
                '<?xml version="1.0" encoding="UTF-8"?><sitemapindex '
                f'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{rows}</sitemapindex>'
            )
            return Response(200, body.encode(), XML), None, 1
        return super().respond(raw_path)


def test_finding_9_a_sitemap_chain_is_bounded_by_depth_and_count(tmp_path: Path):
    with SitemapChain(20, 23) as replica:
        result = run_crawl(
            replica.origin,
            str(tmp_path / "c.db"),
            tmp_path / "run",
            settings={"NEWSBOT_SITEMAP_MAX_DEPTH": "5", "NEWSBOT_SITEMAP_MAX_FILES": "8"},
            timeout=120,
        )
        sitemap_requests = [e for e in replica.request_log if e.path.startswith("/sitemap")]
        truth = replica.ground_truth()
    assert result.returncode == 0, result.stderr[-2000:]
    assert 1 < len(sitemap_requests) <= 8
    assert (
        result.stat("newsbot/skipped/sitemap_limit")
        + result.stat("newsbot/skipped/sitemap_too_deep")
        >= 1
    )
    assert len(stored_articles(str(tmp_path / "c.db"))) == len(truth)


def test_finding_9_sitemap_depth_limit_alone_stops_a_chain(tmp_path: Path):
    with SitemapChain(20, 24) as replica:
        result = run_crawl(
            replica.origin,
            str(tmp_path / "d.db"),
            tmp_path / "run",
            "discover=sitemaps",
            settings={"NEWSBOT_SITEMAP_MAX_DEPTH": "3"},
            timeout=120,
        )
        queries = {e.path for e in replica.request_log if e.path.startswith("/sitemap")}
    assert result.returncode == 0, result.stderr[-2000:]
    # Root, then three levels: n=1..6 at most (each level names two more).
    assert "/sitemap.xml" in queries and len(queries) <= 7
    assert not any(q.endswith(("n=7", "n=8")) for q in queries)
    assert result.stat("newsbot/skipped/sitemap_too_deep") >= 1


def test_finding_9_dead_related_links_are_not_requested_every_run(tmp_path: Path):
    store = str(tmp_path / "dead.db")
    with Replica(40, 25) as replica:
        first = run_crawl(replica.origin, store, tmp_path / "run1")
        # Stored articles now point at 50 related articles the portal no longer has.
        dead = [f"https://baohaiduong.vn/bai-da-go-{n}-{900000 + n}.html" for n in range(50)]
        with sqlite3.connect(store) as conn:
            (url, related) = conn.execute("SELECT url, related FROM articles LIMIT 1").fetchone()
            links = json.loads(related) + [{"url": u, "title": "Tin cũ"} for u in dead]
            conn.execute("UPDATE articles SET related = ? WHERE url = ?", (json.dumps(links), url))
        replica.clear_request_log()
        second = run_crawl(replica.origin, store, tmp_path / "run2")
        asked_second = set(article_urls(replica)) & set(dead)
        replica.clear_request_log()
        third = run_crawl(replica.origin, store, tmp_path / "run3")
        asked_third = set(article_urls(replica)) & set(dead)
    assert first.returncode == second.returncode == third.returncode == 0, third.stderr[-2000:]
    assert asked_second == set(dead)  # tried once (they might have come back)
    assert asked_third == set()  # then remembered as gone


def test_finding_9_an_article_dated_2999_is_not_refetched_every_run(tmp_path: Path):
    store = str(tmp_path / "future.db")
    with Replica(40, 26) as replica:
        first = run_crawl(replica.origin, store, tmp_path / "run1")
        target = replica.ground_truth()[4]["url"]
        with sqlite3.connect(store) as conn:
            conn.execute(
                "UPDATE articles SET published_at = '2999-01-01T08:00:00+07:00' WHERE url = ?",
                (target,),
            )
        replica.clear_request_log()
        second = run_crawl(replica.origin, store, tmp_path / "run2")
        asked = article_urls(replica)
    assert first.returncode == second.returncode == 0, second.stderr[-2000:]
    assert target not in asked


def test_finding_9_permanent_errors_do_not_stop_sitemap_parts_being_skipped(tmp_path: Path):
    store = str(tmp_path / "perm.db")
    # A redirect loop and documents that are not HTML: permanent failures, every run.
    faults = FaultConfig(redirects=True, non_html=True)
    with Replica(300, 27, faults=faults, sitemap_limit=100) as replica:
        first = run_crawl(replica.origin, store, tmp_path / "run1")
        replica.clear_request_log()
        second = run_crawl(replica.origin, store, tmp_path / "run2")
        parts_second = [e.path for e in replica.request_log if e.path.startswith("/sitemap-")]
    assert first.returncode == second.returncode == 0, second.stderr[-2000:]
    assert first.summary["errors"], "the faults must give permanent errors"
    assert not any(e["transient"] for e in first.summary["errors"])
    assert parts_second == []
    assert second.stat("newsbot/skipped/sitemap_unchanged") == 3


# --- newcomer findings ---------------------------------------------------------------


def test_scrapy_parse_uses_the_origin_and_leaves_no_lock_or_running_row(tmp_path: Path):
    store = str(tmp_path / "parse.db")
    with Replica(20, 28) as replica:
        target = replica.ground_truth()[0]["url"]
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "scrapy",
                "parse",
                "--spider",
                "baohaiduong",
                "-s",
                f"NEWSBOT_ORIGIN={replica.origin}",
                "-s",
                f"NEWSBOT_STORE={store}",
                "-s",
                f"DNS_RESOLVER={NO_DNS}",
                "-s",
                f"NEWSBOT_FEEDS_DIR={tmp_path / 'feeds'}",
                "-s",
                "LOG_LEVEL=INFO",
                target,
            ],  # fmt: skip
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        paths = [e.path for e in replica.request_log]
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert urlsplit(target).path in paths  # fetched from the origin, not the portal
    assert "Scraped Items" in proc.stdout and target in proc.stdout
    # The store may exist (the spider reads it) but holds no run of the parse.
    if Path(store).exists():
        assert runs(store) == []


def test_scrapyd_job_argument_does_not_refuse_the_run(tmp_path: Path):
    store = str(tmp_path / "job.db")
    with Replica(20, 29) as replica:
        result = run_crawl(
            replica.origin, store, tmp_path / "run", "_job=6487ec79947e11e7", "discover=feeds"
        )
    assert result.returncode == 0, result.stderr[-2000:]
    assert runs(store)[0]["args"]["_job"] == "6487ec79947e11e7"


def test_until_saves_requests_for_articles_after_it(tmp_path: Path):
    with Replica(300, 30) as replica:
        truth = replica.ground_truth()
        dates = sorted(t["published_at"] for t in truth)
        until = dates[len(dates) // 5][:10]  # keep about the oldest 20%
        store = str(tmp_path / "until.db")
        # A first run into an empty store: dated listings and feeds teach which ids came
        # after `until`; undated links (home page, sitemap, related) are judged by them.
        result = run_crawl(replica.origin, store, tmp_path / "run", f"until={until}")
        asked = set(article_urls(replica))
    assert result.returncode == 0, result.stderr[-2000:]
    newer = {t["url"] for t in truth if t["published_at"][:10] > until}
    assert len(asked & newer) < len(newer) // 2
    stored = stored_articles(store)
    older = {t["url"] for t in truth if t["published_at"][:10] <= until}
    assert {r["url"] for r in stored} == older


def test_a_dns_failure_is_not_retried_before_cannot_reach(tmp_path: Path):
    result = run_crawl(
        "http://portal.test:8123",
        str(tmp_path / "dns.db"),
        tmp_path / "run",
        settings={"DNS_RESOLVER": NO_DNS, "RETRY_TIMES": "4"},
        timeout=120,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if "ERROR: cannot reach" in line]
    assert len(lines) == 1 and "DNS lookup failed" in lines[0]
    assert result.stat("retry/count") == 0
    # robots.txt and the home page: one attempt each, then the run stops.
    assert result.summary["requests"] <= 4


def test_scrapy_shell_uses_the_origin_and_records_no_run(tmp_path: Path):
    store = str(tmp_path / "shell.db")
    with Replica(20, 31) as replica:
        target = replica.ground_truth()[1]["url"]
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "scrapy",
                "shell",
                "--nolog",
                "-s",
                f"NEWSBOT_ORIGIN={replica.origin}",
                "-s",
                f"NEWSBOT_STORE={store}",
                "-s",
                f"DNS_RESOLVER={NO_DNS}",
                "-c",
                "(response.status, response.url)",
                target,
            ],  # fmt: skip
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        paths = [e.path for e in replica.request_log]
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert urlsplit(target).path in paths
    assert "200" in proc.stdout and replica.origin in proc.stdout
    if Path(store).exists():
        assert runs(store) == []
