"""Every publisher profile, by the same rules: its fixtures give their expected records,
and its declarations hold together.

A publisher is found by the registry (``newsbot/sites/publishers/<name>.py``); its
fixtures are ``tests/fixtures/<name>/``, where ``X.json`` next to ``X.html`` holds what
the page must give: an article's record (``provenance`` left out) or a listing's
``url``, ``articles`` and ``next_page``. A new publisher is tested here as soon as
its module and fixtures exist.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from newsbot.record import SCHEMA_VERSION, public_view
from newsbot.sites import get_site, site_names
from newsbot.sites.base import UrlKind
from newsbot.sites.sections import find_section, sections_of

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _cases() -> list[Any]:
    cases = []
    for name in site_names():
        for expected in sorted((FIXTURES / name).glob("*.json")):
            page = expected.with_suffix(".html")
            if page.exists():
                cases.append(pytest.param(name, page, expected, id=f"{name}/{page.stem}"))
    return cases


CASES = _cases()


@pytest.mark.parametrize("name", site_names())
def test_every_publisher_has_an_article_and_a_listing_fixture(name: str):
    kinds = {
        "listing" if "articles" in json.loads(p.read_text(encoding="utf-8")) else "article"
        for _, page, p in (c.values for c in CASES if c.values[0] == name)
    }
    assert kinds == {"article", "listing"}, f"tests/fixtures/{name}/ needs both (see module doc)"


@pytest.mark.parametrize(("name", "page", "expected_file"), CASES)
def test_fixture_gives_its_expected_output(name: str, page: Path, expected_file: Path):
    site = get_site(name)
    expected = json.loads(expected_file.read_text(encoding="utf-8"))
    raw = page.read_bytes()
    if "articles" in expected:
        url = expected.get("url") or site.start_urls[0]
        listing = site.parse_listing(raw, url)
        assert listing.articles == expected["articles"]
        assert listing.next_page == expected["next_page"]
        assert listing.skipped == []
        return
    outcome = site.parse_article(raw, expected["url"])
    assert outcome.ok, outcome.error
    record = public_view(outcome.record or {})
    provenance = record.pop("provenance")
    assert record.pop("schema_version") == SCHEMA_VERSION
    assert record == expected
    assert set(provenance) <= set(record)


@pytest.mark.parametrize("name", site_names())
def test_profile_declarations_hold_together(name: str):
    site = get_site(name)
    assert site.name == name and site.language
    assert site.canonical_host in site.hosts
    assert isinstance(site.sections, Mapping) and site.sections
    for slug, title in site.sections.items():
        listing = site.section_listing_url(slug)
        assert site.canonical_url(listing) is not None, listing
        assert site.url_kind(listing) is UrlKind.LISTING, listing
        assert site.listing_section(listing) == slug, listing
        assert title.strip() == title and title
    # One key per section, which finds it again under any of its spellings.
    keys = [s.key for s in sections_of(site.sections)]
    assert len(set(keys)) == len(keys) and all(keys), keys
    for section in sections_of(site.sections):
        for alias in section.aliases:
            assert find_section(sections_of(site.sections), alias) == section, alias
    starts = {
        UrlKind.LISTING: site.start_urls,
        UrlKind.FEED: site.feeds,
        UrlKind.SITEMAP: site.sitemaps,
    }
    assert site.start_urls
    for kind, urls in starts.items():
        for url in urls:
            assert site.canonical_url(url) == url, url
            assert site.url_kind(url) is kind, url
    assert site.layouts
    for layout in site.layouts:
        start, end = layout.in_use
        for day in (start, end):
            assert day is None or date.fromisoformat(day)
        assert start is None or end is None or start <= end
    # Every layout is tried, whatever the day.
    for day in (date(2019, 6, 1), date(2030, 1, 1)):
        assert {type(lay) for lay in site.layouts_on(day)} == set(site.layouts)


@pytest.mark.parametrize("name", site_names())
def test_mirrors_and_tracking_give_the_canonical_url(name: str):
    site = get_site(name)
    article = next(
        expected["url"]
        for _, _, p in (c.values for c in CASES if c.values[0] == name)
        if "articles" not in (expected := json.loads(p.read_text(encoding="utf-8")))
    )
    host = site.canonical_host
    for prefix in ("www.", "m."):
        if prefix + host in site.hosts:
            variant = article.replace(f"https://{host}", f"http://{prefix}{host}")
            assert site.canonical_url(variant + "?utm_source=x#top") == article
    assert site.owns(article)
    assert site.source_id(article)
