"""The shared frontier: two worker processes, one Redis, one PostgreSQL, one crawl.

Real parts throughout: scrapy-redis's scheduler on the Redis at 127.0.0.1:6379 (a key
prefix per test, deleted after), a PostgreSQL database per test, the replicas over
HTTP (baohaiduong, and the second portal vidu), and the real spiders in `scrapy crawl`
processes: two per site for the two-site fleet.
"""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path

import pytest

from newsbot.record import RECORD_FIELDS
from newsbot.store import open_store
from replica.server import Replica
from replica.vidu import TRUTH_FIELDS as VIDU_FIELDS
from replica.vidu import Vidu
from tests.services import pg_dsn_or_skip, redis_or_skip
from tests.spiders.crawling import ROOT, crawl_command, field_differences, stored_articles

pytestmark = [pytest.mark.e2e, pytest.mark.services]


@pytest.fixture
def fleet_services():
    url, prefix, clean_redis = redis_or_skip("newsbot-fleet")
    dsn, drop_db = pg_dsn_or_skip("newsbot_fleet")
    try:
        yield url, prefix, dsn
    finally:
        clean_redis()
        drop_db()


def fleet_settings(url: str, prefix: str, worker: str, **extra: str) -> dict[str, str]:
    return {
        "NEWSBOT_FRONTIER": url,
        "NEWSBOT_FRONTIER_PREFIX": prefix,
        "NEWSBOT_WORKER": worker,
        "MAX_IDLE_TIME_BEFORE_CLOSE": "4",
        "NEWSBOT_FLEET_HEARTBEAT": "0.5",
        "NEWSBOT_FLEET_HEARTBEAT_TTL": "2",
        **extra,
    }


def start_worker(
    origin: str,
    dsn: str,
    work: Path,
    url: str,
    prefix: str,
    name: str,
    *args: str,
    spider: str = "baohaiduong",
    **extra: str,
) -> subprocess.Popen:
    work.mkdir(parents=True, exist_ok=True)
    cmd = crawl_command(
        origin, dsn, work, *args, settings=fleet_settings(url, prefix, name, **extra), spider=spider
    )
    log = (work / "stderr.log").open("w")
    return subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log)


def wait_all(procs: list[subprocess.Popen], works: list[Path], timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    for proc, work in zip(procs, works, strict=True):
        try:
            proc.wait(timeout=max(1.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            for p in procs:
                p.kill()
            pytest.fail(f"a worker did not finish: {(work / 'stderr.log').read_text()[-3000:]}")
        assert proc.returncode == 0, (work / "stderr.log").read_text()[-3000:]


def runs(dsn: str) -> list[dict]:
    store = open_store(dsn)
    try:
        return store.recent_runs("baohaiduong", limit=50)
    finally:
        store.close()


def test_two_workers_share_one_crawl_and_record_one_run(fleet_services, tmp_path):
    url, prefix, dsn = fleet_services
    with Replica(120, 8) as replica:
        works = [tmp_path / "w1", tmp_path / "w2"]
        procs = [
            start_worker(replica.origin, dsn, works[0], url, prefix, "w1"),
            start_worker(replica.origin, dsn, works[1], url, prefix, "w2"),
        ]
        wait_all(procs, works)
        truth = replica.ground_truth()
        article_paths = {p for p in (urlpath(t["url"]) for t in truth)}
        fetched = [e.path for e in replica.request_log if e.path in article_paths]
    got = stored_articles(dsn)
    urls = [r["url"] for r in got]
    assert len(urls) == len(set(urls)) == len(truth)
    assert field_differences(truth, got) == []
    # One fetch per article for the whole fleet: the duplicate filter is shared. The
    # exception: a page one worker asked for at the related-link limit and the other
    # then met closer to a listing is asked for again (its links are followed then).
    summaries = [json.loads((w / "summary.json").read_text()) for w in works]
    again = sum(s["stats"].get("newsbot/fleet/asked_again_closer", 0) for s in summaries)
    assert len(set(fetched)) == len(truth)
    assert len(fetched) <= len(truth) + again
    logs = [(w / "stderr.log").read_text() for w in works]
    assert sum("seeds it" in log for log in logs) == 1, "exactly one worker seeds"
    assert all("fleet run" in log for log in logs)
    (run,) = runs(dsn)
    assert run["status"] == "finished"
    # Recorded once, with both workers' counts.
    assert run["counts"]["new"] + run["counts"]["duplicates"] == len(truth)
    # Each worker's own summary is written before the run is merged.
    both = sum(json.loads((w / "summary.json").read_text())["requests"] for w in works)
    assert run["counts"]["requests"] == both


def urlpath(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).path


# --- two sites, two workers -----------------------------------------------------------
#
# What an operator does: on each machine (here a worker name, w1 and w2), one
# `scrapy crawl <site>` per site, all started at once. Each site's processes form that
# site's fleet run; one Redis and one PostgreSQL serve both sites.

SITES = ("baohaiduong", "vidu")


class TwoSites:
    """The baohaiduong replica and the vidu portal, served at once, with their truths."""

    def __init__(self, baohaiduong: int, vidu: int, seed: int) -> None:
        self.replica = Replica(baohaiduong, seed)
        self.vidu = Vidu(vidu, seed + 1)

    def __enter__(self) -> TwoSites:
        self.replica.start()
        self.vidu.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.vidu.stop()
        self.replica.stop()

    def origin(self, site: str) -> str:
        return self.replica.origin if site == "baohaiduong" else self.vidu.origin

    def truth(self, site: str) -> list[dict]:
        return self.replica.ground_truth() if site == "baohaiduong" else self.vidu.ground_truth()

    def unlisted(self, site: str) -> set[str]:
        """Source ids of articles reachable only by related links."""
        return set(self.replica.hidden_ids) if site == "baohaiduong" else set()

    def fields(self, site: str) -> tuple[str, ...]:
        return tuple(RECORD_FIELDS) if site == "baohaiduong" else VIDU_FIELDS

    def served(self, site: str) -> list[str]:
        """Paths requested from the site so far."""
        if site == "baohaiduong":
            return [e.path for e in self.replica.request_log]
        return [urlpath(p) for p in list(self.vidu.requests)]

    def clear(self) -> None:
        self.replica.clear_request_log()
        self.vidu.requests.clear()

    def fetched_articles(self, site: str) -> list[str]:
        paths = {urlpath(t["url"]) for t in self.truth(site)}
        return [p for p in self.served(site) if p in paths]


def start_machine(
    sites: TwoSites,
    dsn: str,
    work: Path,
    url: str,
    prefix: str,
    per_site: dict[str, dict[str, str]] | None = None,
    **extra: str,
) -> list[subprocess.Popen]:
    """Worker ``work.name``: one crawl process per site."""
    return [
        start_worker(
            sites.origin(site),
            dsn,
            work / site,
            url,
            prefix,
            work.name,
            spider=site,
            **{**extra, **(per_site or {}).get(site, {})},
        )
        for site in SITES
    ]


def run_machines(
    sites: TwoSites,
    dsn: str,
    works: list[Path],
    url: str,
    prefix: str,
    per_site: dict[str, dict[str, str]] | None = None,
    **extra: str,
) -> None:
    procs = [start_machine(sites, dsn, w, url, prefix, per_site, **extra) for w in works]
    wait_all([p for ps in procs for p in ps], [w / s for w in works for s in SITES])


def asked_again(works: list[Path], site: str) -> int:
    """Pages the fleet asked for again, closer to a listing (see the one-site test)."""
    total = 0
    for work in works:
        summary = json.loads((work / site / "summary.json").read_text())
        total += summary["stats"].get("newsbot/fleet/asked_again_closer", 0)
    return total


def site_runs(dsn: str, site: str) -> list[dict]:
    store = open_store(dsn)
    try:
        return store.recent_runs(site, limit=50)
    finally:
        store.close()


def refresh_days(truth: list[dict], unlisted: set[str]) -> tuple[float, set[str]]:
    """A refresh period (days) making a site's newest few articles recent, and their URLs.

    An incremental run refetches the recent articles it meets on the first pages of
    listings and in feeds (paging stops at a page of stored articles), so the recent
    ones are kept among the newest eight, none of them reachable only by related
    links (``unlisted`` source ids). The cut is in the widest gap between two
    publication times there, so the minutes a test takes cannot move an article
    across it.
    """
    from datetime import UTC, datetime

    dated = sorted(
        ((datetime.fromisoformat(t["published_at"]), t["url"], t["source_id"]) for t in truth),
        reverse=True,
    )
    cuts = [i for i in range(1, 8) if not {d[2] for d in dated[: i + 1]} & unlisted]
    gap, cut = max((dated[i][0] - dated[i + 1][0], i) for i in cuts)
    assert gap.total_seconds() > 3600, "no clear cut between recent and old articles"
    middle = dated[cut + 1][0] + gap / 2
    days = (datetime.now(UTC) - middle).total_seconds() / 86400
    return days, {d[1] for d in dated[: cut + 1]}


def test_two_workers_crawl_two_sites_and_a_second_run_refetches_recent_only(
    fleet_services, tmp_path
):
    url, prefix, dsn = fleet_services
    with TwoSites(60, 40, 9) as sites:
        first = [tmp_path / "a" / "w1", tmp_path / "a" / "w2"]
        run_machines(sites, dsn, first, url, prefix)
        once = {site: sites.fetched_articles(site) for site in SITES}
        after_first = stored_articles(dsn)
        truths = {site: sites.truth(site) for site in SITES}
        windows = {site: refresh_days(truths[site], sites.unlisted(site)) for site in SITES}
        recent = set().union(*(urls for _, urls in windows.values()))
        sites.clear()
        second = [tmp_path / "b" / "w1", tmp_path / "b" / "w2"]
        refresh = {s: {"NEWSBOT_REFRESH_DAYS": f"{d:.6f}"} for s, (d, _) in windows.items()}
        run_machines(sites, dsn, second, url, prefix, refresh)
        refetched = {site: sites.fetched_articles(site) for site in SITES}
    got = stored_articles(dsn)
    for site in SITES:
        truth, mine = truths[site], [r for r in got if r["site"] == site]
        urls = [r["url"] for r in mine]
        # Every article of both sites stored once, as the portal states it.
        assert len(urls) == len(set(urls)) == len(truth), site
        assert field_differences(truth, mine, sites.fields(site)) == [], site
        # One fetch per article for the whole fleet in the first run (but for pages
        # asked for again closer to a listing).
        assert len(set(once[site])) == len(truth), site
        assert len(once[site]) <= len(truth) + asked_again(first, site), site
        # The second run's fingerprints are its own: the recent articles are fetched
        # again (once), the older ones not at all.
        want = sorted(urlpath(t["url"]) for t in truth if t["url"] in recent)
        assert sorted(set(refetched[site])) == want, (site, set(want) ^ set(refetched[site]))
        assert len(refetched[site]) <= len(want) + asked_again(second, site), site
        # One run recorded per site and fleet run, with both workers' counts.
        second_run, first_run = site_runs(dsn, site)
        assert first_run["status"] == second_run["status"] == "finished", site
        counts = first_run["counts"]
        assert counts["new"] + counts["duplicates"] == len(truth), (site, counts)
        requests = [json.loads((w / site / "summary.json").read_text())["requests"] for w in first]
        assert first_run["counts"]["requests"] == sum(requests), site
        logs = [(w / site / "stderr.log").read_text() for w in first]
        assert sum("seeds it" in log for log in logs) == 1, f"{site}: exactly one seeder"
    assert 0 < len(recent) < sum(len(t) for t in truths.values())
    assert len(after_first) == len(got)


def test_killing_a_worker_loses_nothing(fleet_services, tmp_path):
    """Worker k1 (its crawl of each site) is killed mid-run; k2 finishes the queue, the
    runs say a worker was lost, and k2's next run stores whatever was still missing."""
    url, prefix, dsn = fleet_services
    with TwoSites(160, 80, 10) as sites:
        slow = {"CONCURRENT_REQUESTS": "2", "DOWNLOAD_DELAY": "0.02", "NEWSBOT_STORE_BATCH": "5"}
        victim = start_machine(sites, dsn, tmp_path / "k1", url, prefix, **slow)
        survivor = start_machine(sites, dsn, tmp_path / "k2", url, prefix, **slow)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and (
            len(sites.served("baohaiduong")) < 60 or len(sites.served("vidu")) < 30
        ):
            time.sleep(0.1)
        assert all(p.poll() is None for p in victim), "a crawl ended before it could be killed"
        for proc in victim:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        wait_all(survivor, [tmp_path / "k2" / s for s in SITES])
        after_kill = stored_articles(dsn)
        # The runs say a worker was lost, so the next run walks every listing again.
        for site in SITES:
            assert site_runs(dsn, site)[0]["status"] == "worker_lost", site
        run_machines(sites, dsn, [tmp_path / "k3"], url, prefix)
        truths = {site: sites.truth(site) for site in SITES}
    got = stored_articles(dsn)
    for site in SITES:
        mine = [r for r in got if r["site"] == site]
        assert len(mine) == len({r["url"] for r in mine}) == len(truths[site]), site
        assert field_differences(truths[site], mine, sites.fields(site)) == [], site
        assert site_runs(dsn, site)[0]["status"] == "finished", site
        assert 0 < len([r for r in after_kill if r["site"] == site]) <= len(truths[site])


def test_fleet_keeps_the_crawl_delay_for_all_workers_together(fleet_services, tmp_path):
    url, prefix, dsn = fleet_services
    delay = 0.3
    with Replica(30, 4, crawl_delay=delay) as replica:
        works = [tmp_path / "p1", tmp_path / "p2"]
        args = ("discover=feeds", "max_articles=12", "related_depth=0")
        # One request in flight per worker: neither can take the whole queue into its
        # own downloader, so both send to the host during the run.
        one = {"CONCURRENT_REQUESTS": "1", "CONCURRENT_REQUESTS_PER_DOMAIN": "1"}
        procs = [
            start_worker(replica.origin, dsn, w, url, prefix, w.name, *args, **one) for w in works
        ]
        wait_all(procs, works)
        log = [e for e in replica.request_log if e.path != "/robots.txt"]
        times = sorted(e.time for e in log)
    assert len(times) >= 10
    served = [json.loads((w / "summary.json").read_text())["requests"] for w in works]
    assert min(served) >= 3, served  # both workers really fetched
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    # The fleet as a whole, not each worker, keeps to the delay: the slots are reserved
    # one delay apart, so the requests span at least that many delays (two workers each
    # keeping its own delay would send twice as fast). A single gap can be a little
    # short when one request left its worker late on a loaded machine and the next on
    # time; never two requests at once.
    assert times[-1] - times[0] >= (len(times) - 1) * delay * 0.95, gaps
    assert min(gaps) >= delay * 0.5, gaps
