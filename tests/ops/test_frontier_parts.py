"""The frontier's parts on a real Redis, without crawling: the add-on, the fleet run's
join/leave protocol, the shared pool and the fleet-wide host slot."""

from __future__ import annotations

import time

import pytest
from scrapy import Spider
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from newsbot.scale.frontier import FleetRun, Frontier, redis_client
from tests.services import redis_or_skip

pytestmark = pytest.mark.services


@pytest.fixture
def redis_prefix():
    url, prefix, cleanup = redis_or_skip("newsbot-parts")
    yield url, prefix
    cleanup()


class Site(Spider):
    name = "somesite"


def worker(url: str, prefix: str, name: str, **extra):
    crawler = get_crawler(
        Site,
        {
            "NEWSBOT_FRONTIER": url,
            "NEWSBOT_FRONTIER_PREFIX": prefix,
            "NEWSBOT_WORKER": name,
            "NEWSBOT_FLEET_HEARTBEAT": 0.1,
            "NEWSBOT_FLEET_HEARTBEAT_TTL": 0.5,
            **extra,
        },
    )
    return FleetRun(crawler), crawler


def test_addon_switches_to_the_frontier_only_when_configured():
    plain = Settings({"DOWNLOADER_MIDDLEWARES": {}})
    Frontier().update_settings(plain)
    assert plain.get("SCHEDULER") != "newsbot.scale.frontier.FrontierScheduler"
    settings = Settings(
        {
            "NEWSBOT_FRONTIER": "redis://127.0.0.1:6379/0",
            "DOWNLOADER_MIDDLEWARES": {"newsbot.spiders.middlewares.PolitenessMiddleware": 120},
        }
    )
    Frontier().update_settings(settings)
    assert settings["SCHEDULER"] == "newsbot.scale.frontier.FrontierScheduler"
    assert settings["DUPEFILTER_CLASS"] == "newsbot.scale.frontier.FleetDupeFilter"
    assert settings.getfloat("MAX_IDLE_TIME_BEFORE_CLOSE") > 0
    middlewares = settings.getdict("DOWNLOADER_MIDDLEWARES")
    names = {k if isinstance(k, str) else f"{k.__module__}.{k.__qualname__}" for k in middlewares}
    assert "newsbot.scale.politeness.FleetPolitenessMiddleware" in names
    assert "newsbot.spiders.middlewares.PolitenessMiddleware" not in names


def test_one_pool_per_process(redis_prefix):
    url, _ = redis_prefix
    assert redis_client(url) is redis_client(url)


def test_first_worker_seeds_the_others_join_keys_per_site(redis_prefix):
    url, prefix = redis_prefix
    first, _ = worker(url, prefix, "a")
    second, _ = worker(url, prefix, "b")
    run = first.join("somesite")
    assert second.join("somesite") == run
    assert (first.seeder, second.seeder) == (True, False)
    other, _ = worker(url, prefix, "c")
    assert other.join("othersite") != run and other.seeder  # another site, another run
    assert first.queue_key == f"{prefix}:somesite:requests"
    assert first.key("seen") == f"{prefix}:somesite:run:{run}:seen"
    for fleet in (first, second, other):
        fleet.stop_beating()


def test_the_last_worker_out_records_the_merged_numbers(redis_prefix):
    url, prefix = redis_prefix
    (a, ca), (b, cb) = worker(url, prefix, "a"), worker(url, prefix, "b")
    a.join("somesite"), b.join("somesite")
    ca.stats.set_value("downloader/request_count", 10)
    ca.stats.set_value("newsbot/errors", [{"url": "u1", "reason": "HTTP 404", "kind": "fetch"}])
    cb.stats.set_value("downloader/request_count", 7)
    counts_a, counts_b = {"new": 4}, {"new": 3}
    assert a.leave(ca.stats.get_stats(), counts_a, []) is None  # b is still beating
    errors_b = [{"url": "u2", "reason": "write failed"}]
    fleet = b.leave(cb.stats.get_stats(), counts_b, errors_b)
    assert fleet["downloader/request_count"] == 17
    assert cb.stats.get_value("downloader/request_count") == 7  # its own stay its own
    assert counts_b == {"new": 7}
    assert fleet["newsbot/fleet/lost_workers"] == 0
    assert [e["url"] for e in fleet["newsbot/errors"]] == ["u1"]
    assert [e["url"] for e in errors_b] == ["u2"]
    client = redis_client(url)
    assert not list(client.scan_iter(match=f"{prefix}:somesite:run*"))  # all cleaned up


def test_a_silent_worker_is_counted_lost_and_does_not_block_the_record(redis_prefix):
    url, prefix = redis_prefix
    (a, ca), (b, _) = worker(url, prefix, "a"), worker(url, prefix, "b")
    a.join("somesite"), b.join("somesite")
    a.stop_beating(), b.stop_beating()
    time.sleep(0.3)  # b has missed beats (it "died") ...
    a.beat()
    started = time.monotonic()
    fleet = a.leave(ca.stats.get_stats(), {}, [])  # ... a waits it out, records the run
    assert fleet is not None and time.monotonic() - started < 2
    assert fleet["newsbot/fleet/lost_workers"] == 1


def test_a_run_whose_workers_all_died_is_replaced(redis_prefix):
    url, prefix = redis_prefix
    dead, _ = worker(url, prefix, "dead")
    old = dead.join("somesite")
    dead.stop_beating()
    time.sleep(0.7)
    fresh, _ = worker(url, prefix, "fresh")
    assert fresh.join("somesite") != old
    assert fresh.seeder and fresh.abandoned == old
    fresh.stop_beating()


def test_a_busy_worker_still_beats(redis_prefix):
    """Beats come from a thread: a worker whose reactor is held up longer than the
    heartbeat TTL (here: no reactor at all) is alive, and a joiner joins its run."""
    url, prefix = redis_prefix
    busy, _ = worker(url, prefix, "busy")
    run = busy.join("somesite")
    time.sleep(3 * busy.ttl)
    joiner, _ = worker(url, prefix, "joiner")
    try:
        assert joiner.join("somesite") == run and not joiner.seeder
        assert joiner.abandoned is None
    finally:
        busy.stop_beating(), joiner.stop_beating()


def test_the_host_slot_spaces_every_worker(redis_prefix):
    url, prefix = redis_prefix
    from newsbot.scale.politeness import FleetPolitenessMiddleware

    settings = {"NEWSBOT_FRONTIER": url, "NEWSBOT_FRONTIER_PREFIX": prefix}
    one = FleetPolitenessMiddleware(get_crawler(Site, settings))
    two = FleetPolitenessMiddleware(get_crawler(Site, settings))
    waits = [m.reserve("example.test", 0.5) for m in (one, two, one, two)]
    # Four reservations for one host, from two workers, in a row: 0, 0.5, 1.0, 1.5 s.
    assert waits[0] < 0.05
    for i, wait in enumerate(waits[1:], start=1):
        assert wait == pytest.approx(0.5 * i, abs=0.05)
    assert one.reserve("other.test", 0.5) < 0.05  # hosts are independent


def test_scheduler_queues_once_per_fingerprint_and_takes_requests_in_batches(redis_prefix):
    """One round trip marks a request seen and queues it; pops come POP_BATCH at a
    time, highest priority first; what a closing worker took but did not send goes
    back to the shared queue."""
    from scrapy import Request

    from newsbot.scale.frontier import POP_BATCH, BatchPriorityQueue, FrontierScheduler

    url, prefix = redis_prefix
    fleet, crawler = worker(
        url,
        prefix,
        "w1",
        SCHEDULER_QUEUE_CLASS=f"{BatchPriorityQueue.__module__}.BatchPriorityQueue",
    )
    crawler.get_extension = lambda cls: fleet  # no engine here: the run is this one
    spider = Site()
    spider.crawler = crawler
    scheduler = FrontierScheduler.from_crawler(crawler)
    scheduler.open(spider)
    server = redis_client(url)
    try:
        requests = [Request(f"http://example.test/{n}", priority=n) for n in range(POP_BATCH + 4)]
        assert all(scheduler.enqueue_request(r) for r in requests)
        # The same URLs again, and one the fingerprinter calls equal: not queued.
        assert not any(scheduler.enqueue_request(r.replace()) for r in requests)
        assert scheduler.enqueue_request(Request("http://example.test/0", dont_filter=True))
        assert server.zcard(fleet.queue_key) == len(requests) + 1
        first = scheduler.next_request()
        assert first.url == f"http://example.test/{POP_BATCH + 3}"  # highest priority
        # One pop took a batch: the shared queue lost POP_BATCH, this worker holds the rest.
        assert server.zcard(fleet.queue_key) == len(requests) + 1 - POP_BATCH
        assert len(scheduler.queue) == len(requests)
        scheduler.close("finished")
        assert server.zcard(fleet.queue_key) == len(requests)
        left = [scheduler.next_request().url for _ in range(len(requests))]
        assert left[0] == f"http://example.test/{POP_BATCH + 2}"
        assert sorted(left) == sorted([r.url for r in requests[:-1]] + ["http://example.test/0"])
    finally:
        fleet.leave({}, {}, [])


def test_a_page_asked_for_closer_to_a_listing_is_queued_again(redis_prefix):
    """Worker A met an article three related hops out (its links not followed there);
    worker B meets it on a listing. The shared filter used to drop B's request, and the
    article's related links were never followed: hidden articles went missing."""
    from scrapy import Request

    from newsbot.crawl.policy import HOP
    from newsbot.scale.frontier import BatchPriorityQueue, FrontierScheduler

    url, prefix = redis_prefix
    fleet, crawler = worker(
        url,
        prefix,
        "w1",
        SCHEDULER_QUEUE_CLASS=f"{BatchPriorityQueue.__module__}.BatchPriorityQueue",
    )
    crawler.get_extension = lambda cls: fleet
    spider = Site()
    spider.crawler = crawler
    scheduler = FrontierScheduler.from_crawler(crawler)
    scheduler.open(spider)
    crawler.stats.open_spider()
    page = "http://example.test/bai-viet-1"
    try:
        assert scheduler.enqueue_request(Request(page, meta={HOP: 3}))
        assert not scheduler.enqueue_request(Request(page, meta={HOP: 3}))  # as deep
        assert not scheduler.enqueue_request(Request(page, meta={HOP: 4}))  # deeper
        assert scheduler.enqueue_request(Request(page, meta={HOP: 0}))  # closer: again
        assert not scheduler.enqueue_request(Request(page, meta={HOP: 1}))
        assert not scheduler.enqueue_request(Request(page))  # no hop: a plain duplicate
        assert crawler.stats.get_value("newsbot/fleet/asked_again_closer") == 1
        hops = [scheduler.next_request().meta[HOP] for _ in range(2)]
        assert sorted(hops) == [0, 3]
        # A request without hops (a listing) is filtered once, as before.
        assert scheduler.enqueue_request(Request("http://example.test/chuyen-muc/x"))
        assert not scheduler.enqueue_request(Request("http://example.test/chuyen-muc/x"))
        assert scheduler.df.request_seen(Request("http://example.test/chuyen-muc/x"))
        assert not scheduler.df.request_seen(Request("http://example.test/new"))
    finally:
        fleet.leave({}, {}, [])
