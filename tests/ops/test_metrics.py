"""Metrics: the textfile parses as Prometheus text and says what the run did.

The end-to-end tests crawl the replica with the real spider and read the textfile
the extension wrote; one serves the replica with a broken article layout and shows
the coverage alert's condition is met from that file alone.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from newsbot.metrics import METRIC_NAMES, reason_class, run_families
from replica.server import Replica, Response
from tests.ops.rules import alert_rule, evaluate_threshold
from tests.spiders.crawling import run_crawl


def samples(path: Path) -> list[tuple[str, dict[str, str], float]]:
    text = path.read_text(encoding="utf-8")
    return [
        (s.name, s.labels, s.value)
        for family in text_string_to_metric_families(text)
        for s in family.samples
    ]


@pytest.mark.parametrize(
    ("reason", "kind", "label"),
    [
        ("HTTP 404", "fetch", "http_404"),
        ("HTTP 503 Service Unavailable", "fetch", "http_503"),
        ("timed out: took longer than 30.0 seconds", "fetch", "timeout"),
        ("connection refused", "fetch", "refused"),
        ("connection dropped before a response", "fetch", "connection"),
        ("page larger than DOWNLOAD_MAXSIZE", "fetch", "too_large"),
        ("listing page without article links (layout change?)", "parse", "parse"),
        ("something new", "fetch", "other"),
    ],
)
def test_reason_classes_are_few_and_stable(reason, kind, label):
    assert reason_class(reason, kind) == label


def test_run_families_from_stats():
    stats = {
        "downloader/request_count": 12,
        "newsbot/stored/new": 5,
        "newsbot/stored/unchanged": 2,
        "newsbot/parse_errors/no_title": 1,
        "newsbot/article_pages": 8,
        "newsbot/items_seen": 7,
        "newsbot/coverage/title": 7,
        "newsbot/coverage/lead": 4,
        "newsbot/errors": [{"url": "u", "reason": "HTTP 404", "kind": "fetch"}] * 2,
    }
    by_name = {f.name: f for f in run_families("s", stats, queue=3)}
    articles = {s.labels["outcome"]: s.value for s in by_name["newsbot_run_articles"].samples}
    assert articles == {"new": 5, "updated": 0, "unchanged": 2, "duplicate": 0, "failed": 1}
    coverage = {s.labels["field"]: s.value for s in by_name["newsbot_field_coverage"].samples}
    assert coverage["title"] == round(7 / 8, 4) and coverage["lead"] == 0.5
    assert coverage["body"] == 0.0  # a field never found is 0, not absent
    (err,) = by_name["newsbot_run_errors"].samples
    assert err.labels == {"site": "s", "kind": "fetch", "reason": "http_404"} and err.value == 2
    assert by_name["newsbot_run_queue_length"].samples[0].value == 3
    assert "newsbot_run_published" not in by_name  # live: nothing published yet


@pytest.mark.parametrize(
    ("stats", "value"),
    [
        ({"newsbot/published_files": 4}, 1.0),
        ({"newsbot/published_files": 3, "newsbot/publish_error": "files not written: 1"}, 0.0),
        ({"newsbot/publish_error": "OSError: No space left on device"}, 0.0),
    ],
    ids=["published", "some-files-not-written", "publish-failed"],
)
def test_run_published_says_whether_every_feed_file_was_written(stats, value):
    by_name = {f.name: f for f in run_families("s", stats)}
    (sample,) = by_name["newsbot_run_published"].samples
    assert sample.labels == {"site": "s"} and sample.value == value


class RedesignedReplica(Replica):
    """The replica that can go through an unannounced redesign: article markup renamed,
    structured data gone (``redesigned = True``).

    Listings, feeds and sitemaps stay as they were, so the crawl finds every article
    and only the article pages' fields fail: what a real redesign looks like.
    """

    redesigned = False

    def redesign(self) -> None:
        self.redesigned = True
        self._render.cache_clear()

    def _route(self, path: str, page_param: str) -> Response:
        response = super()._route(path, page_param)
        if not self.redesigned or path not in self.portal.by_path:
            return response
        html = response.body.decode()
        html = re.sub(r'<script type="application/ld\+json">.*?</script>', "", html, flags=re.S)
        html = re.sub(r"<meta (?:property|name)=\"(?:og|article|twitter):[^>]*>", "", html)
        html = re.sub(r'class="', 'class="v3-', html)
        html = re.sub(r"<(/?)(h1|article|time)\b", r"<\1div", html)
        return Response(response.status, html.encode(), response.content_type, response.headers)


@pytest.mark.e2e
def test_textfile_after_a_clean_crawl(replica_factory, tmp_path):
    replica = replica_factory(articles=40, seed=3)
    metrics = tmp_path / "metrics"
    result = run_crawl(
        replica.origin,
        tmp_path / "store.db",
        tmp_path / "work",
        settings={"NEWSBOT_METRICS_DIR": str(metrics)},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    path = metrics / "newsbot_baohaiduong.prom"
    got = samples(path)
    names = {name for name, _, _ in got}
    assert names <= set(METRIC_NAMES), names - set(METRIC_NAMES)

    def value(name: str, **labels: str) -> float:
        (v,) = [v for n, lab, v in got if n == name and labels.items() <= lab.items()]
        return v

    new = value("newsbot_run_articles", outcome="new")
    assert new + value("newsbot_run_articles", outcome="duplicate") == len(replica.ground_truth())
    assert value("newsbot_run_requests") == result.stat("downloader/request_count")
    assert value("newsbot_articles_stored") == len(replica.ground_truth())
    assert value("newsbot_run_success") == 1.0
    assert value("newsbot_runs_left_running") == 0.0
    assert value("newsbot_field_coverage", field="title") == 1.0
    assert value("newsbot_last_success_timestamp_seconds") == value(
        "newsbot_run_end_timestamp_seconds"
    )
    assert value("newsbot_publish_to_ingest_lag_seconds", quantile="0.5") > 0
    # The required-field alert stays quiet on a healthy crawl.
    assert not evaluate_threshold(alert_rule("NewsbotRequiredFieldMissing")["expr"], got)


@pytest.mark.e2e
def test_coverage_alert_fires_after_a_redesign(tmp_path):
    alert = alert_rule("NewsbotFieldCoverageDropped")["expr"]
    metrics = tmp_path / "metrics"
    path = metrics / "newsbot_baohaiduong.prom"
    with RedesignedReplica(40, 3) as replica:
        crawl = [replica.origin, tmp_path / "store.db", tmp_path / "work"]
        settings = {"NEWSBOT_METRICS_DIR": str(metrics)}
        healthy = run_crawl(*crawl, settings=settings)
        assert healthy.returncode == 0, healthy.stderr[-2000:]
        assert not evaluate_threshold(alert, samples(path))
        replica.redesign()
        broken = run_crawl(*crawl, "refresh=all", settings=settings)
    assert broken.returncode == 0, broken.stderr[-2000:]
    got = samples(path)
    # The alert's condition holds from the metrics file alone after the layout broke.
    firing = evaluate_threshold(alert, got)
    assert firing, [s for s in got if s[0].startswith("newsbot_field_coverage")]
    assert {labels["site"] for labels, _ in firing} == {"baohaiduong"}
    assert {"author", "section"} <= {labels["field"] for labels, _ in firing}


@pytest.mark.e2e
def test_spidermon_coverage_monitor_fails_after_a_redesign(tmp_path):
    pytest.importorskip("spidermon", reason="spidermon is not installed (the optional extra)")
    with RedesignedReplica(30, 3) as replica:
        crawl = [replica.origin, tmp_path / "store.db", tmp_path / "work"]
        settings = {"SPIDERMON_ENABLED": "True"}
        healthy = run_crawl(*crawl, settings=settings)
        replica.redesign()
        broken = run_crawl(*crawl, "refresh=all", settings=settings)
    assert healthy.returncode == broken.returncode == 0, broken.stderr[-2000:]
    monitor = "Field Coverage Monitor/test_check_if_field_coverage_rules_are_met"
    assert re.search(rf"\[Spidermon\] {monitor}\.\.\. OK", healthy.stderr), healthy.stderr[-3000:]
    assert re.search(rf"\[Spidermon\] {monitor}\.\.\. FAIL", broken.stderr), broken.stderr[-3000:]
    assert re.search(r"ArticleItem/author \(expected 0\.5, got 0\b", broken.stderr), broken.stderr[
        -3000:
    ]


def test_live_endpoint_on_loopback_while_the_run_lasts(tmp_path):
    import socket
    import urllib.request

    from scrapy import Spider
    from scrapy.utils.test import get_crawler

    from newsbot.metrics import RunMetrics

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]

    class Site(Spider):
        name = "somesite"

    crawler = get_crawler(Site, {"NEWSBOT_METRICS_PORT": port})
    crawler.stats.set_value("downloader/request_count", 5)
    crawler.stats.set_value("newsbot/stored/new", 2)
    ext = RunMetrics(crawler)
    ext._opened(Site())
    try:
        url = f"http://127.0.0.1:{port}/metrics"
        body = urllib.request.urlopen(url, timeout=5).read().decode()
        crawler.stats.set_value("downloader/request_count", 9)  # read live, not cached
        again = urllib.request.urlopen(url, timeout=5).read().decode()
    finally:
        ext._stopped()
    assert 'newsbot_run_requests{site="somesite"} 5.0' in body
    assert 'newsbot_run_articles{outcome="new",site="somesite"} 2.0' in body
    assert 'newsbot_run_requests{site="somesite"} 9.0' in again
    with pytest.raises(OSError):  # gone with the run
        urllib.request.urlopen(url, timeout=2)
