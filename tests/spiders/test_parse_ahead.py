"""Article pages parsed in worker processes (newsbot.spiders.parsing): the same records
as parsing in the crawl's own thread, and the worker's outcomes are the ones used."""

from __future__ import annotations

import pytest

from newsbot.record import RECORD_FIELDS
from tests.spiders.crawling import run_crawl, stored_articles

pytestmark = pytest.mark.e2e

COMPARED = (*RECORD_FIELDS, "content_hash", "duplicate_of", "version")


def _crawl(replica, tmp_path, workers: int):
    store = str(tmp_path / f"workers-{workers}.db")
    result = run_crawl(
        replica.origin,
        store,
        tmp_path / f"run-{workers}",
        settings={"NEWSBOT_PARSE_WORKERS": str(workers)},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    records = {r["url"]: {k: r.get(k) for k in COMPARED} for r in stored_articles(store)}
    return result, records


def test_worker_parsed_records_equal_in_thread_ones(replica_factory, tmp_path):
    replica = replica_factory(articles=60, seed=3)
    in_thread, expected = _crawl(replica, tmp_path, 0)
    pooled, got = _crawl(replica, tmp_path, 1)
    assert len(expected) == len(replica.ground_truth())
    assert got == expected
    assert in_thread.stat("newsbot/parsed_ahead") == 0
    # Every article page went through the worker (none parsed again in the thread).
    assert pooled.stat("newsbot/parsed_ahead") == pooled.stat("newsbot/article_pages") > 0
