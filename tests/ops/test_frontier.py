"""The shared frontier: two worker processes, one Redis, one PostgreSQL, one crawl.

Real parts throughout: scrapy-redis's scheduler on the Redis at 127.0.0.1:6379 (a key
prefix per test, deleted after), a PostgreSQL database per test, the replica over
HTTP, and the real spider in two `scrapy crawl` processes.
"""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path

import pytest

from newsbot.store import open_store
from replica.server import Replica
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
    origin: str, dsn: str, work: Path, url: str, prefix: str, name: str, *args: str, **extra: str
) -> subprocess.Popen:
    work.mkdir(parents=True, exist_ok=True)
    cmd = crawl_command(
        origin, dsn, work, *args, settings=fleet_settings(url, prefix, name, **extra)
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
    # One fetch per article for the whole fleet: the duplicate filter is shared.
    assert len(fetched) == len(set(fetched)) == len(truth)
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


def test_second_run_refetches_recent_articles_only(fleet_services, tmp_path):
    url, prefix, dsn = fleet_services
    with Replica(60, 9) as replica:
        first = [tmp_path / "a1", tmp_path / "a2"]
        wait_all([start_worker(replica.origin, dsn, w, url, prefix, w.name) for w in first], first)
        replica.clear_request_log()
        second = [tmp_path / "b1", tmp_path / "b2"]
        # Every article of the replica is recent with refresh_days large: all refetched,
        # which only works if the first run's fingerprints are gone.
        wait_all(
            [
                start_worker(
                    replica.origin, dsn, w, url, prefix, w.name, NEWSBOT_REFRESH_DAYS="100000"
                )
                for w in second
            ],
            second,
        )
        truth = replica.ground_truth()
        paths = {urlpath(t["url"]) for t in truth}
        refetched = [e.path for e in replica.request_log if e.path in paths]
        replica.clear_request_log()
        third = [tmp_path / "c1"]
        wait_all(
            [
                start_worker(replica.origin, dsn, w, url, prefix, w.name, NEWSBOT_REFRESH_DAYS="0")
                for w in third
            ],
            third,
        )
        none_refetched = [e.path for e in replica.request_log if e.path in paths]
    assert sorted(refetched) == sorted(paths)
    assert none_refetched == []
    assert [r["status"] for r in runs(dsn)] == ["finished"] * 3


def test_killing_a_worker_loses_nothing(fleet_services, tmp_path):
    url, prefix, dsn = fleet_services
    with Replica(200, 10) as replica:
        slow = {"CONCURRENT_REQUESTS": "2", "DOWNLOAD_DELAY": "0.02", "NEWSBOT_STORE_BATCH": "5"}
        works = [tmp_path / "k1", tmp_path / "k2"]
        victim = start_worker(replica.origin, dsn, works[0], url, prefix, "k1", **slow)
        survivor = start_worker(replica.origin, dsn, works[1], url, prefix, "k2", **slow)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and len(replica.request_log) < 80:
            time.sleep(0.1)
        assert victim.poll() is None, "the worker ended before it could be killed"
        victim.send_signal(signal.SIGKILL)
        victim.wait()
        wait_all([survivor], works[1:])
        after_kill = {r["url"] for r in stored_articles(dsn)}
        # The run says a worker was lost, so the next run walks every listing again.
        assert runs(dsn)[0]["status"] == "worker_lost"
        rerun = [tmp_path / "k3"]
        wait_all([start_worker(replica.origin, dsn, rerun[0], url, prefix, "k3")], rerun)
        truth = replica.ground_truth()
    got = stored_articles(dsn)
    assert len(got) == len({r["url"] for r in got}) == len(truth)
    assert field_differences(truth, got) == []
    assert 0 < len(after_kill) <= len(truth)
    assert runs(dsn)[0]["status"] == "finished"


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
    # The fleet as a whole, not each worker, keeps to the delay (a little slack for
    # the time between a reserved slot and the request reaching the replica).
    assert min(gaps) >= delay * 0.85, gaps
