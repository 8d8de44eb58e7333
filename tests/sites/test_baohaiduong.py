"""The Báo Hải Dương profile: URL kinds, canonical URLs, source ids, listings, feeds, sitemaps.

Rows are the URL shapes and listing quirks PORTAL.md names (desktop, ``www.``, ``m.`` and
``tab.`` hosts, backslashes, tracking queries, both layouts' listings, the RSS date
formats seen in the wild), run against fixture pages in ``tests/fixtures/baohaiduong``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import lxml.html
import pytest

from newsbot.sites import get_site, site_for_url
from newsbot.sites.base import UrlKind
from newsbot.sites.publishers.baohaiduong import CurrentLayout, LegacyLayout

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "baohaiduong"
SITE = get_site("baohaiduong")

LEGACY_ARTICLE = (
    "https://baohaiduong.vn/kinh-te/khoi-cong-cau-vuot-song-thai-binh-noi-hai-huyen-phia-bac-160231"
)
CURRENT_ARTICLE = "https://baohaiduong.vn/ra-mat-cau-lac-bo-ca-tru-phuong-nhi-chau-401122.html"

# fmt: off
URL_KINDS: list[Any] = [
    pytest.param(LEGACY_ARTICLE, UrlKind.ARTICLE, id="legacy-article"),
    pytest.param("https://m.baohaiduong.vn/kinh-te/gia-lua-xuan-tang-nhe-160220", UrlKind.ARTICLE,
                 id="legacy-article-mobile-host"),
    pytest.param("https://tab.baohaiduong.vn/kinh-te/gia-lua-xuan-tang-nhe-160220", UrlKind.ARTICLE,
                 id="legacy-article-tablet-host"),
    pytest.param("http://www.baohaiduong.vn/kinh-te/gia-lua-xuan-tang-nhe-160220?utm_source=fb",
                 UrlKind.ARTICLE, id="legacy-article-www-http-tracking"),
    pytest.param("https://baohaiduong.vn/van-hoa---giai-tri/le-hoi-hoa-dao-160301", UrlKind.ARTICLE,
                 id="legacy-article-triple-dash-section"),
    pytest.param(CURRENT_ARTICLE, UrlKind.ARTICLE, id="current-article"),
    pytest.param("https://baohaiduong.vn/gan-2-000-hoc-sinh-thi-chon-hoc-sinh-gioi-387551.html",
                 UrlKind.ARTICLE, id="current-article-digits-in-slug"),
    pytest.param("https://baohaiduong.vn/chuyen-muc/kinh-te/5", UrlKind.LISTING,
                 id="legacy-section-listing"),
    pytest.param("https://baohaiduong.vn/chuyen-muc/khoa-hoc---giao-duc/17?page=3", UrlKind.LISTING,
                 id="legacy-section-listing-page"),
    pytest.param("https://baohaiduong.vn/giao-duc/", UrlKind.LISTING, id="current-section-listing"),
    pytest.param("https://baohaiduong.vn/giao-duc/p2", UrlKind.LISTING,
                 id="current-section-listing-page"),
    pytest.param("https://baohaiduong.vn/", UrlKind.LISTING, id="home-page"),
    pytest.param("https://baohaiduong.vn/rss/home.rss", UrlKind.FEED, id="rss-home"),
    pytest.param("https://baohaiduong.vn/rss/chinh-tri.rss", UrlKind.FEED, id="rss-section"),
    pytest.param("https://baohaiduong.vn/sitemap.xml", UrlKind.SITEMAP, id="sitemap"),
    pytest.param("https://baohaiduong.vn/sitemap-2024-05.xml", UrlKind.SITEMAP, id="sitemap-child"),
    pytest.param("https://media.baohaiduong.vn/files/library/images/site-1/20220315/web/a.jpg",
                 UrlKind.OTHER, id="legacy-image-host"),
    pytest.param("https://baohaiduong.vn/files/library/images/site-1/20220315/web/a-160231.jpg",
                 UrlKind.OTHER, id="image-path-on-desktop-host"),
    pytest.param("https://baohaiduong.vn/tag/hoc-tap-suot-doi-1123.html", UrlKind.OTHER,
                 id="tag-page"),
    pytest.param("https://baohaiduong.vn/tim-kiem?q=c%E1%BA%A7u", UrlKind.OTHER, id="search-page"),
    pytest.param("https://baohaiduong.vn/lien-he", UrlKind.OTHER, id="contact-page"),
    pytest.param("https://vnexpress.net/cau-lon-mien-bac-4441234.html", UrlKind.OTHER,
                 id="foreign-host-article-shape"),
]
# fmt: on


@pytest.mark.parametrize(("url", "kind"), URL_KINDS)
def test_url_kind(url: str, kind: UrlKind):
    assert SITE.url_kind(url) is kind


# fmt: off
CANONICAL: list[Any] = [
    pytest.param(LEGACY_ARTICLE, None, LEGACY_ARTICLE, id="already-canonical"),
    pytest.param(LEGACY_ARTICLE.replace("https://", "https://m."), None, LEGACY_ARTICLE,
                 id="mobile-host"),
    pytest.param(LEGACY_ARTICLE.replace("https://", "https://tab."), None, LEGACY_ARTICLE,
                 id="tablet-host"),
    pytest.param(LEGACY_ARTICLE.replace("https://", "http://www."), None, LEGACY_ARTICLE,
                 id="www-host-http"),
    pytest.param(LEGACY_ARTICLE.replace("https://baohaiduong.vn", "https://BaoHaiDuong.VN"), None,
                 LEGACY_ARTICLE, id="host-case"),
    pytest.param(LEGACY_ARTICLE + "?utm_source=zalo&utm_medium=share", None, LEGACY_ARTICLE,
                 id="article-tracking-query-dropped"),
    pytest.param(LEGACY_ARTICLE + "?page=2", None, LEGACY_ARTICLE, id="article-any-query-dropped"),
    pytest.param(LEGACY_ARTICLE + "#binh-luan", None, LEGACY_ARTICLE, id="fragment-dropped"),
    pytest.param(LEGACY_ARTICLE + "/", None, LEGACY_ARTICLE, id="article-trailing-slash"),
    pytest.param("https://m.baohaiduong.vn\\kinh-te\\khoi-cong-cau-vuot-song-thai-binh-noi-hai-huyen"
                 "-phia-bac-160231", None, LEGACY_ARTICLE, id="backslashes"),
    pytest.param("https://baohaiduong.vn//kinh-te//khoi-cong-cau-vuot-song-thai-binh-noi-hai-huyen"
                 "-phia-bac-160231", None, LEGACY_ARTICLE, id="doubled-slashes"),
    pytest.param("/kinh-te/khoi-cong-cau-vuot-song-thai-binh-noi-hai-huyen-phia-bac-160231",
                 "https://m.baohaiduong.vn/chuyen-muc/kinh-te/5", LEGACY_ARTICLE,
                 id="root-relative-with-base"),
    pytest.param("//tab.baohaiduong.vn/kinh-te/khoi-cong-cau-vuot-song-thai-binh-noi-hai-huyen"
                 "-phia-bac-160231", "https://baohaiduong.vn/", LEGACY_ARTICLE,
                 id="protocol-relative-with-base"),
    pytest.param("  " + CURRENT_ARTICLE + "?utm_campaign=x \n", None, CURRENT_ARTICLE,
                 id="current-article-whitespace-and-tracking"),
    pytest.param("https://baohaiduong.vn/chuyen-muc/kinh-te/5?page=3&utm_source=paging", None,
                 "https://baohaiduong.vn/chuyen-muc/kinh-te/5?page=3",
                 id="listing-keeps-page-drops-tracking"),
    pytest.param("http://m.baohaiduong.vn/giao-duc/p2?fbclid=abc", None,
                 "https://baohaiduong.vn/giao-duc/p2", id="current-listing-page-mobile-fbclid"),
    pytest.param("https://vnexpress.net/cau-lon-mien-bac-4441234.html", None, None,
                 id="foreign-host-none"),
    pytest.param("https://baohaiduong.vn.invalid/kinh-te/gia-lua-160220", None, None,
                 id="lookalike-host-none"),
    pytest.param("javascript:window.print()", None, None, id="javascript-none"),
    pytest.param("mailto:toasoan@baohaiduong.vn", None, None, id="mailto-none"),
    pytest.param("#binh-luan", LEGACY_ARTICLE, None, id="fragment-only-none"),
    pytest.param("", None, None, id="empty-none"),
    pytest.param("ftp://baohaiduong.vn/kinh-te/gia-lua-xuan-tang-nhe-160220", None, None,
                 id="ftp-none"),
]
# fmt: on


@pytest.mark.parametrize(("url", "base", "expected"), CANONICAL)
def test_canonical_url(url: str, base: str | None, expected: str | None):
    assert SITE.canonical_url(url, base=base) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        pytest.param(LEGACY_ARTICLE, "160231", id="legacy"),
        pytest.param(CURRENT_ARTICLE, "401122", id="current"),
        pytest.param(
            "https://m.baohaiduong.vn/kinh-te/hai-duong-dau-tu-3-cay-cau-lon-trong-nam-2022-160001"
            "?utm_source=x",
            "160001",
            id="digits-in-slug-mobile-tracking",
        ),
        pytest.param(
            "https://baohaiduong.vn/gan-2-000-hoc-sinh-thi-chon-hoc-sinh-gioi-387551.html",
            "387551",
            id="current-digits-in-slug",
        ),
        pytest.param("https://baohaiduong.vn/chuyen-muc/kinh-te/5", None, id="listing-has-none"),
        pytest.param("https://baohaiduong.vn/", None, id="home-has-none"),
    ],
)
def test_source_id(url: str, expected: str | None):
    assert SITE.source_id(url) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        pytest.param("https://baohaiduong.vn/chuyen-muc/kinh-te/5", "kinh-te", id="legacy"),
        pytest.param(
            "https://baohaiduong.vn/chuyen-muc/khoa-hoc---giao-duc/17?page=2",
            "khoa-hoc---giao-duc",
            id="legacy-page",
        ),
        pytest.param("https://baohaiduong.vn/giao-duc/", "giao-duc", id="current"),
        pytest.param("https://baohaiduong.vn/giao-duc/p2", "giao-duc", id="current-page"),
        pytest.param(LEGACY_ARTICLE, None, id="article-is-not-a-listing"),
        pytest.param("https://baohaiduong.vn/tag/", None, id="tag-is-not-a-section"),
        pytest.param("https://baohaiduong.vn/rss/", None, id="rss-is-not-a-section"),
    ],
)
def test_listing_section(url: str, expected: str | None):
    assert SITE.listing_section(url) == expected


def test_site_registry_finds_the_profile_by_any_host():
    assert site_for_url("https://tab.baohaiduong.vn/giao-duc/") is SITE
    assert site_for_url("https://vnexpress.net/") is None
    assert SITE.name == "baohaiduong"


# --- listings ------------------------------------------------------------------------


def _read(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


# fmt: off
LISTINGS: list[Any] = [
    pytest.param(
        "legacy-section.html", "https://baohaiduong.vn/chuyen-muc/kinh-te/5?page=2",
        [("https://baohaiduong.vn/kinh-te/khoi-cong-cau-vuot-song-thai-binh-noi-hai-huyen-phia-bac"
          "-160231", "2022-03-15T08:05:00+07:00"),
         ("https://baohaiduong.vn/kinh-te/gia-lua-xuan-tang-nhe-160220",
          "2022-03-14T16:40:00+07:00"),
         ("https://baohaiduong.vn/kinh-te/hai-duong-thu-hut-von-fdi-160199",
          "2022-03-13T09:15:00+07:00")],
        "https://baohaiduong.vn/chuyen-muc/kinh-te/5?page=3",
        id="legacy-dedup-foreign-dropped-hosts-collapsed-h3-fallback",
    ),
    pytest.param(
        "legacy-section-last-page.html", "https://baohaiduong.vn/chuyen-muc/ban-doc/47?page=41",
        [("https://baohaiduong.vn/ban-doc/thu-cam-on-cua-mot-benh-nhan-120011",
          "2019-06-05T10:00:00+07:00")],
        None,
        id="legacy-last-page-has-no-next",
    ),
    pytest.param(
        "current-section.html", "https://baohaiduong.vn/van-hoa/p2",
        [("https://baohaiduong.vn/ra-mat-cau-lac-bo-ca-tru-phuong-nhi-chau-401122.html",
          "2024-05-12T21:40:00+07:00"),
         ("https://baohaiduong.vn/bao-ton-nghe-thuat-ca-tru-xu-dong-399870.html", None),
         ("https://baohaiduong.vn/le-hoi-con-son-kiep-bac-mua-thu-398001.html", None)],
        "https://baohaiduong.vn/van-hoa/p3",
        id="current-time-datetime-section-link-skipped-www-collapsed",
    ),
]
# fmt: on


@pytest.mark.parametrize(("fixture", "url", "entries", "next_page"), LISTINGS)
def test_parse_listing(
    fixture: str, url: str, entries: list[tuple[str, str | None]], next_page: str | None
):
    listing = SITE.parse_listing(_read(fixture), url)
    assert [(e.url, e.published_at) for e in listing.entries] == entries
    assert listing.articles == [u for u, _ in entries]
    assert listing.next_page == next_page


def test_listing_entries_carry_titles():
    listing = SITE.parse_listing(_read("current-section.html"), "https://baohaiduong.vn/van-hoa/p2")
    assert listing.entries[0].title == "Ra mắt câu lạc bộ ca trù phường Nhị Châu"


@pytest.mark.parametrize(
    ("raw", "url"),
    [
        pytest.param(_read("legacy-article.html"), LEGACY_ARTICLE, id="article-page"),
        pytest.param(b"", "https://baohaiduong.vn/giao-duc/", id="empty"),
        pytest.param(b"\x00\x01\x02binary", "https://baohaiduong.vn/giao-duc/", id="binary"),
        pytest.param(_read("error-404.html"), "https://baohaiduong.vn/giao-duc/", id="error-page"),
    ],
)
def test_parse_listing_of_a_non_listing_is_empty(raw: bytes, url: str):
    listing = SITE.parse_listing(raw, url)
    assert listing.entries == []
    assert listing.next_page is None


@pytest.mark.parametrize(
    ("layout", "fixture", "matches", "is_article"),
    [
        pytest.param(
            LegacyLayout, "legacy-article.html", True, True, id="legacy-on-legacy-article"
        ),
        pytest.param(LegacyLayout, "legacy-section.html", True, False, id="legacy-on-listing"),
        pytest.param(LegacyLayout, "current-article.html", False, False, id="legacy-on-current"),
        pytest.param(CurrentLayout, "current-article.html", True, True, id="current-on-current"),
        pytest.param(CurrentLayout, "current-section.html", True, False, id="current-on-listing"),
        pytest.param(CurrentLayout, "legacy-article.html", False, False, id="current-on-legacy"),
        pytest.param(LegacyLayout, "unknown-layout-article.html", False, False, id="legacy-unseen"),
        pytest.param(
            CurrentLayout, "unknown-layout-article.html", False, False, id="current-unseen"
        ),
    ],
)
def test_layout_is_chosen_by_what_the_page_is(layout, fixture, matches, is_article):
    doc = lxml.html.document_fromstring(_read(fixture))
    recognised = (
        layout().is_article(doc) or layout().listing(doc, "https://baohaiduong.vn/") is not None
    )
    assert recognised is matches
    assert layout().is_article(doc) is is_article


# --- feeds and sitemaps ----------------------------------------------------------------


def test_parse_feed_dates_hosts_and_duplicates():
    entries = SITE.parse_feed(_read("legacy-rss.xml"), "https://baohaiduong.vn/rss/kinh-te.rss")
    assert [(e.url, e.published_at) for e in entries] == [
        (
            "https://baohaiduong.vn/kinh-te/khoi-cong-cau-vuot-song-thai-binh-noi-hai-huyen-phia-bac"
            "-160231",
            "2022-03-15T08:05:09+07:00",
        ),
        (
            "https://baohaiduong.vn/kinh-te/gia-lua-xuan-tang-nhe-160220",
            "2022-03-14T16:40:00+07:00",
        ),
        (
            "https://baohaiduong.vn/kinh-te/hai-duong-thu-hut-von-fdi-160199",
            "2022-03-13T09:15:00+07:00",
        ),
        ("https://baohaiduong.vn/kinh-te/bai-khong-ro-ngay-160100", None),
    ]
    assert entries[1].title == "Giá lúa xuân tăng nhẹ"


# fmt: off
FEED_DATES: list[Any] = [
    pytest.param("22/01/2021 17:11:16", "2021-01-22T17:11:16+07:00", id="rss-non-standard-local"),
    pytest.param("Fri, 22 Jan 2021 09:40:00 GMT", "2021-01-22T16:40:00+07:00",
                 id="rss-gmt-converted"),
    pytest.param("Fri, 22 Jan 2021 08:15:00 +0700", "2021-01-22T08:15:00+07:00",
                 id="rss-plus-0700"),
    pytest.param("Fri, 22 Jan 2021 08:15:00 GMT+7", "2021-01-22T08:15:00+07:00",
                 id="rss-gmt-plus-7-not-minus"),
    pytest.param("2021-01-22T02:15:00Z", "2021-01-22T09:15:00+07:00", id="atom-zulu"),
    pytest.param("hôm qua", None, id="unparseable-is-absent-not-now"),
]
# fmt: on


@pytest.mark.parametrize(("pub_date", "expected"), FEED_DATES)
def test_feed_date_formats(pub_date: str, expected: str | None):
    rss = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><item>'
        "<link>https://baohaiduong.vn/kinh-te/gia-lua-xuan-tang-nhe-160220</link>"
        f"<pubDate>{pub_date}</pubDate></item></channel></rss>"
    ).encode()
    entries = SITE.parse_feed(rss, "https://baohaiduong.vn/rss/home.rss")
    assert [e.published_at for e in entries] == [expected]


def test_parse_atom_feed():
    atom = (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        '<entry><title>Ra mắt</title><link href="https://m.baohaiduong.vn/ra-mat-cau-lac-bo-ca-tru'
        '-phuong-nhi-chau-401122.html"/><published>2024-05-12T14:40:00Z</published></entry></feed>'
    ).encode()
    entries = SITE.parse_feed(atom, "https://baohaiduong.vn/rss/home.rss")
    assert [(e.url, e.published_at) for e in entries] == [
        (CURRENT_ARTICLE, "2024-05-12T21:40:00+07:00")
    ]


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b"<html><body><p>not a feed</p></body></html>", id="html-page"),
        pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00", id="binary"),
        pytest.param(b'<?xml version="1.0"?><rss><channel><item>', id="truncated"),
    ],
)
def test_parse_feed_of_a_non_feed_is_empty(raw: bytes):
    assert SITE.parse_feed(raw, "https://baohaiduong.vn/rss/home.rss") == []


def test_parse_sitemap():
    entries, children = SITE.parse_sitemap(
        _read("sitemap.xml"), "https://baohaiduong.vn/sitemap.xml"
    )
    assert [(e.url, e.modified_at) for e in entries] == [
        (CURRENT_ARTICLE, "2024-05-13T08:02:10+07:00"),
        (
            "https://baohaiduong.vn/bao-ton-nghe-thuat-ca-tru-xu-dong-399870.html",
            "2024-04-30T23:59:59+07:00",  # a date alone: the end of that day
        ),
    ]
    assert children == []


def test_parse_sitemap_index():
    entries, children = SITE.parse_sitemap(
        _read("sitemap-index.xml"), "https://baohaiduong.vn/sitemap.xml"
    )
    assert entries == []
    assert [(c.url, c.modified_at) for c in children] == [
        ("https://baohaiduong.vn/sitemap-2024-05.xml", "2024-05-31T23:00:00+07:00"),
        ("https://baohaiduong.vn/sitemap-2024-04.xml", None),
    ]


def test_a_sitemap_is_read_as_a_stream():
    """Each <url> is let go once read: a 50,000-link file never sits whole as a tree
    (the parser reads ahead a buffer's worth, so a few hundred are held at most)."""
    from newsbot.sites.portal import PortalSite

    n = 5000
    rows = "".join(f"<url><loc>https://baohaiduong.vn/a-{i}.html</loc></url>" for i in range(n))
    data = f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{rows}</urlset>'
    held = [len(node.getparent()) for node in PortalSite._xml_stream(data, ("url",))]
    assert len(held) == n and max(held) < n // 4
