"""End to end on the replica's OneCMS edition: the publisher on baohaiphong.vn today.

Real crawls (``scrapy crawl baohaiduong -s NEWSBOT_HOST=baohaiphong.vn``) of both
domains served on loopback, with the platform's firewall answering 10% of requests
403 at random: every article stored once and equal to the ground truth; a second
run reading only what can have changed (counted on the replica's request log);
``-a since`` reading exactly the day files from that day; and a store filled from
the legacy edition keeping one row per article when the articles move.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from replica.crawl import field_differences, run_crawl
from replica.generator import SECTIONS
from replica.onecms import NEW, OLD, OneCMSReplica, onecms_slug
from replica.server import Replica
from tests.spiders.crawling import stored_articles

SEED = 1
LEGACY_ARTICLES = 60


def _settings(replica: OneCMSReplica, **extra: str) -> dict[str, str]:
    return {
        "NEWSBOT_HOST": NEW,
        "NEWSBOT_ORIGINS": replica.origins_setting,
        "NEWSBOT_RETRY_BACKOFF": "0.02",
        **extra,
    }


def _crawl(replica: OneCMSReplica, store: Path, workdir: Path, *args: str) -> Any:
    result = run_crawl(
        replica.origins[NEW], store, workdir, *args, settings=_settings(replica), timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def _by_id(records: list[dict[str, Any]]) -> Counter[str]:
    return Counter(r["source_id"] for r in records)


@pytest.fixture(scope="module")
def firewalled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """One full crawl of the edition behind a 10% firewall, then a second run."""
    workdir = tmp_path_factory.mktemp("onecms")
    with OneCMSReplica(LEGACY_ARTICLES, SEED, days=10, firewall=0.10) as replica:
        first = _crawl(replica, workdir / "store.db", workdir)
        records = stored_articles(str(workdir / "store.db"))
        first_log = replica.requests()
        replica.clear_request_log()
        second = _crawl(replica, workdir / "store.db", workdir)
        yield {
            "replica": replica,
            "first": first,
            "records": records,
            "first_log": first_log,
            "second": second,
            "second_log": replica.requests(),
            "after_second": stored_articles(str(workdir / "store.db")),
        }


def test_every_article_stored_once_equal_to_ground_truth(firewalled: dict[str, Any]):
    truth = firewalled["replica"].ground_truth()
    records = firewalled["records"]
    assert field_differences(truth, records) == []
    assert len(records) == len(truth)
    assert max(_by_id(records).values()) == 1
    assert {r["url"].split("/")[2] for r in records} == {NEW}


def test_articles_met_under_both_domains_are_one_row_with_aliases(firewalled: dict[str, Any]):
    truth = {r["url"]: r for r in firewalled["replica"].ground_truth()}
    records = {r["url"]: r for r in firewalled["records"]}
    expected = {u: r["aliases"] for u, r in truth.items() if r.get("aliases")}
    assert expected, "the edition links some migrated articles under their old URL"
    got = {u: r.get("aliases") for u, r in records.items() if r.get("aliases")}
    assert got == expected
    # They were met on the old domain: its 301s were followed, never stored apart.
    redirects = [e for e in firewalled["first_log"] if e.domain == OLD and e.status == 301]
    assert redirects


def test_firewall_403s_retried_counted_apart_and_nothing_lost(firewalled: dict[str, Any]):
    first = firewalled["first"]
    blocked = [e for e in firewalled["first_log"] if e.status == 403]
    assert len(blocked) >= 10, "the replica's firewall blocked nothing: the test tests nothing"
    assert first.stat("newsbot/firewall_403/retried") == len(blocked)
    assert first.stat("newsbot/firewall_403/given_up") == 0
    assert first.summary.get("errors") == []


def test_second_run_reads_only_what_can_change(firewalled: dict[str, Any]):
    replica: OneCMSReplica = firewalled["replica"]
    today = datetime.now(replica.edition.now.tzinfo).date()
    live = {today, today - timedelta(days=1)}
    expected = {
        "/robots.txt",
        "/",
        "/rss/tin-moi-nhat.rss",
        "/sitemap.xml",
        "/sitemap-news.xml",
        *(f"/sitemap-article-{d.isoformat()}.xml" for d in live if d >= replica.edition.launch),
        *(f"/{onecms_slug(s)}" for s in SECTIONS),
    }
    log = firewalled["second_log"]
    assert {e.domain for e in log} == {NEW}
    paths = {e.path for e in log}
    assert paths == expected
    # Each page once, apart from a firewall 403 and its retry.
    twice = [p for p, n in Counter(e.path for e in log if e.status != 403).items() if n > 1]
    assert twice == []
    assert _by_id(firewalled["after_second"]) == _by_id(firewalled["records"])


def test_since_reads_the_day_files_from_that_day_on(tmp_path: Path):
    since = date(2026, 5, 1)
    with OneCMSReplica(LEGACY_ARTICLES, SEED, days=10, launch=date(2026, 4, 20)) as replica:
        _crawl(replica, tmp_path / "store.db", tmp_path, f"since={since.isoformat()}")
        read = {
            date.fromisoformat(e.path[len("/sitemap-article-") : -4])
            for e in replica.requests()
            if e.path.startswith("/sitemap-article-2")
        }
        files = set(replica.edition.day_files())
    assert read == {d for d in files if d >= since}
    assert min(files) < since  # older files exist, and none was read


def test_an_old_url_met_after_its_article_was_stored_becomes_an_alias(tmp_path: Path):
    """A first run that reads the day files only stores the articles under their new
    URL without meeting every old one; the next run that meets an old URL adds it to
    the stored record's aliases (one fetch of the article), so the store ends equal to
    the ground truth, aliases included."""
    store = tmp_path / "store.db"
    with OneCMSReplica(LEGACY_ARTICLES, SEED, days=10) as replica:
        _crawl(replica, store, tmp_path / "since", "since=2023-01-01")
        partial = stored_articles(str(store))
        assert 0 < len(partial) < len(replica.ground_truth())
        second = _crawl(replica, store, tmp_path / "full")
        truth = replica.ground_truth()
    records = stored_articles(str(store))
    assert field_differences(truth, records) == []
    assert second.stat("newsbot/refetched/alias") >= 1


def test_store_from_the_legacy_edition_keeps_one_row_when_articles_move(tmp_path: Path):
    store = tmp_path / "store.db"
    with Replica(LEGACY_ARTICLES, SEED) as legacy:
        result = run_crawl(legacy.origin, store, tmp_path / "legacy", timeout=300)
        assert result.returncode == 0, result.stderr[-3000:]
    before = stored_articles(str(store))
    assert before and all(r["url"].split("/")[2] == OLD for r in before)
    with OneCMSReplica(LEGACY_ARTICLES, SEED, days=5) as replica:
        _crawl(replica, store, tmp_path / "onecms")
        truth = replica.ground_truth()
        # Met on the new domain: the articles its day files list (hidden ones are only
        # linked, under their old URL, and stay where they are stored).
        listed = {replica.edition.stories[i].meta.source_id for i in replica.edition.listed}
    after = stored_articles(str(store))
    assert max(_by_id(after).values()) == 1
    assert len(after) == len(truth)
    moved = {r["source_id"]: r for r in after if r["source_id"] in _by_id(before)}
    assert len(moved) == len(before)
    met = [old for old in before if old["source_id"] in listed]
    assert len(met) > len(before) / 2
    for old in met:
        row = moved[old["source_id"]]
        assert row["url"].split("/")[2] == NEW, row["url"]
        assert old["url"] in (row.get("aliases") or []), row["url"]
        assert row["first_seen_at"] == old["first_seen_at"]  # the same row, moved
