"""StorePipeline and the run record, through Scrapy crawlers on both store engines."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from scrapy import signals

from newsbot.pipelines import DedupPipeline, StorePipeline
from newsbot.store import open_store
from tests.pipelines.running import make_crawler, run_items
from tests.store.factories import article

SCRIPT = Path(__file__).with_name("crawl_items.py")


def test_run_recorded_with_counts_coverage_and_errors(store_target):
    crawler = make_crawler(store_target, NEWSBOT_STORE_BATCH=2)
    crawler.stats.set_value(
        "newsbot/errors", [{"url": "https://baohaiduong.vn/x-9", "reason": "HTTP 503"}]
    )
    run_items(
        crawler, [article(1), article(2, body=article(1)["body"]), article(3, published_at=None)]
    )
    run_id = crawler.stats.get_value("newsbot/run_id")
    assert crawler.spider.run_id == run_id
    with open_store(store_target) as store:
        run = store.last_run("baohaiduong")
        assert run["run_id"] == run_id and run["status"] == "finished"
        assert run["args"] == {"refresh": "recent"}
        counts = run["counts"]
        assert (counts["seen"], counts["new"], counts["duplicates"], counts["dropped"]) == (
            3,
            1,
            1,
            1,
        )
        assert counts["errors"] == 1
        assert run["coverage"]["title"] == 1.0
        assert run["coverage"]["published_at"] == pytest.approx(0.6667)
        assert run["provenance"]["title"] == {"layout:legacy": 3}
        assert run["errors"] == [{"url": "https://baohaiduong.vn/x-9", "reason": "HTTP 503"}]
        assert store.get_article(article(2)["url"])["duplicate_of"] == article(1)["url"]
        # The dropped article's page is kept, so a parser fix can recover it.
        kept = {page.fetched_url for page in store.iter_raw_pages()}
        assert article(3)["_fetched_url"] in kept
        assert {r["url"] for r in store.iter_run_changes(run_id)} == {
            article(1)["url"],
            article(2)["url"],
        }


def test_second_crawl_of_same_items_changes_nothing(store_target):
    run_items(make_crawler(store_target), [article(1), article(2)])
    second = make_crawler(store_target)
    run_items(second, [article(1), article(2)])
    with open_store(store_target) as store:
        run = store.last_run()
        assert (run["counts"]["new"], run["counts"]["unchanged"]) == (0, 2)
        assert store.count_articles() == 2
        assert list(store.iter_run_changes(run["run_id"])) == []


def test_close_reason_becomes_status(store_target):
    run_items(make_crawler(store_target), [article(1)], reason="shutdown")
    with open_store(store_target) as store:
        assert store.last_run()["status"] == "shutdown"
        assert store.count_articles() == 1  # the buffered batch was written on close


def test_jobdir_writes_every_item_at_once(store_target, tmp_path):
    crawler = make_crawler(store_target, JOBDIR=str(tmp_path / "job"))
    pipelines = [DedupPipeline.from_crawler(crawler), StorePipeline.from_crawler(crawler)]
    pipelines[1].open_spider()
    item = pipelines[0].process_item(article(1))
    # Written at once: the item does not wait for a batch or a deadline.
    stored = asyncio.run(asyncio.wait_for(pipelines[1].process_item(item), timeout=0.5))
    assert (stored["version"], stored["duplicate_of"]) == (1, None)
    with open_store(store_target) as store:
        assert store.count_articles() == 1  # stored before the run ends
    crawler.signals.send_catch_log(signals.spider_closed, spider=crawler.spider, reason="finished")


def crawl(target, mode, tmp_path):
    out = tmp_path / "stats.json"
    env = dict(os.environ, PYTHONPATH=os.getcwd())
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), target, mode, str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(out.read_text(encoding="utf-8")), proc.stderr


@pytest.mark.e2e
def test_real_crawl_through_pipelines(store_target, tmp_path):
    stats, log = crawl(store_target, "items", tmp_path)
    assert stats["finish_reason"] == "finished"
    assert "Traceback" not in log
    with open_store(store_target) as store:
        run = store.last_run("itemspider")
        assert run["run_id"] == stats["newsbot/run_id"] and run["status"] == "finished"
        counts = run["counts"]
        assert (counts["new"], counts["duplicates"], counts["unchanged"], counts["dropped"]) == (
            2,
            1,
            1,
            1,
        )
        assert run["errors"] == [{"url": "https://baohaiduong.vn/x-9", "reason": "HTTP 503 x3"}]
        assert store.count_articles() == 3
        assert store.integrity_check() == "ok"
    assert log.count("dropped https://baohaiduong.vn/") == 1


@pytest.mark.e2e
def test_locked_store_closes_spider_before_any_request(store_target, tmp_path):
    holder = open_store(store_target)
    try:
        with holder.run_lock():
            stats, log = crawl(store_target, "request", tmp_path)
    finally:
        holder.close()
    assert stats["finish_reason"] == "store_locked"
    assert stats["newsbot/fatal"].startswith("another newsbot run holds the store lock")
    assert "downloader/request_count" not in stats
    # One log line (the closing stats dump repeats it as newsbot/fatal, which is fine).
    assert log.count("ERROR: another newsbot run holds the store lock") == 1
    assert "Traceback" not in log
    with open_store(store_target) as store:
        assert store.last_run() is None


@pytest.mark.e2e
def test_crawl_goes_on_while_a_batch_is_written(store_target, tmp_path):
    """Store writes are off the crawl's thread: while the first batch write is held up,
    responses keep being downloaded and parsed (counted, not timed)."""
    out = tmp_path / "stats.json"
    env = dict(os.environ, PYTHONPATH=os.getcwd())
    proc = subprocess.run(
        [sys.executable, str(SCRIPT.with_name("crawl_slow_store.py")), store_target, str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    stats = json.loads(out.read_text(encoding="utf-8"))
    assert stats["finish_reason"] == "finished"
    # The write went on only once 20 more responses had been parsed since it started:
    # on the crawl's own thread it would have seen none arrive.
    during = stats["test/parsed_when_write_went_on"] - stats["test/parsed_when_write_started"]
    assert during >= 20
    assert stats["newsbot/stored/new"] == 1
    with open_store(store_target) as store:
        assert store.count_articles() == 1
        assert store.last_run("slowstore")["status"] == "finished"
