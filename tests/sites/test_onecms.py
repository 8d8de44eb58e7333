"""The OneCMS layout family: URL rules, both templates, boxes, captions, listings, sitemaps.

Rows are the platform's quirks PORTAL.md ("The portal today") names, run on the
Báo Hải Dương profile's baohaiphong.vn hosts and on small pages written here.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from newsbot.sites import get_site, site_for_url
from newsbot.sites.base import UrlKind
from newsbot.sites.onecms import day_file_wanted, day_of_sitemap, sitemap_needed

SITE = get_site("baohaiduong")
ART = "https://baohaiphong.vn/gia-loc-co-120-ha-rau-mau-543127.html"

# fmt: off
URL_KINDS: list[Any] = [
    pytest.param(ART, UrlKind.ARTICLE, id="article"),
    pytest.param("https://m.baohaiphong.vn/gia-loc-co-120-ha-rau-mau-543127.html", UrlKind.ARTICLE,
                 id="article-mobile-host"),
    pytest.param("https://baohaiphong.vn/kinh-te", UrlKind.LISTING, id="section"),
    pytest.param("https://baohaiphong.vn/phap-luat/tin-tuc", UrlKind.LISTING, id="sub-section"),
    pytest.param("https://baohaiphong.vn/gia-loc-ptag.html", UrlKind.OTHER, id="tag-page"),
    pytest.param("https://baohaiphong.vn/video/phien-cho-que-543088.html", UrlKind.OTHER,
                 id="video-page-not-article"),
    pytest.param("https://baohaiphong.vn/emagazine", UrlKind.OTHER, id="emagazine-hub"),
    pytest.param("https://baohaiphong.vn/thoi-tiet-hai-phong", UrlKind.OTHER, id="weather-page"),
    pytest.param("https://baohaiphong.vn/tac-gia/thanh-ha-1024.html", UrlKind.OTHER,
                 id="author-page"),
    pytest.param("https://baohaiphong.vn/sitemap-article-2026-05-14.xml", UrlKind.SITEMAP,
                 id="day-sitemap"),
    pytest.param("https://baohaiphong.vn/rss/tin-moi-nhat.rss", UrlKind.FEED, id="rss"),
    pytest.param("https://bhd.1cdn.vn/2026/03/12/a.jpg", UrlKind.OTHER, id="image-bucket"),
]

CANONICAL: list[Any] = [
    pytest.param("https://m.baohaiphong.vn/x-543127.html?utm_source=zalo#top",
                 "https://baohaiphong.vn/x-543127.html", id="mobile-tracking-fragment"),
    pytest.param("http://www.baohaiphong.vn/x-543127.html", "https://baohaiphong.vn/x-543127.html",
                 id="www-http"),
    pytest.param("https://tab.baohaiphong.vn/kinh-te/", "https://baohaiphong.vn/kinh-te",
                 id="section-trailing-slash"),
    pytest.param("https://baohaiduong.vn/x-394829.html", "https://baohaiduong.vn/x-394829.html",
                 id="old-domain-stays-old"),
    pytest.param("https://bhd.1cdn.vn/x-1.html", None, id="image-bucket-not-publisher"),
]
# fmt: on


@pytest.mark.parametrize(("url", "kind"), URL_KINDS)
def test_url_kind(url: str, kind: UrlKind):
    assert SITE.url_kind(SITE.canonical_url(url) or url) is kind


@pytest.mark.parametrize(("url", "canonical"), CANONICAL)
def test_canonical_url(url: str, canonical: str | None):
    assert SITE.canonical_url(url) == canonical


def test_one_profile_owns_both_domains_and_ids_continue():
    assert site_for_url(ART) is SITE
    assert site_for_url("https://baohaiduong.vn/x-394829.html") is SITE
    assert SITE.source_id(ART) == "543127"
    assert SITE.source_id("https://baohaiphong.vn/gia-loc-ptag.html") is None
    assert SITE.listing_section("https://baohaiphong.vn/phap-luat/tin-tuc") == "phap-luat/tin-tuc"


def test_day_of_sitemap():
    assert str(day_of_sitemap("https://baohaiphong.vn/sitemap-article-2026-05-14.xml")) == (
        "2026-05-14"
    )
    assert day_of_sitemap("https://baohaiphong.vn/sitemap-news.xml") is None
    assert day_of_sitemap("https://baohaiphong.vn/sitemap-article-2026-02-30.xml") is None


def _page(head: str, main: str) -> str:
    return (
        "<html><head><title>T - Báo Hải Phòng</title></head><body>"
        '<ol class="breadcrumb"><li class="breadcrumb-item"><a href="/">Trang chủ</a></li>'
        '<li class="breadcrumb-item"><a href="/xa-hoi">Xã hội</a></li></ol>'
        f"{head}{main}</body></html>"
    )


NORMAL_HEAD = (
    '<div class="c-detail-head"><h1 class="c-detail-head__title">Tiêu đề bài</h1>'
    '<div class="c-detail-head__row"><span class="c-detail-head__time">15-01-2024 13:04</span>'
    '<span class="c-detail-head__author">MINH AN</span></div></div>'
)


def _article(entry: str, head: str = NORMAL_HEAD, after: str = "") -> dict[str, Any]:
    main = (
        '<div class="b-maincontent"><p class="desc">Lời dẫn.</p>'
        f'<div class="entry">{entry}</div>{after}</div>'
    )
    outcome = SITE.parse_article(
        _page(head, main), "https://baohaiphong.vn/tieu-de-bai-550001.html"
    )
    assert outcome.ok, outcome.error
    return outcome.record or {}


def test_date_printed_day_first_with_dashes():
    record = _article("<p>Một đoạn văn.</p>")
    assert record["published_at"] == "2024-01-15T13:04:00+07:00"
    assert record["lead"] == "Lời dẫn."
    assert record["author"] == "MINH AN"
    assert record["section"] == "Xã hội"
    assert record["provenance"]["body"] == "layout:onecms"


def test_ad_box_dropped_related_box_read_and_not_body():
    record = _article(
        "<p>Đoạn một.</p>"
        '<div class="c-box" id="ads_after_sapo_1"><div class="c-box__label">Quảng cáo</div></div>'
        '<div class="c-box"><div class="c-box__title"><h2 class="c-box__title__name">Bài liên quan'
        '</h2></div><ul><li><a href="/bai-khac-549000.html">Bài khác</a></li></ul></div>'
        "<p>Đoạn hai.</p>"
    )
    assert record["body"] == "Đoạn một.\n\nĐoạn hai."
    assert record["related"] == [
        {"url": "https://baohaiphong.vn/bai-khac-549000.html", "title": "Bài khác"}
    ]


def test_related_box_keeps_articles_only():
    # The record contract: tag pages (-ptag.html) and section pages are not related
    # articles, nor is a page of the video hub, even inside a "Bài liên quan" box.
    record = _article(
        "<p>Đoạn.</p>"
        '<div class="c-box"><div class="c-box__title"><h2 class="c-box__title__name">Bài liên quan'
        '</h2></div><ul><li><a href="/gia-loc-ptag.html">Gia Lộc</a></li>'
        '<li><a href="/kinh-te">Kinh tế</a></li>'
        '<li><a href="/video/clip-moi-541000.html">Clip</a></li>'
        '<li><a href="https://baohaiduong.vn/kinh-te/bai-cu-140001">Bài cũ</a></li>'
        '<li><a href="/bai-khac-549000.html">Bài khác</a></li></ul></div>'
    )
    assert record["related"] == [
        {"url": "https://baohaiduong.vn/kinh-te/bai-cu-140001", "title": "Bài cũ"},
        {"url": "https://baohaiphong.vn/bai-khac-549000.html", "title": "Bài khác"},
    ]


def test_box_with_other_title_gives_no_related_links():
    record = _article(
        "<p>Đoạn.</p>",
        after='<div class="c-box"><div class="c-box__title"><h3 class="c-box__title__name">'
        'Tin cùng chuyên mục</h3></div><a href="/bai-khac-549000.html">Bài khác</a></div>',
    )
    assert record["related"] == []


def test_grey_placeholder_and_lightgallery_caption():
    record = _article(
        '<figure class="expNoEdit"><a class="lightgallery" href="/x.jpg">'
        '<img src="https://bhd.1cdn.vn/assets/images/grey.gif" data-src="//bhd.1cdn.vn/a.jpg"></a>'
        '<div class="lg-caption"><h2>Chú thích ảnh</h2></div></figure><p>Đoạn.</p>'
    )
    assert record["images"] == [{"url": "https://bhd.1cdn.vn/a.jpg", "caption": "Chú thích ảnh"}]
    assert record["body"] == "Đoạn."


def test_author_from_credit_block_when_head_has_none():
    head = NORMAL_HEAD.replace('<span class="c-detail-head__author">MINH AN</span>', "")
    record = _article(
        "<p>Đoạn.</p>",
        head=head,
        after='<div class="c-author-page"><span class="c-author-page__name">Hà Linh</span></div>',
    )
    assert record["author"] == "Hà Linh"


def test_longform_header_is_not_body():
    head = ""
    entry = (
        '<div class="sc-longform-header"><div class="sc-longform-header-text">'
        '<h1 class="sc-longform-header-title block-sc-title">Bài dài</h1>'
        '<p class="sc-longform-header-sapo block-sc-sapo">Sapo dài.</p>'
        '<span class="sc-longform-header-author block-sc-author">THU HÀ</span>'
        '<span class="sc-longform-header-date block-sc-publish-time">17:22 17/08/2025</span>'
        '</div></div><div class="sc-empty-layer"></div><p>Thân bài.</p>'
    )
    record = _article(entry, head=head)
    assert record["title"] == "Bài dài"
    assert record["lead"] == "Sapo dài."
    assert record["author"] == "THU HÀ"
    # Time first, then the day: still day-first (17 August, never a 17th month).
    assert record["published_at"] == "2025-08-17T17:22:00+07:00"
    assert record["body"] == "Thân bài."
    assert record["provenance"]["title"] == "layout:onecms-longform"


def test_listing_reads_the_list_not_the_sidebar():
    html = _page(
        "",
        '<div class="c-layout__main"><ul class="b-grid__list onecms__loading">'
        '<li pid="550002"><h3 class="b-grid__title"><a href="/bai-hai-550002.html">Bài hai</a>'
        "</h3><time>14/05/2026 15:25</time></li>"
        '<li pid="550001"><h3 class="b-grid__title"><a href="/bai-mot-550001.html?utm_source=x">'
        "Bài một</a></h3></li></ul>"
        '<div class="c-more onecms__loadmore"><a href="javascript:;">Xem thêm</a></div></div>'
        '<aside><h3 class="b-grid__title"><a href="/doc-nhieu-549999.html">Đọc nhiều</a></h3>'
        "</aside>",
    )
    listing = SITE.parse_listing(html, "https://baohaiphong.vn/xa-hoi")
    assert listing.articles == [
        "https://baohaiphong.vn/bai-hai-550002.html",
        "https://baohaiphong.vn/bai-mot-550001.html",
    ]
    assert listing.entries[0].published_at == "2026-05-14T15:25:00+07:00"
    assert listing.next_page is None  # the load-more button is JavaScript


def test_day_sitemap_lastmod_kept_verbatim():
    xml = (
        b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<url><loc>https://baohaiphong.vn/a-552447.html</loc>"
        b"<lastmod>2026-05-14T16:48:13+07:00</lastmod></url></urlset>"
    )
    entries, children = SITE.parse_sitemap(
        xml, "https://baohaiphong.vn/sitemap-article-2026-05-14.xml"
    )
    assert children == []
    assert [(e.url, e.modified_at) for e in entries] == [
        ("https://baohaiphong.vn/a-552447.html", "2026-05-14T16:48:13+07:00")
    ]


# --- which day files a run reads ------------------------------------------------------

TODAY = date(2026, 12, 1)

# fmt: off
DAY_FILES: list[Any] = [
    pytest.param(TODAY, {}, True, id="today"),
    pytest.param(TODAY - timedelta(1), {}, True, id="yesterday"),
    pytest.param(TODAY - timedelta(2), {}, False, id="two-days-ago-is-final"),
    pytest.param(TODAY - timedelta(2), {"last_complete": None}, True,
                 id="no-complete-run-reads-all"),
    pytest.param(TODAY - timedelta(3), {"last_complete": TODAY - timedelta(2)}, True,
                 id="live-at-the-last-complete-run-read-again"),
    pytest.param(TODAY - timedelta(4), {"last_complete": TODAY - timedelta(2)}, False,
                 id="final-before-the-last-complete-run"),
    pytest.param(TODAY - timedelta(30), {"refresh_all": True}, True, id="refresh-all"),
    pytest.param(date(2026, 5, 1), {"since": date(2026, 5, 1)}, True, id="since-day-itself"),
    pytest.param(date(2026, 4, 30), {"since": date(2026, 5, 1)}, False, id="before-since"),
    pytest.param(TODAY, {"since": date(2026, 5, 1), "until": date(2026, 6, 1)}, False,
                 id="after-until"),
    pytest.param(TODAY - timedelta(2), {"live_days": 3}, True, id="a-wider-refresh-rule"),
]
# fmt: on


@pytest.mark.parametrize(("day", "kwargs", "wanted"), DAY_FILES)
def test_day_file_wanted(day: date, kwargs: dict[str, Any], wanted: bool):
    options: dict[str, Any] = {"today": TODAY, "last_complete": TODAY, **kwargs}
    assert day_file_wanted(day, **options) is wanted


def test_index_files_without_new_articles_are_not_needed():
    assert sitemap_needed("https://baohaiphong.vn/sitemap-news.xml")
    assert sitemap_needed("https://baohaiphong.vn/sitemap-article-2026-05-14.xml")
    assert not sitemap_needed("https://baohaiphong.vn/sitemap-category.xml")
    assert not sitemap_needed("https://baohaiphong.vn/sitemap-article-daily.xml")


def test_crawling_from_the_new_host():
    site = SITE.on_host("baohaiphong.vn")
    assert site.name == "baohaiduong"
    assert site.start_urls == ("https://baohaiphong.vn/",)
    assert site.section_listing_url("kinh-te") == "https://baohaiphong.vn/kinh-te"
    assert site.on_host("baohaiduong.vn") is SITE
    with pytest.raises(ValueError, match="not a host"):
        SITE.on_host("example.org")


def test_box_title_and_link_text_read_as_xpath_reads_them():
    """_normalize_space and _string_value (the related boxes' title and link tests)
    against XPath's normalize-space() and string value, on random markup."""
    import random

    import lxml.html

    from newsbot.sites.onecms import _normalize_space, _string_value

    rng = random.Random(3)
    pieces = ["a", "b", " ", "  ", "\t", "\n", "\r", "\xa0", "é", "<b>x</b>", "<i> </i>"]
    for _ in range(1500):
        inner = "".join(rng.choice(pieces) for _ in range(rng.randrange(0, 6)))
        el = lxml.html.fragment_fromstring(f"<h2>{inner}</h2>")
        assert _string_value(el) == el.xpath("string()")
        assert _normalize_space(_string_value(el)) == el.xpath("normalize-space()")
