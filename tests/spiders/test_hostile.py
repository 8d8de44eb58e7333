"""A real crawl of a replica serving every hostile page of issue 11 in one run.

``FaultConfig(hostile=True)`` (see :mod:`replica.hostile`) serves an article nested
1,000 levels deep, one with a NUL byte near the top, one with a lone surrogate in its
JSON-LD author, one whose HTTP header declares iso-8859-1 over UTF-8 bytes, an
``http://[`` link on the home page and every listing, and an extra page nested past
libxml2's 2,048-level limit.

What is right for each (and asserted here):

- the four hostile articles are articles: stored exactly as the ground truth says
  (the nested body read whole, the NUL dropped, the surrogate dropped from the author,
  the text decoded as the UTF-8 it is). The lying charset is also counted
  (``newsbot/page_notes/charset_corrected``, kept in the run row's counts) and logged
  with the URL;
- the bad link is skipped on its own: counted (``newsbot/skipped/bad_link``) and logged
  with the page's URL and the reason, and every other link of the page is followed;
- the page nested too deep cannot be read (libxml2 drops what lies past 2,048 levels):
  it is reported in the run's errors (summary, ``crawl_runs.errors``) and the log with
  its URL and the reason;
- the run ends on its own, exit 0 (nothing in the README's exit table applies), with
  no traceback, ``newsbot stats`` does not alert, and the store lock is released: a
  second run on the same store exits 0.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from newsbot.sites import get_site
from replica import FaultConfig, Replica
from replica.hostile import KINDS, TOO_DEEP
from tests.spiders.crawling import ROOT, field_differences, run_crawl, stored_articles

pytestmark = pytest.mark.e2e

SITE = get_site("baohaiduong")
PORTAL = "https://baohaiduong.vn"
#: Far more than such a crawl needs (a few seconds): a run that hangs fails here.
TIMEOUT = 240


def _runs(store: str) -> list[dict]:
    from newsbot.store import open_store

    s = open_store(store)
    try:
        return s.recent_runs("baohaiduong")
    finally:
        s.close()


def test_hostile_pages_cost_no_other_article_and_are_reported(tmp_path: Path) -> None:
    store = str(tmp_path / "hostile.db")
    with Replica(120, 11, faults=FaultConfig(hostile=True)) as replica:
        result = run_crawl(replica.origin, store, tmp_path / "run1", timeout=TIMEOUT)
        truth = replica.ground_truth()
        chosen = dict(replica.hostile_pages)
        requested = {e.path for e in replica.request_log}
        stats = subprocess.run(
            [sys.executable, "-m", "newsbot.cli", "stats", "--store", store],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        replica.clear_request_log()
        again = run_crawl(replica.origin, store, tmp_path / "run2", timeout=TIMEOUT)
        again_requested = {e.path for e in replica.request_log}

    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    assert sorted(chosen.values()) == sorted(KINDS)
    assert set(chosen) | {TOO_DEEP} <= requested, "every hostile page must be fetched"

    # Every article, the hostile ones included, stored as the ground truth says.
    got = stored_articles(store)
    assert len(got) == len({r["url"] for r in got}) == len(truth)
    assert field_differences(truth, got) == []

    # The one page that cannot be read: in the run's errors and the log, URL and reason.
    deep_url = PORTAL + TOO_DEEP
    errors = result.summary["errors"]
    assert [(e["url"], e["kind"]) for e in errors] == [(deep_url, "parse")]
    assert "nested deeper than 2048 levels" in errors[0]["reason"]
    assert f"cannot parse {deep_url}: " in result.stderr
    [run] = [r for r in _runs(store) if r["run_id"] == result.summary["run_id"]]
    assert run["status"] == "finished"
    assert [e["url"] for e in run["errors"]] == [deep_url]

    # The bad link: skipped one by one, on the home page and on every listing page
    # (whose other stories were followed: every article is stored, above).
    listings = [line for line in result.stderr.splitlines() if "bad link(s) skipped" in line]
    assert result.stat("newsbot/skipped/bad_link") == len(listings) >= 2
    assert f"{PORTAL}/: 1 bad link(s) skipped, e.g. bad link 'http://[': " in result.stderr
    assert result.stat("newsbot/listing_pages") == len(listings) - 1

    # The lying charset: decoded right (above), counted and logged with its URL.
    [charset_path] = [p for p, kind in chosen.items() if kind == "charset"]
    charset_url = SITE.canonical_url(PORTAL + charset_path)
    assert result.stat("newsbot/page_notes/charset_corrected") == 1
    assert run["counts"]["page_notes"] == {"charset_corrected": 1}
    assert (
        f"{charset_url}: charset corrected: declared charset iso-8859-1, decoded as utf-8"
        in result.stderr
    )

    # One unreadable page among 121 is no layout change: `newsbot stats` does not alert.
    assert stats.returncode == 0, stats.stderr
    assert "1 errors" in stats.stdout, stats.stdout

    # The run let go of the store: the next one runs (not 75) and ends on its own too.
    assert again.returncode == 0, again.stderr[-3000:]
    assert "Traceback" not in again.stderr
    # A page no parser can read is remembered as dead: not fetched again every run
    # (where, alone in a quiet hour, it would look like a layout change to `stats`).
    assert TOO_DEEP not in again_requested
    assert again.stat("newsbot/skipped/dead_link") == 1
