"""End to end: the second publisher (Báo Ví Dụ, ``replica/vidu.py``) crawls like the
first, alone and at the same time as ``scrapy crawl baohaiduong`` into one store.

The profile of the second portal is one file under ``newsbot/sites/publishers/``; no
spider, pipeline or CLI code knows it. The two crawls run at once into one SQLite file
and into one PostgreSQL database (the run lock is per store and site), each with its
own run rows, its own feed folder and its own ``newsbot stats --site``.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from replica import Replica
from replica.crawl import ROOT, crawl_command
from replica.vidu import Vidu
from tests.spiders.crawling import stored_articles

pytestmark = pytest.mark.e2e

#: Fields the second portal's ground truth states.
VIDU_FIELDS = ("url", "source_id", "site", "section", "title", "published_at", "lead", "body",
               "author", "related")  # fmt: skip


def _command(site: str, origin: str, store: str, workdir: Path, feeds: Path) -> list[str]:
    cmd = crawl_command(origin, store, workdir)
    cmd[cmd.index("baohaiduong")] = site
    cmd[cmd.index(f"NEWSBOT_FEEDS_DIR={workdir / 'feeds'}")] = f"NEWSBOT_FEEDS_DIR={feeds}"
    return cmd


def _differences(truth: list[dict[str, Any]], got: list[dict[str, Any]]) -> list[str]:
    by_url = {r["url"]: r for r in got}
    out = []
    for t in truth:
        rec = by_url.get(t["url"])
        if rec is None:
            out.append(f"missing {t['url']}")
            continue
        out += [f"{t['url']}: {k}" for k in VIDU_FIELDS if rec.get(k) != t.get(k)]
    return out


def test_second_portal_crawls_end_to_end(tmp_path: Path):
    with Vidu(60, 2) as vidu:
        proc = subprocess.run(
            _command("vidu", vidu.origin, str(tmp_path / "s.db"), tmp_path, tmp_path / "feeds"),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=600,
        )
        truth = vidu.ground_truth()
    assert proc.returncode == 0, proc.stderr[-2000:]
    got = stored_articles(str(tmp_path / "s.db"))
    assert {r["site"] for r in got} == {"vidu"}
    assert len(got) == len(truth)
    assert _differences(truth, got) == []
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["stats"].get("newsbot/parse_errors/invalid", 0) == 0


def _store_targets() -> list[Any]:
    return [pytest.param("sqlite", id="sqlite"),
            pytest.param("postgresql", id="postgresql", marks=pytest.mark.services)]  # fmt: skip


@pytest.mark.parametrize("engine", _store_targets())
def test_two_portals_crawl_at_the_same_time_into_one_store(engine: str, tmp_path: Path, capsys):
    from newsbot.cli import main
    from newsbot.store import open_store

    cleanup = None
    if engine == "postgresql":
        from tests.services import pg_dsn_or_skip

        store, cleanup = pg_dsn_or_skip("newsbot_two")
    else:
        store = str(tmp_path / "newsbot.db")
    feeds = tmp_path / "feeds"
    try:
        with Replica(120, 3) as first, Vidu(60, 2) as second:
            procs = {
                site: subprocess.Popen(
                    _command(site, origin, store, tmp_path / site, feeds),
                    cwd=ROOT,
                    stderr=subprocess.PIPE,
                    text=True,
                )
                for site, origin in (("baohaiduong", first.origin), ("vidu", second.origin))
            }
            errors = {site: p.communicate(timeout=600)[1] for site, p in procs.items()}
            truths = {"baohaiduong": first.ground_truth(), "vidu": second.ground_truth()}
        for site, proc in procs.items():
            assert proc.returncode == 0, f"{site}: {errors[site][-2000:]}"
        got = stored_articles(store)
        for site, truth in truths.items():
            mine = [r for r in got if r["site"] == site]
            assert {r["url"] for r in mine} == {t["url"] for t in truth}, site
        opened = open_store(store)
        try:
            for site in truths:
                runs = opened.recent_runs(site)
                assert runs and runs[0]["status"] == "finished", site
        finally:
            opened.close()
        for site in truths:
            assert list((feeds / site).glob("*.atom")), f"no feeds of {site}"
        # Each site's health from its own run and articles.
        for site, truth in truths.items():
            assert main(["stats", "--store", store, "--site", site, "--json"]) == 0, site
            report = json.loads(capsys.readouterr().out)
            assert report["last_run"]["spider"] == site and report["ok"] is True
            assert report["articles"] == len(truth)
    finally:
        if cleanup is not None:
            cleanup()


def test_bad_href_on_the_home_page_stores_every_other_article(tmp_path: Path):
    """Issue 11 finding 5 end to end: one ``http://[`` link on the home page."""
    with Vidu(30, 4) as vidu:
        original = vidu.listing

        def listing_with_a_bad_link(metas: list[Any], page: int, base: str) -> str:
            return original(metas, page, base).replace("<main>", '<main><a href="http://[">x</a>')

        vidu.listing = listing_with_a_bad_link  # type: ignore[method-assign]
        home = vidu.respond("/")[2]
        newest = sorted(vidu.metas, key=lambda m: m.published, reverse=True)[:10]
        on_home = {"https://vidu.example" + vidu.path(m) for m in newest}
        proc = subprocess.run(
            _command("vidu", vidu.origin, str(tmp_path / "s.db"), tmp_path, tmp_path / "feeds")
            + ["-a", "discover=home", "-a", "related_depth=0"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=600,
        )
    assert 'href="http://["' in home
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert {r["url"] for r in stored_articles(str(tmp_path / "s.db"))} == on_home
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["stats"]["newsbot/skipped/bad_link"] == 1
