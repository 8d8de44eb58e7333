"""newsbot stats: volume, latency and the coverage health check."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from newsbot.store.stats import coverage_ok, format_stats, stats_report
from tests.store.factories import article


def iso(dt):
    return dt.isoformat(timespec="seconds")


def test_report_counts_and_latency(store):
    now = datetime.now(UTC).replace(microsecond=0)
    records = []
    # Latencies of 10, 20, ..., 100 minutes between publication and first fetch.
    for n in range(1, 11):
        published = now - timedelta(hours=5)
        records.append(
            article(
                n,
                body=f"Bài {n} khác {n * 13}",
                section="Kinh tế" if n <= 4 else "Xã hội",
                published_at=iso(published.astimezone(UTC)),
                _fetched_at=iso(published + timedelta(minutes=10 * n)),
            )
        )
    store.write_batch(records, "run-1")
    report = stats_report(store, days=30)
    assert report["articles"] == 10
    day = records[0]["published_at"][:10]
    assert {(r["section"], r["day"], r["count"]) for r in report["per_section_day"]} == {
        ("Kinh tế", day, 4),
        ("Xã hội", day, 6),
    }
    assert report["latency"] == {"count": 10, "median_s": 3000.0, "p95_s": 6000.0}
    assert report["coverage"] is None and coverage_ok(report)
    assert "median 50.0 min, p95 1.7 h" in format_stats(report)


RUN = {"counts": {"seen": 20}, "provenance": {"body": {"layout:legacy": 19}}}


@pytest.mark.parametrize(
    "coverage, ok",
    [
        pytest.param({"title": 1.0, "published_at": 1.0, "body": 0.95}, True, id="healthy"),
        pytest.param({"title": 1.0, "published_at": 1.0, "body": 0.9}, True, id="at-threshold"),
        pytest.param(
            {"title": 1.0, "published_at": 0.5, "body": 1.0}, False, id="date-selector-broke"
        ),
        pytest.param({"title": 1.0, "published_at": 1.0}, False, id="body-never-found"),
    ],
)
def test_coverage_of_last_run_with_items(store, coverage, ok):
    store.start_run("r1", "baohaiduong", {})
    store.finish_run("r1", "finished", RUN["counts"], coverage, RUN["provenance"], [])
    # A later incremental run with nothing new must not hide the broken one.
    store.start_run("r2", "baohaiduong", {})
    store.finish_run("r2", "finished", {"seen": 0}, {}, {}, [])
    report = stats_report(store)
    assert report["last_run"]["run_id"] == "r2"
    assert report["coverage_run"]["run_id"] == "r1"
    assert coverage_ok(report) is ok
    text = format_stats(report)
    assert ("coverage OK" in text) is ok
    assert "layout:legacy 19" in text


@pytest.mark.parametrize(
    "counts, coverage, judged, ok",
    [
        pytest.param(
            {"seen": 0, "article_pages": 100},
            {"title": 0.0, "published_at": 0.0, "body": 0.0},
            "r2",
            False,
            id="layout-break-no-item-parsed",
        ),
        pytest.param(
            {"seen": 0, "article_pages": 100}, {}, "r2", False, id="no-item-coverage-left-empty"
        ),
        pytest.param(
            {"seen": 2, "article_pages": 10},
            {"title": 0.2, "published_at": 0.2, "body": 0.2},
            "r2",
            False,
            id="two-of-ten-pages-parsed",
        ),
        pytest.param(
            {"seen": 0, "article_pages": 0}, {}, "r1", True, id="nothing-fetched-judges-older-run"
        ),
    ],
)
def test_article_pages_count_against_coverage(store, counts, coverage, judged, ok):
    healthy = {"title": 1.0, "published_at": 1.0, "body": 1.0}
    store.start_run("r1", "baohaiduong", {})
    store.finish_run("r1", "finished", {"seen": 20, "article_pages": 20}, healthy, {}, [])
    store.start_run("r2", "baohaiduong", {})
    store.finish_run("r2", "finished", counts, coverage, {}, [])
    report = stats_report(store)
    assert report["coverage_run"]["run_id"] == judged
    assert coverage_ok(report) is ok
    text = format_stats(report)
    assert ("coverage LOW" in text) is not ok
    if judged == "r2":
        pages = counts["article_pages"]
        assert f"({counts['seen']} items of {pages} article pages)" in text
