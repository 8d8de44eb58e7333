"""What earlier runs tell this one: run rows in, decisions out (tables of runs)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from newsbot.crawl.errors import crawl_error, is_transient
from newsbot.crawl.history import (
    RunHistory,
    dead_links_of,
    load_history,
    saw_everything,
    worth_retrying,
)
from newsbot.sites import get_site

SITE = get_site("baohaiduong")
LOOP = crawl_error("https://baohaiduong.vn/vong-lap-a", "redirect loop: a -> b", transient=False)
BIG = crawl_error(
    "https://baohaiduong.vn/bao-cao", "page larger than DOWNLOAD_MAXSIZE", transient=False
)
TIMEOUT = crawl_error("https://baohaiduong.vn/kinh-te/a-1", "timed out", transient=True)


@pytest.mark.parametrize(
    ("run", "expected"),
    [
        pytest.param({"status": "finished", "errors": [], "args": {}}, True, id="clean-full-run"),
        pytest.param(
            {"status": "finished", "errors": [TIMEOUT], "args": {}}, False, id="gave-up-transient"
        ),
        # Finding 9: the replica always has a redirect loop and an oversized page; those
        # permanent failures must not stop sitemap parts from ever being skipped.
        pytest.param(
            {"status": "finished", "errors": [LOOP, BIG], "args": {}},
            True,
            id="finding-9-permanent-errors-do-not-count",
        ),
        pytest.param(
            {"status": "finished", "errors": [{"url": "u", "reason": "timed out"}], "args": {}},
            False,
            id="legacy-entry-without-flag-counts-as-transient",
        ),
        pytest.param(
            {"status": "finished", "errors": [], "args": {"sections": "chinh-tri"}},
            False,
            id="restricted-to-sections",
        ),
        pytest.param(
            {"status": "finished", "errors": [], "args": {"_job": "abc"}},
            True,
            id="scrapyd-job-is-not-a-restriction",
        ),
        pytest.param(
            {"status": "finished", "errors": [], "args": {"refresh": "all"}},
            True,
            id="refresh-is-not-a-restriction",
        ),
        pytest.param({"status": "running", "errors": [], "args": {}}, False, id="killed"),
        pytest.param(
            {"status": "nothing_fetched", "errors": [], "args": {}}, False, id="fetched-nothing"
        ),
    ],
)
def test_which_runs_saw_everything(run, expected):
    assert saw_everything(run) is expected


def test_only_transient_article_failures_are_retried():
    errors = [
        crawl_error(
            "https://m.baohaiduong.vn/kinh-te/a-1?utm_source=x", "timed out", transient=True
        ),
        crawl_error("https://baohaiduong.vn/kinh-te/b-2", "HTTP 429", transient=True, status=429),
        crawl_error("https://baohaiduong.vn/kinh-te/c-3", "HTTP 503", transient=True, status=503),
        crawl_error("https://baohaiduong.vn/kinh-te/d-4", "HTTP 404", transient=False, status=404),
        crawl_error("https://baohaiduong.vn/kinh-te/e-5", "empty body", "parse", transient=False),
        crawl_error("https://baohaiduong.vn/chuyen-muc/kinh-te/5", "timed out", transient=True),
        crawl_error("https://baohaiduong.vn/kinh-te/a-1", "connection lost", transient=True),
    ]
    assert worth_retrying(errors, SITE) == [
        "https://baohaiduong.vn/kinh-te/a-1",
        "https://baohaiduong.vn/kinh-te/b-2",
        "https://baohaiduong.vn/kinh-te/c-3",
    ]


def test_permanent_article_failures_become_dead_links():
    errors = [
        crawl_error("https://baohaiduong.vn/kinh-te/d-4", "HTTP 404", transient=False, status=404),
        crawl_error("https://baohaiduong.vn/kinh-te/b-2", "HTTP 429", transient=True, status=429),
        crawl_error("https://baohaiduong.vn/kinh-te/e-5", "empty body", "parse", transient=False),
        crawl_error("https://baohaiduong.vn/chuyen-muc/kinh-te/5", "HTTP 404", transient=False),
        crawl_error(
            "https://baohaiduong.vn/kinh-te/f-6",
            "too deep",
            "parse",
            transient=False,
            unreadable=True,
        ),
    ]
    assert dead_links_of(errors, SITE) == [
        ("https://baohaiduong.vn/kinh-te/d-4", "HTTP 404"),
        ("https://baohaiduong.vn/kinh-te/f-6", "too deep"),
    ]


@pytest.mark.parametrize(
    ("entry", "transient"),
    [
        pytest.param({"transient": True}, True, id="flag-true"),
        pytest.param({"transient": False, "reason": "timed out"}, False, id="flag-wins-over-text"),
        pytest.param({"reason": "HTTP 404"}, True, id="no-flag-legacy"),
    ],
)
def test_is_transient_reads_the_flag_not_the_reason(entry, transient):
    assert is_transient(entry) is transient


def _run(run_id, status, started, errors=(), args=None, requests=5):
    return {
        "run_id": run_id,
        "status": status,
        "started_at": started,
        "errors": list(errors),
        "args": args or {},
        "counts": {"requests": requests},
    }


@pytest.mark.parametrize(
    ("runs", "complete", "baseline"),
    [
        pytest.param([], True, None, id="first-run"),
        pytest.param(
            [_run("b", "finished", "2024-01-02T00:00:00+00:00")],
            True,
            "2024-01-02T00:00:00+00:00",
            id="one-clean-run",
        ),
        pytest.param(
            [
                _run("c", "running", "2024-01-03T00:00:00+00:00"),
                _run("b", "finished", "2024-01-02T00:00:00+00:00"),
            ],
            False,
            "2024-01-02T00:00:00+00:00",
            id="killed-run-means-full-walk",
        ),
        pytest.param(
            [
                _run("c", "finished", "2024-01-03T00:00:00+00:00", args={"sections": "x"}),
                _run("b", "finished", "2024-01-02T00:00:00+00:00"),
            ],
            True,
            "2024-01-02T00:00:00+00:00",
            id="restricted-run-is-no-baseline",
        ),
        pytest.param(
            [
                _run("d", "store_locked", "2024-01-04T00:00:00+00:00", requests=0),
                _run("b", "finished", "2024-01-02T00:00:00+00:00"),
            ],
            True,
            "2024-01-02T00:00:00+00:00",
            id="locked-run-did-not-get-going",
        ),
        pytest.param(
            [
                _run("e", "nothing_fetched", "2024-01-05T00:00:00+00:00"),
                _run("b", "finished", "2024-01-02T00:00:00+00:00"),
            ],
            False,
            "2024-01-02T00:00:00+00:00",
            id="run-that-fetched-nothing-walked-nothing",
        ),
    ],
)
def test_history_from_runs(runs, complete, baseline):
    history = RunHistory.from_runs(runs, SITE)
    assert history.previous_complete is complete
    expected = datetime.fromisoformat(baseline) if baseline else None
    assert history.baseline_started == expected


def test_this_runs_own_row_is_not_its_history():
    runs = [_run("me", "running", "2024-01-03T00:00:00+00:00")]
    assert RunHistory.from_runs(runs, SITE, current_run_id="me").previous_complete


def test_history_is_loaded_from_a_real_store(store):
    from tests.store.factories import article

    stored = article(1)
    store.write_batch([stored], "r1")
    store.start_run("r1", "baohaiduong", {})
    gone = "https://baohaiduong.vn/xa-hoi/bai-da-xoa-150099"
    store.finish_run(
        "r1",
        "finished",
        {"requests": 3},
        {},
        {},
        [crawl_error(gone, "HTTP 404", transient=False, status=404), TIMEOUT],
    )
    store.mark_dead_links("baohaiduong", [(gone, "HTTP 404")])
    history = load_history(store, SITE, "baohaiduong", now=datetime.now(UTC))
    assert history.previous_complete
    assert history.baseline_started is None  # it gave up on something transient
    assert history.retry == ["https://baohaiduong.vn/kinh-te/a-1"]
    assert history.dead == {gone}
    assert history.frontier == ["https://baohaiduong.vn/xa-hoi/tin-lien-quan-150001"]
