"""The sibling OneCMS paper: its fixture pages give their records exactly, its spider
exists, and its profile is data on the family (hosts, sections, start points)."""

from __future__ import annotations

import inspect
import json
import subprocess
import sys
from pathlib import Path

from newsbot.record import SCHEMA_VERSION, public_view
from newsbot.sites import get_site, site_for_url
from newsbot.sites.onecms import LAYOUTS, OneCMSSite
from newsbot.sites.publishers import baonghean as module

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "baonghean"
SITE = get_site("baonghean")
ARTICLE_URL = "https://baonghean.vn/nghe-an-mo-rong-vung-trong-cam-theo-chuan-vietgap-10301234.html"


def _expected(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def test_article_fixture_parses_exactly():
    outcome = SITE.parse_article((FIXTURES / "article.html").read_bytes(), ARTICLE_URL)
    assert outcome.ok, outcome.error
    record = public_view(outcome.record or {})
    record.pop("provenance")
    assert record.pop("schema_version") == SCHEMA_VERSION  # every printed record states it
    assert record == _expected("article")
    assert outcome.record["provenance"]["author"] == "layout:onecms"  # the credit block


def test_header_classes_other_than_the_familys_still_read_by_the_layout():
    """The paper's header classes are unconfirmed; its body container is not. A page
    whose headline and time carry other classes is still read by the family's layout
    (body, figures, related box, credit) with the header from structured data: the
    same record as the fixture's."""
    page = (FIXTURES / "article.html").read_text(encoding="utf-8")
    renamed = page.replace("c-detail-head__title", "detail-title")
    renamed = renamed.replace("c-detail-head__time", "detail-time")
    assert renamed != page
    outcome = SITE.parse_article(renamed.encode("utf-8"), ARTICLE_URL)
    assert outcome.ok, outcome.error
    record = public_view(outcome.record or {})
    provenance = record.pop("provenance")
    record.pop("schema_version")
    assert record == _expected("article")
    assert provenance["body"] == "layout:onecms"
    assert provenance["title"].startswith("structured:")


def test_listing_fixture_parses_exactly():
    listing = SITE.parse_listing(
        (FIXTURES / "section.html").read_bytes(), "https://baonghean.vn/kinh-te"
    )
    assert {"articles": listing.articles, "next_page": listing.next_page} == _expected("section")


def test_profile_is_data_on_the_family():
    assert isinstance(SITE, OneCMSSite)
    assert SITE.layouts == LAYOUTS  # no selector of its own
    assert site_for_url("https://m.baonghean.vn/a-10301234.html") is SITE
    assert SITE.sections and SITE.start_urls and SITE.feeds and SITE.sitemaps
    assert len(inspect.getsource(module).splitlines()) < 60


def test_scrapy_list_shows_the_sibling():
    proc = subprocess.run(
        [sys.executable, "-m", "scrapy", "list"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "baonghean" in proc.stdout.split()
