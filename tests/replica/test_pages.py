"""The pages follow the specimens' markup and state exactly the ground truth."""

from __future__ import annotations

import unicodedata
from datetime import datetime

import lxml.etree
import lxml.html
import pytest

from replica import pages
from replica.server import Replica

from .reference import WEEKDAYS, listing_links, read_article


@pytest.fixture(scope="module")
def offline() -> Replica:
    """A replica whose pages are rendered without a server (routing is a pure function)."""
    return Replica(300, 1)


def page(replica: Replica, path: str, query: str = "") -> str:
    response = replica._route(path, query)
    assert response.status == 200, path
    return response.body.decode()


def test_every_article_page_states_its_ground_truth(offline):
    for meta in offline.portal.articles:
        expected = offline.portal.record(meta.index)
        got = read_article(page(offline, meta.path), meta.url)
        for key in ("weekday", "visible_date", "byline"):
            got.pop(key, None)
        expected = {k: v for k, v in expected.items() if k in got or k in ("modified_at", "media")}
        assert got == expected, meta.path


@pytest.mark.parametrize(
    ("quirk", "layout", "needle"),
    [
        pytest.param(
            "backslash image src", "legacy", "media.baohaiduong.vn\\files\\", id="backslash"
        ),
        pytest.param("lazy data-src", "current", 'data-src="https://bhd.1cdn.vn/', id="data-src"),
        pytest.param("nbsp-only paragraph", "legacy", "<p>&nbsp;</p>", id="nbsp-paragraph"),
        pytest.param("nbsp at paragraph end", "current", ".&nbsp;</p>", id="nbsp-end"),
        pytest.param("ads script in body", "legacy", '<div class="ads-inline"><script>', id="ads"),
        pytest.param("audio", "legacy", "<audio", id="audio"),
        pytest.param("video", "current", "<video", id="video"),
        pytest.param("two-arrow inline line", "legacy", "<p><strong>&gt;&gt; <a", id="arrows-2"),
        pytest.param(
            "three-arrow inline line", "legacy", "<p><strong>&gt;&gt;&gt; <a", id="arrows-3"
        ),
        pytest.param("pdf link", "legacy", 'href="/files/doc/bao-cao-', id="pdf"),
        pytest.param(
            "external link",
            "current",
            'href="https://www.facebook.com/baohaiduong.vn"',
            id="facebook",
        ),
        pytest.param("external related", "legacy", "/baohaiduong.vn/posts/", id="external-related"),
        pytest.param("utm link", "current", "?utm_source=facebook&amp;utm_medium=social", id="utm"),
        pytest.param("fragment link", "legacy", '#comments"', id="fragment"),
        pytest.param("tablet host", "legacy", 'href="https://tab.baohaiduong.vn/', id="tab-host"),
        pytest.param("www host", "current", 'href="http://www.baohaiduong.vn/', id="www-host"),
    ],
)
def test_quirks_are_served(offline, quirk, layout, needle):
    html = (page(offline, m.path) for m in offline.portal.articles if m.layout == layout)
    assert any(needle in h for h in html), quirk


def test_weekday_is_the_date_s_weekday(offline):
    for meta in offline.portal.articles[:60]:
        got = read_article(page(offline, meta.path), meta.url)
        day = meta.published.weekday()
        if meta.layout == "legacy":
            assert got["weekday"] == WEEKDAYS[day]
        else:
            assert got["visible_date"] == pages.current_date_line(meta.published)
            assert got["visible_date"].startswith(WEEKDAYS[day].capitalize())


def test_structured_author_differs_in_case_from_the_byline(offline):
    current = [m for m in offline.portal.articles if m.layout == "current" and not m.wire]
    pairs = [
        (r["author"], r["byline"])
        for r in (read_article(page(offline, m.path), m.url) for m in current)
    ]
    assert any(a != b and a.upper() == b.replace(" - ", ", ") for a, b in pairs)
    assert any(a == b for a, b in pairs), "some pages have no JSON-LD author"


def test_some_pages_are_served_decomposed(offline):
    nfd = [m for m in offline.portal.articles if m.nfd]
    assert nfd
    html = page(offline, nfd[0].path)
    assert not unicodedata.is_normalized("NFC", html)
    assert nfd[0].title in unicodedata.normalize("NFC", html)


@pytest.mark.parametrize("slug", ["chinh-tri", "khoa-hoc---giao-duc", "ban-doc"])
def test_both_listing_styles_list_the_same_articles(offline, slug):
    sec_id = {"chinh-tri": 1, "khoa-hoc---giao-duc": 17, "ban-doc": 47}[slug]
    legacy, current = [], []
    page_no, path = 1, f"/chuyen-muc/{slug}/{sec_id}"
    while True:
        links, nxt = listing_links(page(offline, path, str(page_no)))
        legacy += links
        if not nxt:
            break
        page_no += 1
        assert nxt == f"{path}?page={page_no}"
    cur_path = f"/{slug}/"
    while cur_path:
        links, cur_path = listing_links(page(offline, cur_path))
        current += links
    expected = [offline.portal.articles[i].url for i in offline.portal.listed[slug]]
    assert legacy == current == expected
    if slug == "chinh-tri":
        assert len(expected) > 20, "pagination is exercised"


def test_listing_items_carry_times(offline):
    doc = lxml.html.fromstring(page(offline, "/chinh-tri/"))
    stamps = [t.get("datetime") for t in doc.cssselect(".category-news .story time.story__time")]
    assert len(stamps) == 20 and all(datetime.fromisoformat(s).utcoffset() for s in stamps)
    legacy = lxml.html.fromstring(page(offline, "/chuyen-muc/chinh-tri/1"))
    times = [s.text for s in legacy.cssselect("ul.list-news li span.time")]
    assert all(datetime.strptime(t, "%d/%m/%Y %H:%M") for t in times)


def test_home_menus_split_the_sections_between_layouts(offline):
    doc = lxml.html.fromstring(page(offline, "/"))
    legacy = [a.get("href") for a in doc.cssselect("ul.menu-top a")][1:]
    current = [a.get("href") for a in doc.cssselect("nav.main-nav a")]
    assert len(legacy) == 6 and all(h.startswith("/chuyen-muc/") for h in legacy)
    assert len(current) == 6 and all(h.endswith("/") and h.count("/") == 2 for h in current)
    assert doc.cssselect("ul.list-news li h4 a")


@pytest.mark.parametrize("path", ["/rss/home.rss", "/rss/chinh-tri.rss"])
def test_feeds_mix_date_styles_and_link_forms(offline, path):
    root = lxml.etree.fromstring(offline._route(path, "").body)
    items = root.findall("./channel/item")
    assert 0 < len(items) <= 50
    dates = [i.findtext("pubDate") for i in items]
    assert any(d.endswith("GMT") for d in dates) and any(d.endswith("+0700") for d in dates)
    assert any("/" in d[:10] for d in dates)
    links = [i.findtext("link") for i in items]
    assert any(u.startswith("http://") for u in links) and any("utm_" in u for u in links)


def test_sitemap_lists_every_listed_article_once(offline):
    root = lxml.etree.fromstring(offline._route("/sitemap.xml", "").body)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = [e.text for e in root.findall("s:url/s:loc", ns)]
    assert locs == [offline.portal.articles[i].url for i in offline.portal.all_listed]
    assert len(root.findall("s:url/s:lastmod", ns)) == len(locs)


def test_oversized_page_has_the_requested_size():
    assert len(pages.oversized_page(300_000)) == 300_000


def test_same_seed_serves_identical_bytes(offline):
    twin = Replica(300, 1)
    for path in ["/", "/chinh-tri/p2", "/rss/home.rss", "/sitemap.xml"] + [
        m.path for m in offline.portal.articles[::37]
    ]:
        assert twin._route(path, "").body == offline._route(path, "").body, path
