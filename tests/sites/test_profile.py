"""The profile API itself: the registry, the abstract hooks, the generic canonical URL
a profile only configures, and layouts picked by the dates they were in use."""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from datetime import date
from typing import ClassVar
from urllib.parse import urlsplit

import lxml.html
import pytest

from newsbot.sites import get_site, publishers, site_for_url, site_names
from newsbot.sites.base import Layout, UrlKind
from newsbot.sites.layout import SelectorLayout, has_class
from newsbot.sites.portal import PortalSite


def test_registry_lists_the_publishers_folder_and_nothing_else():
    from pathlib import Path

    modules = sorted(
        p.stem for p in Path(publishers.__file__).parent.glob("*.py") if not p.stem.startswith("_")
    )
    assert site_names() == modules
    assert {"baohaiduong", "vidu"} <= set(site_names())
    with pytest.raises(KeyError, match="no site profile named 'layout'"):
        get_site("layout")


def test_base_declares_every_hook_the_spider_calls():
    abstract = PortalSite.__abstractmethods__
    assert abstract == {"url_kind", "source_id", "listing_section"}
    for hook in (
        "canonical_url",
        "section_listing_url",
        "owns",
        "parse_article",
        "parse_listing",
        "page_links",
        "parse_feed",
        "parse_sitemap",
        "layouts_on",
    ):
        assert callable(getattr(PortalSite, hook)), hook

    class Incomplete(PortalSite):
        name = "incomplete"

    with pytest.raises(TypeError, match="abstract"):
        Incomplete()


def test_sections_must_be_a_mapping_not_positional_rows():
    with pytest.raises(TypeError, match="sections must be a mapping"):

        class Rows(PortalSite):  # noqa: F841 - the class statement is the test
            sections = (("kinh-te", 5, "Kinh tế"),)  # type: ignore[assignment]


class _Paper(PortalSite):
    """A profile of configuration only: the generic URL rules need nothing else."""

    name = "paper"
    canonical_host = "paper.example"
    hosts = frozenset(
        {"paper.example", "m.paper.example", "newpaper.example", "m.newpaper.example"}
    )
    tracking_params = ("utm_*", "ref", "fbclid")
    sections: ClassVar[Mapping[str, str]] = {"tin": "Tin"}

    def url_kind(self, url: str) -> UrlKind:
        path = urlsplit(url).path
        return UrlKind.ARTICLE if path.rstrip("/").endswith(".html") else UrlKind.LISTING

    def source_id(self, url: str) -> str | None:
        return None

    def listing_section(self, url: str) -> str | None:
        return urlsplit(url).path.strip("/") or None


PAPER = _Paper()

# fmt: off
CANONICAL = [
    pytest.param("http://m.paper.example/a-1.html?utm_source=x&id=2#c", "https://paper.example/a-1.html",
                 id="mirror-article-loses-query-and-fragment"),
    pytest.param("https://m.newpaper.example/a-1.html", "https://newpaper.example/a-1.html",
                 id="successor-domain-keeps-its-host"),
    pytest.param("https://paper.example/tin/?ref=home&page=2&utm_medium=y", "https://paper.example/tin/?page=2",
                 id="listing-keeps-page-drops-configured-tracking"),
    pytest.param("https://paper.example/tin/?b=2&a=1", "https://paper.example/tin/?a=1&b=2",
                 id="query-order-is-canonical"),
    pytest.param("https://paper.example//tin//a-1.html/", "https://paper.example/tin/a-1.html",
                 id="repeated-and-trailing-slashes"),
    pytest.param("https://paper.example/tin/b%E1%BA%A1n.html", "https://paper.example/tin/b%E1%BA%A1n.html",
                 id="percent-encoding-kept"),
    pytest.param("https://paper.example/tin/bạn.html", "https://paper.example/tin/b%E1%BA%A1n.html",
                 id="unicode-path-encoded"),
    pytest.param("https://other.example/a-1.html", None, id="foreign-host"),
    pytest.param("http://[", None, id="not-a-url"),
    pytest.param("mailto:a@paper.example", None, id="mailto"),
]
# fmt: on


@pytest.mark.parametrize(("url", "expected"), CANONICAL)
def test_generic_canonical_url(url: str, expected: str | None):
    assert PAPER.canonical_url(url) == expected


def test_a_canonical_link_comes_back_as_the_string_given():
    """One copy of a URL for the cache's key and value and for whoever keeps it (the
    crawl policy keeps every URL it requested)."""
    given = "".join(["https://paper.example/", "tin/a-1.html"])  # a string of its own
    assert PAPER.canonical_url(given) is given
    assert PAPER.canonical_url("https://m.paper.example/tin/a-1.html?utm_source=x") == given


def test_the_canonical_url_cache_is_bounded_below_a_runs_size():
    """A bound above a run's size made the cache grow with the run (every sitemap link of
    a 50,000-article run): it keeps the recently used links, a fixed number of them."""
    from newsbot.sites.portal import CANONICAL_CACHE_SIZE

    assert CANONICAL_CACHE_SIZE <= 10_000
    site = get_site("vidu").__class__()
    for n in range(CANONICAL_CACHE_SIZE + 100):
        site.canonical_url(f"https://vidu.example/bai-viet/{n}/tin")
    assert site._canonical_cache.cache_info().currsize == CANONICAL_CACHE_SIZE


def test_successor_domain_is_the_same_publisher():
    vidu = get_site("vidu")
    url = "https://baovidu.example/bai-viet/7/tin-moi"
    assert site_for_url(url) is vidu
    assert vidu.canonical_url(url) == url
    assert vidu.canonical_url("https://m.vidu.example/bai-viet/7/tin-moi?ref=x") == (
        "https://vidu.example/bai-viet/7/tin-moi"
    )
    assert vidu.canonical_url("https://vidu.example/muc/kinh-te?trang=2&ref=home") == (
        "https://vidu.example/muc/kinh-te?trang=2"
    )


class _Old(SelectorLayout):
    name = "old"
    in_use = ("2019-01-01", "2023-12-31")
    ARTICLE = f"//*[{has_class('old')}]"


class _New(SelectorLayout):
    name = "new"
    in_use = ("2024-01-01", None)
    ARTICLE = f"//*[{has_class('new')}]"


class _Dated(_Paper):
    layouts = (_New, _Old)


@pytest.mark.parametrize(
    ("day", "first"),
    [
        pytest.param(date(2022, 5, 1), "old", id="page-of-2022-old-layout-first"),
        pytest.param(date(2024, 1, 1), "new", id="first-day-of-the-redesign"),
        pytest.param(date(2023, 12, 31), "old", id="last-day-of-the-old-layout"),
        pytest.param(None, "new", id="today"),
    ],
)
def test_layouts_are_tried_by_the_dates_they_were_in_use(day: date | None, first: str):
    site = _Dated()
    order = [lay.name for lay in site.layouts_on(day)]
    assert order[0] == first and sorted(order) == ["new", "old"]
    # A page carrying both designs' markers is read with the one of its day.
    doc = lxml.html.fromstring("<html><body><div class='old new'>x</div></body></html>")
    assert next(lay for lay in site.layouts_on(day) if lay.is_article(doc)).name == first


def test_layout_in_use_on():
    assert _Old.in_use_on(date(2019, 1, 1)) and not _Old.in_use_on(date(2024, 1, 1))
    assert Layout.in_use_on(date(1990, 1, 1))  # open-ended both ways


def test_second_publisher_profile_is_at_most_80_lines():
    from newsbot.sites.publishers import vidu

    assert len(inspect.getsource(vidu).splitlines()) <= 80
