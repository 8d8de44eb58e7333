"""RunState (newsbot/pipelines/run.py): store target, coverage, args, reasons, run_stored.

Real Scrapy crawlers (``scrapy.utils.test.get_crawler``) on real stores of both engines.
"""

from __future__ import annotations

import asyncio
import json

import pytest
from scrapy import Spider
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from newsbot.pipelines import RunState, StorePipeline, run_stored, store_target
from newsbot.pipelines.publish import PublishPipeline
from newsbot.pipelines.run import run_starting
from newsbot.record import COVERAGE_FIELDS
from newsbot.store import DEFAULT_TARGET, StoreLocked, open_store
from newsbot.store.stats import coverage_ok, stats_report
from tests.pipelines.running import make_crawler, run_items
from tests.store.factories import article, wire


@pytest.mark.parametrize(
    "setting, env, expected",
    [
        pytest.param("-s/store.db", "env/store.db", "-s/store.db", id="setting-wins-over-env"),
        pytest.param(None, "env/store.db", "env/store.db", id="env-when-setting-empty"),
        pytest.param("", "env/store.db", "env/store.db", id="env-when-setting-blank"),
        pytest.param(None, None, DEFAULT_TARGET, id="default"),
    ],
)
def test_store_target(monkeypatch, setting, env, expected):
    if env is None:
        monkeypatch.delenv("NEWSBOT_STORE", raising=False)
    else:
        monkeypatch.setenv("NEWSBOT_STORE", env)
    settings = Settings({"NEWSBOT_STORE": setting} if setting is not None else {})
    assert store_target(settings) == expected


@pytest.mark.parametrize(
    "pages, parsed, title_share",
    [
        pytest.param(10, 2, 0.2, id="eight-pages-failed-to-parse"),
        pytest.param(100, 0, 0.0, id="total-layout-break-no-item"),
        pytest.param(0, 2, 1.0, id="spider-without-page-count"),
    ],
)
def test_pages_that_failed_to_parse_count_against_coverage(
    store_target, pages, parsed, title_share
):
    crawler = make_crawler(store_target)
    if pages:
        crawler.stats.set_value("newsbot/article_pages", pages)
        crawler.stats.set_value("newsbot/parse_errors/no_title", pages - parsed)
    run_items(crawler, [article(n, body=f"Bài {n} riêng biệt {n * 7}") for n in range(parsed)])
    with open_store(store_target) as store:
        run = store.last_run()
        assert run["counts"]["article_pages"] == pages
        assert run["counts"]["parse_errors"] == ({"no_title": pages - parsed} if pages else {})
        assert run["coverage"]["title"] == title_share
        assert run["coverage"]["body"] == title_share
        # Every coverage field is listed, found or not.
        assert set(COVERAGE_FIELDS) <= set(run["coverage"])
        report = stats_report(store)
    assert report["coverage_run"]["run_id"] == run["run_id"]
    assert coverage_ok(report) is (title_share >= 0.9)


class PlainSpider(Spider):
    """Sets a string attribute of its own that is not an argument."""

    name = "baohaiduong"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.site = "baohaiduong"


class ArgsSpider(PlainSpider):
    """Also keeps exactly its ``-a`` arguments in ``args``, like the portal spider."""

    def __init__(self, since: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.args = {k: v for k, v in {"since": since, **kwargs}.items() if v is not None}


@pytest.mark.parametrize(
    "spidercls, expected",
    [
        pytest.param(ArgsSpider, {"refresh": "recent"}, id="spider-args-dict"),
        pytest.param(
            PlainSpider,
            {"refresh": "recent", "site": "baohaiduong"},
            id="fallback-takes-scalar-attributes",
        ),
    ],
)
def test_run_records_spider_arguments_and_jobdir(store_target, tmp_path, spidercls, expected):
    jobdir = str(tmp_path / "job")
    crawler = make_crawler(store_target, spidercls, JOBDIR=jobdir)
    run_items(crawler, [article(1)])
    with open_store(store_target) as store:
        assert store.last_run()["args"] == {**expected, "JOBDIR": jobdir}


def test_store_write_failure_keeps_its_reason(store_target):
    crawler = make_crawler(store_target, NEWSBOT_STORE_BATCH=3)
    store_pipeline = StorePipeline.from_crawler(crawler)
    store_pipeline.open_spider()
    # Past validation (which would drop it), an unreadable date fails the write itself.
    bad = article(2, published_at="hôm qua")
    outcomes = []

    async def store_both():
        for record in (article(1), bad):
            try:
                outcomes.append((await store_pipeline.process_item(record))["version"])
            except DropItem as exc:
                outcomes.append(str(exc))

    asyncio.run(store_both())
    RunState.of(crawler).finish("finished")
    # Written at once (batch of 3 never fills: the deadline writes each in turn): the
    # stored one leaves with its bookkeeping, the failed one is dropped with the reason.
    assert outcomes[0] == 1
    assert outcomes[1].startswith(f"store_error: {bad['url']}: store write failed: ValueError")
    with open_store(store_target) as store:
        run = store.last_run()
    assert run["counts"]["store_errors"] == 1
    [error] = run["errors"]
    assert error["url"] == bad["url"]
    assert error["reason"].startswith("store write failed: ValueError: ")
    assert "hôm qua" in error["reason"]


@pytest.mark.parametrize(
    "first_run, second_run, counts",
    [
        pytest.param(
            [wire(2, "2024-04-02T08:00:00+07:00")],
            [wire(1, "2024-04-01T08:00:00+07:00")],
            (1, 1),
            id="original-found-a-run-after-its-copy",
        ),
        pytest.param(
            [],
            [wire(2, "2024-04-02T08:00:00+07:00"), wire(1, "2024-04-01T08:00:00+07:00")],
            (1, 1),
            id="copy-then-original-in-one-run",
        ),
        pytest.param(
            [],
            [wire(1, "2024-04-01T08:00:00+07:00"), wire(2, "2024-04-02T08:00:00+07:00")],
            (1, 1),
            id="original-then-copy-in-one-run",
        ),
    ],
)
def test_superseded_copy_counts_as_duplicate(store_target, first_run, second_run, counts):
    if first_run:
        run_items(make_crawler(store_target), first_run)
    crawler = make_crawler(store_target, NEWSBOT_STORE_BATCH=1)
    run_items(crawler, second_run)
    with open_store(store_target) as store:
        run = store.last_run()
        assert (run["counts"]["new"], run["counts"]["duplicates"]) == counts
        marked = store.query("SELECT COUNT(*) FROM articles WHERE duplicate_of IS NOT NULL")
    assert marked[0][0] == 1, "the store holds one duplicate, as counted"
    stats = crawler.stats
    assert stats.get_value("newsbot/stored/new", 0) == counts[0]
    assert stats.get_value("newsbot/stored/duplicate", 0) == counts[1]


def test_publish_runs_before_the_lock_is_released(store_target, tmp_path):
    feeds = tmp_path / "feeds"
    crawler = make_crawler(store_target, NEWSBOT_STORE_BATCH=2, NEWSBOT_FEEDS_DIR=str(feeds))
    seen_at_end: dict[str, object] = {}

    def check_while_finishing(run_id, store, reason) -> None:
        # Registered after the publish pipeline: runs right after it published.
        run_file = feeds / "runs" / f"{crawler.stats.get_value('newsbot/run_id')}.jsonl"
        seen_at_end["published"] = len(run_file.read_text(encoding="utf-8").splitlines())
        other = open_store(store_target)
        try:
            seen_at_end["status"] = other.last_run()["status"]
            with other.run_lock():
                seen_at_end["lock"] = "free"
        except StoreLocked:
            seen_at_end["lock"] = "held"
        finally:
            other.close()

    class Checker:
        @classmethod
        def from_crawler(cls, crawler):
            crawler.signals.connect(check_while_finishing, signal=run_stored)
            return cls()

        def process_item(self, item):
            return item

    items = [article(n, body=f"Bài {n} riêng biệt {n * 7}") for n in range(1, 4)]
    run_items(crawler, items, extra=[PublishPipeline, Checker])
    # Three items in batches of two: the last one is written on close, and published.
    assert seen_at_end == {"published": 3, "status": "running", "lock": "held"}
    assert crawler.stats.get_value("newsbot/published_records") == 3
    index = json.loads((feeds / "index.json").read_text(encoding="utf-8"))
    assert index["last_run"]["count"] == 3
    with open_store(store_target) as store:
        assert store.last_run()["status"] == "finished"
        with store.run_lock():
            pass  # released once the run is recorded


def test_run_state_is_the_crawlers_extension_and_none_without_the_addon(store_target):
    crawler = make_crawler(store_target)
    state = RunState.of(crawler)
    assert crawler.get_extension(RunState) is state
    assert StorePipeline.from_crawler(crawler).state is state
    assert RunState.of(make_crawler(store_target)) is not state, "one per crawler"
    bare = get_crawler(Spider, {"NEWSBOT_STORE": store_target})
    with pytest.raises(NotConfigured, match="ADDONS"):
        StorePipeline.from_crawler(bare)


def test_a_fleet_registers_itself_and_its_run_stands_for_the_store_lock(store_target):
    """The run state knows a fleet only by what it registers on ``run_starting``."""
    crawler = make_crawler(store_target)
    calls: list[tuple[str, object]] = []

    class Fleet:
        seeder = True

        def join(self, site: str) -> str:
            calls.append(("join", site))
            return "fleet-run-1"

        def leave(self, stats, counts, errors):
            calls.append(("leave", counts["new"]))
            return {**stats, "newsbot/fleet/lost_workers": 0}

    fleet = Fleet()

    def register(run) -> None:
        run.fleet = fleet

    lock_during_run: list[str] = []

    def try_the_lock(run_id, store, reason) -> None:
        other = open_store(store_target)
        try:
            with other.run_lock("baohaiduong"):
                lock_during_run.append("free")
        except StoreLocked:
            lock_during_run.append("held")
        finally:
            other.close()

    crawler.signals.connect(register, signal=run_starting)
    crawler.signals.connect(try_the_lock, signal=run_stored)
    run_items(crawler, [article(1, body="Bài một của đội")])

    assert calls == [("join", "baohaiduong"), ("leave", 1)]
    assert lock_during_run == ["free"], "the fleet's run stands for the store lock"
    assert crawler.stats.get_value("newsbot/run_id") == "fleet-run-1"
    with open_store(store_target) as store:
        last = store.last_run()
        assert (last["run_id"], last["status"]) == ("fleet-run-1", "finished")


def test_the_run_state_holds_nothing_per_stored_article(store_target):
    """Once records are written the run state keeps no trace of each (memory follows the
    batch, not the run): what it must know about them later is asked of the store."""
    crawler = make_crawler(store_target, NEWSBOT_STORE_BATCH=5)
    state = RunState.of(crawler)
    sizes: dict[str, int] = {}

    def at_the_end(run_id, store, reason) -> None:
        sizes.update(
            {k: len(v) for k, v in vars(state).items() if isinstance(v, set | dict | list)}
        )

    crawler.signals.connect(at_the_end, signal=run_stored)
    n = 60
    run_items(crawler, [article(i, body=f"Bài {i} riêng biệt {i * 7}") for i in range(n)])
    assert state.counts["new"] + state.counts["duplicates"] == n
    assert sizes and max(sizes.values()) < 10, sizes
