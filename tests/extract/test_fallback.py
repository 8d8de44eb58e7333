"""newsbot.extract.fallback: trafilatura for pages no layout of ours understands.

Runs on a fixture page of this publisher in a layout the parsers have never seen
(``tests/fixtures/baohaiduong/unknown-layout-article.html``) and on hostile input.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import lxml.html
import pytest

from newsbot.extract.fallback import MAX_FALLBACK_CHARS, extract_fallback

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "baohaiduong"
URL = "https://baohaiduong.vn/nong-dan-thanh-ha-thu-hoach-vai-som-512345.html"
LEAD = (
    "Những ngày này, nông dân Thanh Hà tất bật thu hoạch vải u hồng, giá bán tại vườn cao "
    "hơn năm ngoái."
)


def unknown_layout() -> str:
    return (FIXTURES / "unknown-layout-article.html").read_text(encoding="utf-8")


def test_unknown_layout_title_date_and_body():
    found = extract_fallback(unknown_layout(), URL)
    assert found["title"] == "Nông dân Thanh Hà thu hoạch vải sớm"
    assert found["published_at"].startswith("2025-05-20")
    paragraphs = found["body"].split("\n\n")
    assert paragraphs[-4].startswith("Vụ vải năm nay, toàn huyện Thanh Hà")
    assert paragraphs[-1].endswith("sang thị trường Nhật Bản, Hàn Quốc.")
    assert "Đọc nhiều" not in found["body"]
    assert "Giấy phép" not in found["body"]


def test_known_lead_is_kept_out_of_the_body():
    with_lead = extract_fallback(unknown_layout(), URL, lead=LEAD)
    assert LEAD not in with_lead["body"]
    assert with_lead["body"].split("\n\n")[0].startswith("Vụ vải năm nay")
    assert len(with_lead["body"].split("\n\n")) == 4


def test_title_is_not_repeated_in_the_body():
    found = extract_fallback(unknown_layout(), URL)
    assert found["title"] not in found["body"].split("\n\n")


PARAGRAPH = (
    "<p>Ngành nông nghiệp huyện khuyến cáo nông dân thu hái đúng độ chín, phân loại quả và "
    "bảo quản lạnh để giữ chất lượng khi đưa vào các siêu thị và xuất khẩu.</p>"
)


# fmt: off
BODY_ROWS: list[Any] = [
    pytest.param(
        "<html><body><article><h1>Tiêu đề</h1>"
        "<p>&gt;&gt;&gt; <a href='/a-1.html'>Bài liên quan một</a></p>" + PARAGRAPH * 3
        + "</article></body></html>",
        "Bài liên quan một", id="related-line-dropped"),
    pytest.param(
        "<html><body><article><h1>Tiêu đề</h1>" + PARAGRAPH * 3
        + "<script>var quangCao = 1;</script></article></body></html>",
        "quangCao", id="script-dropped"),
]
# fmt: on


@pytest.mark.parametrize(("html", "absent"), BODY_ROWS)
def test_body_leaves_out(html: str, absent: str):
    found = extract_fallback(html, URL)
    assert "thu hái đúng độ chín" in found["body"]
    assert absent not in found["body"]


@pytest.mark.parametrize(
    "html",
    [
        pytest.param("", id="empty"),
        pytest.param("<html></html>", id="empty-document"),
        pytest.param(
            "<html><body><nav><a href='/'>Trang chủ</a></nav></body></html>",
            id="navigation-only",
        ),
        pytest.param("\x00\x01\x02<<<>>>", id="garbage"),
    ],
)
def test_nothing_to_find_gives_empty_dict(html: str):
    found = extract_fallback(html, URL)
    assert "body" not in found


def test_huge_page_is_cut_before_the_fallback():
    comment = "<p>" + "Bạn đọc bình luận về vụ vải năm nay. " * 400 + "</p>"
    pad = comment * (MAX_FALLBACK_CHARS // len(comment) + 2)
    html = unknown_layout().replace('<div class="v3-foot">', f"<div>{pad}</div>")
    assert len(html) > MAX_FALLBACK_CHARS
    found = extract_fallback(html, URL)
    assert found["title"] == "Nông dân Thanh Hà thu hoạch vải sớm"


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        pytest.param(
            '<p class="ngay-dang">THỨ BA, 15/03/2022 08:05:09</p>',
            "2022-03-15T08:05:09+07:00",
            id="vietnamese-date-line-renamed-class",
        ),
        pytest.param(
            '<span class="post-time">04/10/2024 - 10:15</span>',
            "2024-10-04T10:15:00+07:00",
            id="time-class-day-first",
        ),
        pytest.param(
            '<div class="publish-info">2024-10-04T03:15:00Z</div>',
            "2024-10-04T10:15:00+07:00",
            id="iso-utc-converted",
        ),
        pytest.param(
            '<span class="time">1.245 lượt xem</span><span class="date">hôm qua</span>',
            None,
            id="nothing-parses",
        ),
        pytest.param(
            '<p class="update-time">' + "x " * 100 + "04/10/2024</p>",
            None,
            id="long-text-is-not-a-date-line",
        ),
        pytest.param("<p>04/10/2024 10:15</p>", None, id="date-without-a-date-class"),
    ],
)
def test_find_page_date(html: str, expected: str | None):

    from newsbot.extract.fallback import find_page_date

    doc = lxml.html.document_fromstring(f"<html><body><div>{html}</div></body></html>")
    assert find_page_date(doc) == expected


def test_find_page_date_prefers_a_line_with_a_time_over_the_masthead_date():

    from newsbot.extract.fallback import find_page_date

    doc = lxml.html.document_fromstring(
        '<html><body><span class="current-date">Thứ Tư, 16/03/2022</span>'
        '<p class="ngay-dang">THỨ BA, 15/03/2022 08:05:09</p></body></html>'
    )
    assert find_page_date(doc) == "2022-03-15T08:05:09+07:00"


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        pytest.param(
            '<span class="updated">Cập nhật: 16/03/2022 10:00</span><h1>Tiêu đề</h1>'
            '<p class="ngay-dang">15/03/2022 08:05</p>',
            "2022-03-15T08:05:00+07:00",
            id="update-stamp-is-not-the-publication",
        ),
        pytest.param(
            '<ul><li><span class="time">17/03/2022 09:00</span></li></ul><h1>Tiêu đề</h1>'
            '<p class="ngay-dang">15/03/2022 08:05</p>',
            "2022-03-15T08:05:00+07:00",
            id="sidebar-list-before-the-headline",
        ),
        pytest.param(
            '<div class="top-date">Thứ Tư, 16/03/2022 | 10:05</div><h1>Tiêu đề</h1>'
            '<p class="ngay-dang">15/03/2022 08:05</p>',
            "2022-03-15T08:05:00+07:00",
            id="masthead-with-a-clock-before-the-headline",
        ),
        pytest.param(
            '<h1>Tiêu đề</h1><p class="ngay-dang">15/03/2022 08:05</p>'
            '<ul><li><span class="time">17/03/2022 09:00</span></li></ul>',
            "2022-03-15T08:05:00+07:00",
            id="related-list-after-the-article",
        ),
    ],
)
def test_find_page_date_ignores_other_dates_on_the_page(html: str, expected: str):

    from newsbot.extract.fallback import find_page_date

    doc = lxml.html.document_fromstring(f"<html><body>{html}</body></html>")
    assert find_page_date(doc) == expected


def test_a_collection_page_does_not_declare_an_article():

    from newsbot.extract.structured import extract_structured

    doc = lxml.html.document_fromstring(
        '<html><head><script type="application/ld+json">'
        '{"@type": ["WebPage", "CollectionPage"], "name": "Chính trị"}</script></head>'
        "<body></body></html>"
    )
    assert extract_structured(doc, "https://baohaiduong.vn/chinh-tri/").declares_article is False


@pytest.mark.parametrize(
    "printed",
    ["THỨ BA, 30/02/2021 17:11:16", "THỨ BA, 01/01/0001 17:11:16"],
    ids=["feb-30", "year-0001"],
)
def test_finding_10_fallback_date_never_guessed_from_an_impossible_one(printed: str):
    page = (FIXTURES / "legacy-article.html").read_text(encoding="utf-8")
    bad = page.replace("THỨ BA, 15/03/2022 08:05:09", printed)
    assert bad != page
    found = extract_fallback(bad, "https://baohaiduong.vn/chinh-tri/bai-151453")
    # htmldate would "repair" these to 2021-02-01 and 2001-01-01; the page states neither.
    assert "published_at" not in found
