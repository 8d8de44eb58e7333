"""Run and store metrics in the Prometheus text format (a Scrapy extension).

:class:`RunMetrics` exposes what a run did and what the store says about the site:

* a textfile for node_exporter's textfile collector, written atomically at the end of
  every run (``NEWSBOT_METRICS_DIR``; one file per site, so runs of different sites
  never overwrite each other), and
* optionally, an HTTP endpoint on 127.0.0.1 while the run lasts
  (``NEWSBOT_METRICS_PORT``), for a Prometheus that scrapes long backfills live.

Run metrics come from the crawl stats, so the endpoint shows them while they grow;
store metrics (last successful run, newest article, runs left ``running``,
publish-to-ingest lag) are read from the store after the run was recorded, which is
also right for a fleet of workers sharing one store. The metric names are the public
interface of ``deploy/prometheus/newsbot-alerts.yml``; :data:`METRIC_NAMES` lists them.
"""

from __future__ import annotations

import logging
import re
import statistics
from collections import Counter
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from prometheus_client import CollectorRegistry, start_http_server, write_to_textfile
from prometheus_client.core import GaugeMetricFamily, Metric
from scrapy import signals

from newsbot.progress import queue_length
from newsbot.record import COVERAGE_FIELDS

log = logging.getLogger(__name__)

#: Every metric this module exports (name -> help). The alert rules use only these.
METRIC_NAMES: dict[str, str] = {
    "newsbot_run_requests": "Requests the last run sent",
    "newsbot_run_articles": "Article pages of the last run by outcome",
    "newsbot_run_errors": "What the last run gave up on, by kind and reason class",
    "newsbot_field_coverage": "Share of the last run's article pages that gave the field",
    "newsbot_field_coverage_baseline": "Median coverage of the field over the site's previous clean runs",
    "newsbot_run_queue_length": "Requests waiting in the scheduler (live endpoint)",
    "newsbot_run_start_timestamp_seconds": "When the last run started (Unix time)",
    "newsbot_run_end_timestamp_seconds": "When the last run ended (Unix time)",
    "newsbot_run_success": "1 when the last run finished cleanly, else 0",
    "newsbot_last_success_timestamp_seconds": "When a run of the site last finished cleanly",
    "newsbot_last_new_article_timestamp_seconds": "When the store first saw its newest article",
    "newsbot_articles_stored": "Articles of the site in the store",
    "newsbot_runs_left_running": "Other runs of the site the store still shows as running",
    "newsbot_publish_to_ingest_lag_seconds": "Publication to first sight of the run's new articles",
    "newsbot_run_published": "1 when the last run's feeds were all written, 0 when some were not",
}

#: Outcome label -> crawl stats counted under it.
_OUTCOMES = {
    "new": ("newsbot/stored/new",),
    "updated": ("newsbot/stored/updated",),
    "unchanged": ("newsbot/stored/unchanged",),
    "duplicate": ("newsbot/stored/duplicate",),
}
_FAILED_PREFIXES = ("newsbot/parse_errors/", "newsbot/dropped/")
_HTTP = re.compile(r"^HTTP (\d{3})\b")


def reason_class(reason: str, kind: str = "fetch") -> str:
    """A small, bounded label for an error reason (``http_404``, ``timeout``, ``parse``...).

    Reasons carry URLs and free text; a label per distinct text would explode the
    number of series, so errors are grouped into the few causes an operator acts on.
    """
    if kind != "fetch":
        return kind
    text = reason.lower()
    match = _HTTP.match(reason)
    if match:
        return f"http_{match.group(1)}"
    for needle, label in (
        ("dns", "dns"),
        ("timed out", "timeout"),
        ("timeout", "timeout"),
        ("refused", "refused"),
        ("connect", "connection"),
        ("dropped", "connection"),
        ("truncated", "connection"),
        ("larger than", "too_large"),
        ("not html", "not_html"),
        ("redirect", "redirect"),
    ):
        if needle in text:
            return label
    return "other"


def _timestamp(value: Any) -> float | None:
    """Unix time of an ISO string or datetime from the store (None when missing)."""
    if value is None or value == "":
        return None
    when = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.timestamp()


def _quantile(values: list[float], q: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(q * 100) - 1]


def _gauge(name: str, labels: tuple[str, ...]) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, METRIC_NAMES[name], labels=list(labels))


def run_families(site: str, stats: Mapping[str, Any], queue: int | None = None) -> list[Metric]:
    """Metrics of one run from its crawl stats (live or final)."""
    requests = _gauge("newsbot_run_requests", ("site",))
    requests.add_metric([site], float(stats.get("downloader/request_count", 0)))
    articles = _gauge("newsbot_run_articles", ("site", "outcome"))
    for outcome, keys in _OUTCOMES.items():
        articles.add_metric([site, outcome], float(sum(stats.get(k, 0) for k in keys)))
    failed = sum(
        int(v) for k, v in stats.items() if k.startswith(_FAILED_PREFIXES) and not k.endswith("/")
    ) + int(stats.get("newsbot/stored/error", 0))
    articles.add_metric([site, "failed"], float(failed))
    errors = _gauge("newsbot_run_errors", ("site", "kind", "reason"))
    by_reason = Counter(
        (
            str(e.get("kind", "fetch")),
            reason_class(str(e.get("reason", "")), e.get("kind", "fetch")),
        )
        for e in stats.get("newsbot/errors") or []
        if isinstance(e, dict)
    )
    for (kind, reason), n in sorted(by_reason.items()):
        errors.add_metric([site, kind, reason], float(n))
    families: list[Metric] = [requests, articles, errors]
    # Same denominator as the run record: pages the parser failed on count as
    # articles missing every field, so a total layout break shows as 0, not as no data.
    total = max(int(stats.get("newsbot/items_seen", 0)), int(stats.get("newsbot/article_pages", 0)))
    if total:
        coverage = _gauge("newsbot_field_coverage", ("site", "field"))
        for field in COVERAGE_FIELDS:
            share = int(stats.get(f"newsbot/coverage/{field}", 0)) / total
            coverage.add_metric([site, field], round(min(share, 1.0), 4))
        families.append(coverage)
    start = _timestamp(stats.get("start_time"))
    if start is not None:
        started = _gauge("newsbot_run_start_timestamp_seconds", ("site",))
        started.add_metric([site], start)
        families.append(started)
    if "newsbot/published_files" in stats or "newsbot/publish_error" in stats:
        # Only once publishing ran (absent live, and with NEWSBOT_PUBLISH off): the
        # records are stored either way, so the run still counts as a success; this
        # says consumers' files lag until the next publish catches up.
        published = _gauge("newsbot_run_published", ("site",))
        published.add_metric([site], 0.0 if stats.get("newsbot/publish_error") else 1.0)
        families.append(published)
    if queue is not None:
        waiting = _gauge("newsbot_run_queue_length", ("site",))
        waiting.add_metric([site], float(queue))
        families.append(waiting)
    return families


def store_families(site: str, store: Any, run_id: str | None) -> list[Metric]:
    """Metrics the store holds about ``site`` (after the run was recorded)."""
    families: list[Metric] = []
    runs = store.recent_runs(site, limit=200)
    this = next((r for r in runs if r.get("run_id") == run_id), None)
    if this is not None:
        ended = _timestamp(this.get("finished_at"))
        if ended is not None:
            end = _gauge("newsbot_run_end_timestamp_seconds", ("site",))
            end.add_metric([site], ended)
            families.append(end)
        success = _gauge("newsbot_run_success", ("site",))
        success.add_metric([site], 1.0 if this.get("status") == "finished" else 0.0)
        families.append(success)
    finished = [
        t
        for t in (_timestamp(r.get("finished_at")) for r in runs if r["status"] == "finished")
        if t
    ]
    if finished:
        last = _gauge("newsbot_last_success_timestamp_seconds", ("site",))
        last.add_metric([site], max(finished))
        families.append(last)
    baseline = _coverage_baseline([r for r in runs if r.get("run_id") != run_id])
    if baseline:
        base = _gauge("newsbot_field_coverage_baseline", ("site", "field"))
        for field, share in sorted(baseline.items()):
            base.add_metric([site, field], share)
        families.append(base)
    left = _gauge("newsbot_runs_left_running", ("site",))
    left.add_metric(
        [site], float(sum(1 for r in runs if r["status"] == "running" and r["run_id"] != run_id))
    )
    families.append(left)
    count, newest = store.site_totals(site)
    stored = _gauge("newsbot_articles_stored", ("site",))
    stored.add_metric([site], float(count or 0))
    families.append(stored)
    newest_at = _timestamp(newest)
    if newest_at is not None:
        newest_family = _gauge("newsbot_last_new_article_timestamp_seconds", ("site",))
        newest_family.add_metric([site], newest_at)
        families.append(newest_family)
    if run_id:
        lags = []
        for record in store.iter_run_changes(run_id):
            if record.get("version") != 1 or record.get("duplicate_of"):
                continue
            seen, published = (
                _timestamp(record.get("first_seen_at")),
                _timestamp(record.get("published_at")),
            )
            if seen is not None and published is not None:
                lags.append(max(0.0, seen - published))
        if lags:
            lags.sort()
            lag = _gauge("newsbot_publish_to_ingest_lag_seconds", ("site", "quantile"))
            for q in (0.5, 0.95):
                lag.add_metric([site, str(q)], round(_quantile(lags, q), 1))
            families.append(lag)
    return families


#: Previous clean runs a coverage baseline is the median of.
BASELINE_RUNS = 10


def _coverage_baseline(runs: list[dict[str, Any]]) -> dict[str, float]:
    """Per field, the median coverage of the latest clean runs that parsed articles.

    Some fields are partial by nature (not every article has images), so "coverage
    dropped" means "fell well under what this site usually gives", not under a constant.
    """
    shares: dict[str, list[float]] = {}
    clean = [r for r in runs if r.get("status") == "finished" and r.get("coverage")]
    for run in clean[:BASELINE_RUNS]:
        for field, share in run["coverage"].items():
            if isinstance(share, int | float):
                shares.setdefault(field, []).append(float(share))
    return {field: round(statistics.median(values), 4) for field, values in shares.items()}


class _Families:
    """A prometheus_client collector over a function returning metric families."""

    def __init__(self, produce: Any) -> None:
        self.produce = produce

    def collect(self) -> Iterator[Metric]:
        yield from self.produce()


class RunMetrics:
    """Scrapy extension: the metrics textfile at the end of a run, an endpoint during it.

    Settings: ``NEWSBOT_METRICS_DIR`` (textfile directory; off when empty),
    ``NEWSBOT_METRICS_PORT`` (HTTP endpoint on ``NEWSBOT_METRICS_ADDR``, default
    127.0.0.1; off when 0 or empty), ``NEWSBOT_WORKER`` (added to the file name, so
    workers of a fleet on one machine keep a file each).
    """

    def __init__(self, crawler: Any) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.directory = settings.get("NEWSBOT_METRICS_DIR") or None
        self.port = settings.getint("NEWSBOT_METRICS_PORT", 0)
        self.addr = settings.get("NEWSBOT_METRICS_ADDR") or "127.0.0.1"
        self.worker = settings.get("NEWSBOT_WORKER") or ""
        self.site = ""
        self._server: Any = None
        crawler.signals.connect(self._opened, signal=signals.spider_opened)
        # engine_stopped comes after spider_closed, when the run is recorded in the store.
        crawler.signals.connect(self._stopped, signal=signals.engine_stopped)

    @classmethod
    def from_crawler(cls, crawler: Any) -> RunMetrics:
        return cls(crawler)

    def live_families(self) -> list[Metric]:
        return run_families(self.site, self.crawler.stats.get_stats(), queue_length(self.crawler))

    def _opened(self, spider: Any) -> None:
        self.site = spider.name
        if not self.port:
            return
        registry = CollectorRegistry(auto_describe=False)
        registry.register(_Families(self.live_families))
        try:
            self._server, _thread = start_http_server(self.port, self.addr, registry=registry)
        except OSError as exc:  # a busy port costs the endpoint, never the run
            log.warning("metrics endpoint %s:%d not started: %s", self.addr, self.port, exc)
            return
        log.info("metrics on http://%s:%d/metrics while the run lasts", self.addr, self.port)

    def final_families(self) -> list[Metric]:
        stats = self.crawler.stats.get_stats()
        families = run_families(self.site, stats)
        run_id = stats.get("newsbot/run_id")
        try:
            from newsbot.store import open_store
            from newsbot.store.target import store_target

            store = open_store(store_target(self.crawler.settings))
        except Exception as exc:  # noqa: BLE001 - run metrics are still worth writing
            log.warning("metrics: store not readable (%s); run metrics only", exc)
            return families
        try:
            families += store_families(self.site, store, run_id)
        finally:
            store.close()
        return families

    def textfile_path(self) -> Path | None:
        if not (self.directory and self.site):
            return None
        suffix = f"_{self.worker}" if self.worker else ""
        return Path(self.directory) / f"newsbot_{self.site}{suffix}.prom"

    def _stopped(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        path = self.textfile_path()
        if path is None:
            return
        registry = CollectorRegistry(auto_describe=False)
        families = self.final_families()
        registry.register(_Families(lambda: families))
        path.parent.mkdir(parents=True, exist_ok=True)
        # write_to_textfile writes a temporary file beside the target and renames it, so
        # node_exporter never reads half a file.
        write_to_textfile(str(path), registry)
        log.info("metrics written to %s", path)
