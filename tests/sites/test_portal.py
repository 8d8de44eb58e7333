"""Article parsing of newsbot.sites.portal.PortalSite through the Báo Hải Dương profile.

One named row per real-world quirk of the portal's two layouts (PORTAL.md), on fixture
pages written for these tests (``tests/fixtures/baohaiduong``), plus the malformed
inputs a crawl meets: none of them may raise out of ``parse_article``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from newsbot.sites import get_site
from newsbot.sites.base import ParseOutcome

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "baohaiduong"
SITE = get_site("baohaiduong")
HOSTS = {"baohaiduong.vn", "www.baohaiduong.vn", "m.baohaiduong.vn", "tab.baohaiduong.vn"}

LEGACY = "legacy-article.html"
LEGACY_URL = (
    "https://baohaiduong.vn/kinh-te/khoi-cong-cau-vuot-song-thai-binh-noi-hai-huyen-phia-bac-160231"
)
SUNDAY = "legacy-article-sunday.html"
SUNDAY_URL = (
    "https://baohaiduong.vn/van-hoa---giai-tri/le-hoi-hoa-dao-chi-linh-thu-hut-du-khach-160301"
)
CURRENT = "current-article.html"
CURRENT_URL = "https://baohaiduong.vn/ra-mat-cau-lac-bo-ca-tru-phuong-nhi-chau-401122.html"
NO_IMAGES = "current-article-no-images.html"
NO_IMAGES_URL = "https://baohaiduong.vn/hai-duong-dieu-chinh-gio-hoc-mua-dong-402340.html"
UNKNOWN = "unknown-layout-article.html"
UNKNOWN_URL = "https://baohaiduong.vn/nong-dan-thanh-ha-thu-hoach-vai-som-512345.html"

URLS = {
    LEGACY: LEGACY_URL,
    SUNDAY: SUNDAY_URL,
    CURRENT: CURRENT_URL,
    NO_IMAGES: NO_IMAGES_URL,
    UNKNOWN: UNKNOWN_URL,
}

LEGACY_BODY = "\n\n".join(
    [
        "Cầu vượt sông Thái Bình có chiều dài gần 1,2 km, nối huyện Nam Sách với thành phố "
        "Hải Dương, được thiết kế với 4 làn xe cơ giới.",
        "Theo chủ đầu tư, các hạng mục chính sẽ hoàn thành sau 30 tháng thi công; người dân "
        "hai bên bờ sông sẽ không còn phải đi đò qua sông.",
        "Bản tin phát thanh về lễ khởi công:",
        "Phát biểu tại lễ khởi công, lãnh đạo tỉnh yêu cầu nhà thầu bảo đảm chất lượng, an toàn "
        "lao động và vệ sinh môi trường trong suốt quá trình thi công.",
    ]
)


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@cache
def _outcome(name: str) -> ParseOutcome:
    return SITE.parse_article(fixture_bytes(name), URLS[name])


def record_of(name: str) -> dict[str, Any]:
    outcome = _outcome(name)
    assert outcome.ok, outcome.error
    return outcome.record


def _urls(items: list[dict[str, Any]]) -> list[str]:
    return [i["url"] for i in items]


def _paragraphs(r: dict[str, Any]) -> list[str]:
    return r["body"].split("\n\n")


# (fixture, what to read from the record, expected value)
# fmt: off
QUIRKS: list[Any] = [
    # --- legacy layout ------------------------------------------------------------
    pytest.param(LEGACY, lambda r: r["published_at"], "2022-03-15T08:05:09+07:00",
                 id="legacy-weekday-in-capitals-date-line"),
    pytest.param(SUNDAY, lambda r: r["published_at"], "2022-03-20T07:05:00+07:00",
                 id="legacy-chu-nhat-date-line-one-digit-hour"),
    pytest.param(LEGACY, lambda r: r["title"],
                 "Khởi công cầu vượt sông Thái Bình nối hai huyện phía Bắc", id="legacy-title"),
    pytest.param(LEGACY, lambda r: r["lead"],
                 "Sáng 15.3, tỉnh Hải Dương khởi công xây dựng cầu vượt sông Thái Bình với tổng "
                 "mức đầu tư hơn 1.000 tỷ đồng.", id="legacy-lead-from-sapo"),
    pytest.param(LEGACY, lambda r: r["body"], LEGACY_BODY, id="legacy-body-exact"),
    pytest.param(LEGACY, lambda r: r["section"], "Kinh tế", id="legacy-section-from-breadcrumb"),
    pytest.param(LEGACY, lambda r: (r["url"], r["source_id"], r["site"], r["language"]),
                 (LEGACY_URL, "160231", "baohaiduong", "vi"), id="legacy-identity-fields"),
    pytest.param(LEGACY, lambda r: r["images"][0]["url"],
                 "https://media.baohaiduong.vn/files/library/images/site-1/20220315/web/cau-vuot-01.jpg",
                 id="legacy-image-src-relative-backslashes-on-media-host"),
    pytest.param(LEGACY, lambda r: r["images"][1]["url"],
                 "https://media.baohaiduong.vn/files/library/images/site-1/20220315/web/cau-vuot-02.jpg",
                 id="legacy-image-src-media-host-backslashes"),
    pytest.param(LEGACY, lambda r: r["images"][0]["caption"],
                 "Các đại biểu thực hiện nghi thức khởi công cầu vượt sông Thái Bình",
                 id="legacy-caption-table"),
    pytest.param(LEGACY, lambda r: r["images"][1]["caption"], None,
                 id="legacy-image-in-paragraph-alt-is-not-a-caption"),
    pytest.param(LEGACY, lambda r: r["media"],
                 [{"url": "https://baohaiduong.vn/files/library/audio/2022/03/ban-tin-160231.mp3",
                   "kind": "audio"},
                  {"url": "https://media.baohaiduong.vn/files/library/videos/2022/03/"
                          "khoi-cong-cau-vuot.mp4", "kind": "video"}],
                 id="legacy-audio-video-source-to-media"),
    pytest.param(LEGACY, lambda r: _urls(r["related"]),
                 ["https://baohaiduong.vn/kinh-te/phe-duyet-du-an-cau-vuot-song-thai-binh-159870",
                  "https://baohaiduong.vn/kinh-te/giai-phong-mat-bang-cho-du-an-giao-thong-trong-diem-160012",
                  "https://baohaiduong.vn/xa-hoi/nguoi-dan-nam-sach-mong-cho-cay-cau-moi-160150",
                  "https://baohaiduong.vn/kinh-te/hai-duong-dau-tu-3-cay-cau-lon-trong-nam-2022-160001"],
                 id="legacy-related-inline-then-block-each-once-canonical"),
    pytest.param(LEGACY, lambda r: [x["title"] for x in r["related"]][:3],
                 ["Phê duyệt dự án cầu vượt sông Thái Bình",
                  "Giải phóng mặt bằng cho dự án giao thông trọng điểm",
                  "Người dân Nam Sách mong chờ cây cầu mới"],
                 id="legacy-related-several-links-in-one-br-paragraph-and-double-chevron"),
    pytest.param(LEGACY, lambda r: [u for u in _urls(r["related"])
                                    if urlsplit(u).hostname != "baohaiduong.vn"],
                 [], id="legacy-related-foreign-hosts-dropped"),
    pytest.param(LEGACY, lambda r: [u for u in _urls(r["related"]) if "?" in u or "#" in u],
                 [], id="legacy-related-utm-and-fragment-collapsed"),
    pytest.param(LEGACY, lambda r: [p for p in _paragraphs(r) if ">>" in p or "Phê duyệt" in p],
                 [], id="legacy-related-lines-not-in-body"),
    pytest.param(LEGACY, lambda r: (r["author"], "HOÀNG LINH" in r["body"]),
                 ("HOÀNG LINH", False), id="legacy-byline-last-right-aligned-bold"),
    pytest.param(SUNDAY, lambda r: (r["author"], _paragraphs(r)[-1]),
                 (None, "Theo Ban tổ chức lễ hội"),
                 id="legacy-right-aligned-non-bold-last-paragraph-stays-in-body"),
    pytest.param(LEGACY, lambda r: [p for p in _paragraphs(r) if not p.strip() or "\xa0" in p],
                 [], id="legacy-nbsp-only-paragraphs-dropped"),
    pytest.param(LEGACY, lambda r: _paragraphs(r)[0][-11:], "xe cơ giới.",
                 id="legacy-nbsp-at-paragraph-end-removed"),
    pytest.param(LEGACY, lambda r: ("các hạng mục" in r["body"],
                                    unicodedata.is_normalized("NFC", r["body"])),
                 (True, True), id="legacy-numeric-entity-with-combining-mark-is-nfc"),
    pytest.param(LEGACY, lambda r: [w for w in ("document.write", "Quảng cáo", "vay tiêu dùng",
                                                "adsbygoogle") if w in r["body"]],
                 [], id="legacy-scripts-and-ads-in-body-excluded"),
    pytest.param(LEGACY, lambda r: r["lead"] in r["body"], False, id="legacy-lead-not-in-body"),
    pytest.param(LEGACY, lambda r: r["tags"], ["cầu vượt sông Thái Bình", "giao thông", "Nam Sách"],
                 id="legacy-tags-in-order"),
    pytest.param(LEGACY, lambda r: "modified_at" in r, False,
                 id="legacy-no-modified-at-when-page-states-none"),
    pytest.param(SUNDAY, lambda r: ("media" in r, r["images"], r["related"]), (False, [], []),
                 id="legacy-no-media-key-and-empty-lists"),
    pytest.param(LEGACY, lambda r: set(r["provenance"].values()), {"layout:legacy"},
                 id="legacy-provenance-all-layout"),
    # --- current layout -----------------------------------------------------------
    pytest.param(CURRENT, lambda r: r["published_at"], "2024-05-12T21:40:00+07:00",
                 id="current-date-dash-time"),
    pytest.param(CURRENT, lambda r: r["images"][0]["url"],
                 "https://bhd.1cdn.vn/2024/05/12/ca-tru-01.jpg",
                 id="current-lazy-data-src-over-data-uri-placeholder"),
    pytest.param(CURRENT, lambda r: r["images"][1]["url"],
                 "https://bhd.1cdn.vn/2024/05/12/ca-tru-02.jpg",
                 id="current-lazy-data-src-over-placeholder-png"),
    pytest.param(CURRENT, lambda r: r["images"][0]["caption"],
                 "Các thành viên câu lạc bộ biểu diễn trong buổi ra mắt. Ảnh: THANH HƯƠNG",
                 id="current-figcaption-caption"),
    pytest.param(CURRENT, lambda r: r["images"][1]["caption"], None,
                 id="current-image-without-figcaption-caption-null-despite-alt"),
    pytest.param(CURRENT, lambda r: len(r["images"]), 2,
                 id="current-site-logo-in-header-not-an-image"),
    pytest.param(CURRENT, lambda r: (r["author"], r["provenance"]["author"]),
                 ("Thanh Hương, Đức Anh", "structured:jsonld"),
                 id="current-several-jsonld-authors-joined"),
    pytest.param(NO_IMAGES, lambda r: (r["author"], r["provenance"]["author"]),
                 ("Phạm Hà", "structured:jsonld"), id="current-jsonld-author-wins-over-byline"),
    pytest.param(CURRENT, lambda r: [p for p in _paragraphs(r) if "ĐỨC ANH" in p], [],
                 id="current-visible-byline-not-in-body"),
    pytest.param(CURRENT, lambda r: (r["modified_at"], r["provenance"]["modified_at"]),
                 ("2024-05-13T08:02:10+07:00", "structured:jsonld"),
                 id="current-modified-at-from-jsonld"),
    pytest.param(NO_IMAGES, lambda r: "modified_at" in r, False,
                 id="current-modified-equal-to-published-left-out"),
    pytest.param(CURRENT, lambda r: (r["section"], r["provenance"]["section"]),
                 ("Văn hóa", "layout:current"),
                 id="current-section-from-breadcrumb-not-article-section-meta"),
    pytest.param(NO_IMAGES, lambda r: r["images"], [],
                 id="current-og-image-site-logo-gives-no-images"),
    pytest.param(CURRENT, lambda r: [w for w in ("adsQueue", "Quảng cáo") if w in r["body"]], [],
                 id="current-inline-ad-script-excluded"),
    pytest.param(CURRENT, lambda r: len(_paragraphs(r)), 3, id="current-body-paragraphs"),
    pytest.param(CURRENT, lambda r: r["related"],
                 [{"url": "https://baohaiduong.vn/bao-ton-nghe-thuat-ca-tru-xu-dong-399870.html",
                   "title": "Bảo tồn nghệ thuật ca trù xứ Đông"}], id="current-related-section"),
    pytest.param(CURRENT, lambda r: r["tags"], ["ca trù", "Nhị Châu"], id="current-tags"),
    pytest.param(CURRENT, lambda r: r["source_id"], "401122", id="current-source-id"),
]
# fmt: on


@pytest.mark.parametrize(("fixture", "read", "expected"), QUIRKS)
def test_article_quirk(fixture: str, read: Callable[[dict[str, Any]], Any], expected: Any):
    assert read(record_of(fixture)) == expected


def test_timestamps_carry_plus_seven_offset():
    for name in (LEGACY, SUNDAY, CURRENT, NO_IMAGES, UNKNOWN):
        record = record_of(name)
        for key in ("published_at", "modified_at"):
            if record.get(key):
                assert record[key].endswith("+07:00"), (name, key, record[key])


def test_mobile_host_with_tracking_query_gives_desktop_record():
    mobile = LEGACY_URL.replace("https://", "https://m.") + "?utm_source=zalo#binh-luan"
    outcome = SITE.parse_article(fixture_bytes(LEGACY), mobile)
    assert outcome.ok
    assert outcome.record == record_of(LEGACY)


def test_nfd_encoded_page_gives_the_nfc_record():
    nfd = unicodedata.normalize("NFD", fixture_bytes(LEGACY).decode("utf-8")).encode("utf-8")
    assert nfd != fixture_bytes(LEGACY)
    outcome = SITE.parse_article(nfd, LEGACY_URL)
    assert outcome.ok, outcome.error
    assert outcome.record == record_of(LEGACY)


def test_text_input_equals_bytes_input():
    outcome = SITE.parse_article(fixture_bytes(CURRENT).decode("utf-8"), CURRENT_URL)
    assert outcome.record == record_of(CURRENT)


# --- a layout the parser has never seen (Done-when line of issue 2) -------------------


def test_unknown_layout_takes_structured_data_and_fallback_body():
    """A page of this publisher in an unseen layout, with JSON-LD and Open Graph."""
    record = record_of(UNKNOWN)
    assert record["title"] == "Nông dân Thanh Hà thu hoạch vải sớm"
    assert record["published_at"] == "2025-05-20T06:30:00+07:00"
    assert record["author"] == "Vũ Thủy"
    assert record["lead"] == (
        "Những ngày này, nông dân Thanh Hà tất bật thu hoạch vải u hồng, giá bán tại vườn cao "
        "hơn năm ngoái."
    )
    assert record["body"].startswith("Vụ vải năm nay, toàn huyện Thanh Hà có khoảng 6.000 ha vải")
    assert "siêu thị và xuất khẩu sang thị trường Nhật Bản, Hàn Quốc." in record["body"]
    assert record["lead"] not in record["body"]
    assert "Đọc nhiều" not in record["body"] and "Giấy phép" not in record["body"]
    provenance = record["provenance"]
    assert {k: provenance[k] for k in ("title", "published_at", "author", "lead", "body")} == {
        "title": "structured:jsonld",
        "published_at": "structured:jsonld",
        "author": "structured:jsonld",
        "lead": "structured:jsonld",
        "body": "fallback:trafilatura",
    }
    assert not any(v.startswith("layout:") for v in provenance.values())


def test_unknown_layout_fallback_body_keeps_paragraphs():
    assert len(_paragraphs(record_of(UNKNOWN))) == 4


def _without_jsonld(html: str) -> str:
    return re.sub(r'<script type="application/ld\+json">.*?</script>', "", html, flags=re.S)


def test_unknown_layout_open_graph_only():
    html = _without_jsonld(fixture_bytes(UNKNOWN).decode("utf-8"))
    outcome = SITE.parse_article(html, UNKNOWN_URL)
    assert outcome.ok, outcome.error
    record = outcome.record
    assert (record["title"], record["published_at"]) == (
        "Nông dân Thanh Hà thu hoạch vải sớm",
        "2025-05-20T06:30:00+07:00",
    )
    assert record["provenance"]["title"] == "structured:og"
    assert record["provenance"]["published_at"] == "structured:og"
    assert record["provenance"]["lead"] == "structured:og"
    assert record["provenance"]["body"] == "fallback:trafilatura"


def test_unknown_layout_logo_og_image_gives_no_images():
    html = (
        fixture_bytes(UNKNOWN)
        .decode("utf-8")
        .replace(
            "https://bhd.1cdn.vn/2025/05/20/vai-u-hong.jpg",
            "https://bhd.1cdn.vn/assets/images/logo.png",
        )
    )
    outcome = SITE.parse_article(html, UNKNOWN_URL)
    assert outcome.ok, outcome.error
    assert outcome.record["images"] == []


# --- malformed input: a record or a clear reason, never an exception ----------------

BROKEN_JSONLD = '<script type="application/ld+json">{"@type": "NewsArticle", "headline": </script>'


def _legacy_text() -> str:
    return fixture_bytes(LEGACY).decode("utf-8")


def _cut_at(marker: str) -> bytes:
    text = _legacy_text()
    at = text.index(marker) + len(marker) // 2
    return text[:at].encode("utf-8")


# fmt: off
REFUSED: list[Any] = [
    pytest.param(b"", "empty", id="empty-file"),
    pytest.param(b" \n\t\r\n ", "empty", id="whitespace-only"),
    pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(300), "binary", id="png-bytes"),
    pytest.param(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 4, "binary",
                 id="jpeg-bytes"),
    pytest.param(bytes(range(128, 256)) * 40, "binary", id="undecodable-bytes-without-nul"),
    pytest.param("Chỉ là văn bản thuần, không có thẻ nào.".encode(), "not HTML",
                 id="plain-text-no-markup"),
    pytest.param(b"<html><head><title>404 Not Found</title></head><body><h1>404 Not Found</h1>"
                 b"</body></html>", "error page", id="bare-error-page"),
    pytest.param(_cut_at("<title>Khởi công"), "", id="truncated-in-head"),
]
# fmt: on


@pytest.mark.parametrize(("raw", "reason"), REFUSED)
def test_malformed_input_gives_a_reason(raw: bytes, reason: str):
    outcome = SITE.parse_article(raw, LEGACY_URL)
    assert not outcome.ok
    assert outcome.record is None
    assert outcome.error and reason in outcome.error


def test_error_page_404_with_text_is_not_an_article():
    # The bare 404 in REFUSED passes; a 404 page with a sentence of text does not.
    outcome = SITE.parse_article(fixture_bytes("error-404.html"), LEGACY_URL)
    assert not outcome.ok
    assert outcome.kind == "error"
    assert "error page" in (outcome.error or "")


# fmt: off
@pytest.mark.parametrize(
    ("fixture", "url"),
    [
        pytest.param("legacy-section.html", "https://baohaiduong.vn/chuyen-muc/kinh-te/5",
                     id="legacy-listing"),
        pytest.param("current-section.html", "https://baohaiduong.vn/van-hoa/p2",
                     id="current-listing"),
    ],
)
# fmt: on
def test_listing_passed_as_article(fixture: str, url: str):
    outcome = SITE.parse_article(fixture_bytes(fixture), url)
    assert not outcome.ok
    assert outcome.kind == "listing"
    assert "listing" in (outcome.error or "")


# fmt: off
TRUNCATED: list[Any] = [
    pytest.param("nối huyện Nam Sách", "Cầu vượt sông Thái Bình có chiều dài gần 1,2 km",
                 id="cut-mid-first-paragraph"),
    pytest.param("ca&#769;c hạng", "Theo chủ đầu tư, c", id="cut-mid-numeric-entity"),
    pytest.param("<audio controls", "Bản tin phát thanh về lễ khởi công:", id="cut-mid-tag"),
    pytest.param("nhà thầu bảo đảm", "lãnh đạo tỉnh yêu cầu", id="cut-before-byline"),
]
# fmt: on


@pytest.mark.parametrize(("marker", "body_ends"), TRUNCATED)
def test_truncated_html_still_gives_the_record_so_far(marker: str, body_ends: str):
    outcome = SITE.parse_article(_cut_at(marker), LEGACY_URL)
    assert outcome.ok, outcome.error
    record = outcome.record
    assert record["title"] == "Khởi công cầu vượt sông Thái Bình nối hai huyện phía Bắc"
    assert record["published_at"] == "2022-03-15T08:05:09+07:00"
    assert record["provenance"]["body"] == "layout:legacy"
    assert body_ends in record["body"].split("\n\n")[-1]
    assert record["author"] is None


def test_truncated_before_first_paragraph_is_an_empty_body_not_the_date_line():
    outcome = SITE.parse_article(_cut_at('<table class="image'), LEGACY_URL)
    assert outcome.record is None
    assert (outcome.kind, outcome.error) == ("empty", "empty body")


def test_broken_jsonld_legacy_keeps_the_layout_record():
    html = _legacy_text().replace("</head>", BROKEN_JSONLD + "\n</head>")
    outcome = SITE.parse_article(html.encode("utf-8"), LEGACY_URL)
    assert outcome.ok, outcome.error
    record = outcome.record
    assert record["body"] == LEGACY_BODY
    assert record["provenance"]["title"] == "layout:legacy"
    assert "JSON-LD" in record["problems"]["structured"]


def test_broken_jsonld_current_falls_back_to_visible_byline():
    html = fixture_bytes(CURRENT).decode("utf-8")
    broken = html.replace('"headline": "Ra mắt', '"headline" "Ra mắt', 1)
    assert broken != html
    outcome = SITE.parse_article(broken, CURRENT_URL)
    assert outcome.ok, outcome.error
    record = outcome.record
    assert record["author"] == "THANH HƯƠNG - ĐỨC ANH"
    assert record["provenance"]["author"] == "layout:current"
    assert "modified_at" not in record  # only the broken block stated it
    assert record["section"] == "Văn hóa"
    assert "JSON-LD" in record["problems"]["structured"]


# --- 10 MB pages: must finish, never raise -----------------------------------------

TEN_MB = 10 * 1024 * 1024
_COMMENT_PARAGRAPH = "<p>Bạn đọc Nguyễn Văn An: bài viết rất hay, cảm ơn phóng viên.</p>\n"


def _padded_paragraphs(html: str, before: str) -> bytes:
    pad = _COMMENT_PARAGRAPH * (TEN_MB // len(_COMMENT_PARAGRAPH.encode("utf-8")) + 1)
    return html.replace(before, f'<div class="box-comment">{pad}</div>{before}', 1).encode()


def test_ten_megabyte_legacy_page_with_reader_comments_after_the_article():
    raw = _padded_paragraphs(_legacy_text(), '<div class="col-right right">')
    assert len(raw) > TEN_MB
    outcome = SITE.parse_article(raw, LEGACY_URL)
    assert outcome.ok, outcome.error
    assert outcome.record["body"] == LEGACY_BODY


def test_ten_megabyte_unknown_layout_page_uses_the_fallback():
    raw = _padded_paragraphs(fixture_bytes(UNKNOWN).decode("utf-8"), '<div class="v3-foot">')
    assert len(raw) > TEN_MB
    outcome = SITE.parse_article(raw, UNKNOWN_URL)
    assert outcome.ok, outcome.error
    assert outcome.record["title"] == "Nông dân Thanh Hà thu hoạch vải sớm"
    assert outcome.record["body"]


def test_ten_megabyte_html_comment_inside_the_body():
    marker = '<div class="fck" id="content-detail">'
    raw = _legacy_text().replace(marker, marker + "<!-- " + "x" * TEN_MB + " -->").encode()
    outcome = SITE.parse_article(raw, LEGACY_URL)
    assert outcome.ok, outcome.error
    assert outcome.record["body"] == LEGACY_BODY
    assert outcome.record["provenance"]["body"] == "layout:legacy"


# --- a redesign we have never seen, keeping the old sidebar ---------------------------


def _redesigned_legacy() -> bytes:
    """The legacy fixture with its layout's class names changed (a redesign) but the
    sidebar list of other stories (`ul.list-news`) and the Open Graph tags kept."""
    text = _legacy_text()
    for old, new in (
        ("title-detail", "tieu-de"),
        ('"fck"', '"noi-dung"'),
        ("sapo-detail", "mo-dau"),
        ("date-detail", "ngay-dang"),
        ("breadcrumb", "duong-dan"),
        ("tags-detail", "tu-khoa"),
        ("related-news", "lien-quan"),
    ):
        text = text.replace(old, new)
    return text.encode("utf-8")


def test_unknown_layout_article_with_a_story_list_is_an_article_not_a_listing():
    raw = _redesigned_legacy()
    assert b"list-news" in raw and b'property="og:type" content="article"' in raw
    outcome = SITE.parse_article(raw, LEGACY_URL)
    assert outcome.ok, outcome.error
    record = outcome.record
    assert record["title"] == "Khởi công cầu vượt sông Thái Bình nối hai huyện phía Bắc"
    assert record["provenance"]["body"] == "fallback:trafilatura"
    # No layout knows the date line's new class; the page-date heuristic still reads it.
    assert record["published_at"] == "2022-03-15T08:05:09+07:00"
    assert record["provenance"]["published_at"] == "fallback:page-date"


def test_listing_page_is_still_a_listing():
    outcome = SITE.parse_article(
        fixture_bytes("legacy-section.html"), "https://baohaiduong.vn/chuyen-muc/kinh-te/5"
    )
    assert (outcome.ok, outcome.kind) == (False, "listing")
