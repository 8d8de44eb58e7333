"""newsbot.extract.body: the generic body walker, one row per markup quirk."""

from __future__ import annotations

import lxml.html
import pytest

from newsbot.extract.body import byline_name, is_credit_line, related_label, walk_body

TEXT = "Một đoạn văn bản đủ dài của bài báo để là một đoạn thân bài thực sự."


def walk(html: str):
    return walk_body(
        lxml.html.fragment_fromstring(html, create_parent="div"), "https://x.example/a/"
    )


# fmt: off
IMAGES = [
    pytest.param("<figure><img src='/a.jpg'><figcaption>Chú thích</figcaption></figure>",
                 [{"url": "https://x.example/a.jpg", "caption": "Chú thích"}], id="figure-figcaption"),
    pytest.param("<div class='wp-caption'><img src='b.jpg' width='600'><p class='wp-caption-text'>Cap</p></div>",
                 [{"url": "https://x.example/a/b.jpg", "caption": "Cap"}], id="wp-caption"),
    pytest.param("<table><tr><td><img src='/c.jpg'></td></tr><tr><td class='image_desc'>Ảnh</td></tr></table>",
                 [{"url": "https://x.example/c.jpg", "caption": "Ảnh"}], id="table-image-desc"),
    pytest.param("<p><img src='data:image/gif;base64,AA' data-src='/lazy.jpg'></p>",
                 [{"url": "https://x.example/lazy.jpg", "caption": None}], id="lazy-data-src"),
    pytest.param("<p><img srcset='/s.jpg 320w, /l.jpg 1200w' src='/placeholder.gif'></p>",
                 [{"url": "https://x.example/l.jpg", "caption": None}], id="srcset-widest"),
    pytest.param("<p><img src='/px.gif' width='1' height='1'><img src='/img/logo.png'>"
                 "<img src='/icons/share.png'></p>", [], id="pixel-logo-icon-skipped"),
]
# fmt: on


@pytest.mark.parametrize(("html", "expected"), IMAGES)
def test_images_with_captions(html: str, expected):
    parts = walk(f"<p>{TEXT}</p>{html}<p>{TEXT}</p>")
    assert parts.images == expected
    for image in expected:
        if image["caption"]:
            assert image["caption"] not in parts.paragraphs


# fmt: off
RELATED = [
    pytest.param("<div class='box-tinlienquan'><h3>Tin liên quan</h3><a href='/r-1.html'>R</a></div>", id="class"),
    pytest.param("<h3>Bài liên quan</h3><ul><li><a href='/r-1.html'>R</a></li></ul>", id="label-then-list"),
    pytest.param("<p>Xem thêm: <a href='/r-1.html'>R</a></p>", id="xem-them-line"),
    pytest.param("<p><strong>Bài đọc tiếp</strong> <a href='/r-1.html'>R</a></p>", id="bai-doc-tiep"),
    pytest.param("<aside><h4>Related</h4><a href='/r-1.html'>R</a></aside>", id="aside-related"),
    pytest.param("<p>&gt;&gt; <a href='/r-1.html'>R</a></p>", id="arrow-line"),
]
# fmt: on


@pytest.mark.parametrize("html", RELATED)
def test_related_boxes_leave_the_body(html: str):
    parts = walk(f"<p>{TEXT}</p>{html}<p>{TEXT} Hai.</p>")
    assert parts.related == [{"url": "https://x.example/r-1.html", "title": "R"}]
    assert parts.paragraphs == [TEXT, TEXT + " Hai."]


@pytest.mark.parametrize(
    ("tail", "byline", "credits"),
    [
        pytest.param("<p style='text-align:right'><b>Lê Phương</b></p>", "Lê Phương", [], id="bold-right"),
        pytest.param("<p><em>Minh Hải</em></p>", "Minh Hải", [], id="italic"),
        pytest.param("<p>Theo TTXVN</p>", None, ["Theo TTXVN"], id="credit"),
        pytest.param("<p><i>Anna Schmidt</i></p><p>Fehler gefunden? Jetzt melden.</p>", "Anna Schmidt", [],
                     id="byline-then-call-to-action"),
    ],
)  # fmt: skip
def test_trailing_lines_leave_the_body(tail: str, byline, credits):
    parts = walk(f"<p>{TEXT}</p><p>{TEXT} Hai.</p>{tail}")
    assert parts.paragraphs == [TEXT, TEXT + " Hai."]
    assert parts.byline == byline
    assert parts.credits == credits


def test_media_audio_video_and_embeds():
    parts = walk(
        f"<p>{TEXT}</p><audio src='/a.mp3'></audio><video><source src='/v.mp4'></video>"
        "<iframe src='https://www.youtube.com/embed/x'></iframe><iframe src='/ads.html'></iframe>"
    )
    assert [m["kind"] for m in parts.media] == ["audio", "video", "video"]


def test_headings_are_paragraphs_and_loose_text_is_kept():
    parts = walk(f"<h2>Tiêu đề phụ</h2><div>Dòng một<br>Dòng hai<p>{TEXT}</p></div>")
    assert parts.paragraphs == ["Tiêu đề phụ", "Dòng một", "Dòng hai", TEXT]


def test_finding_1_walker_recursion_safe_at_1000_levels():
    html = (
        "<div><span><table><tr><td>" * 250
        + f"<p>{TEXT}</p>"
        + "</td></tr></table></span></div>" * 250
    )
    doc = lxml.html.document_fromstring(html, parser=lxml.html.HTMLParser(huge_tree=True))
    parts = walk_body(doc.find("body"), "https://x.example/")
    assert parts.paragraphs == [TEXT]


@pytest.mark.parametrize(
    ("line", "expected"),
    [("Lê Phương", "Lê Phương"), ("By Jane Roe", "Jane Roe"), ("Đây là một câu.", None),
     ("Ngày 12 tháng 3", None)],
)  # fmt: skip
def test_byline_name(line, expected):
    assert byline_name(line) == expected


def test_line_rules():
    assert related_label("Xem thêm: Giá vải") == "Giá vải"
    assert related_label("Xem thêm") == ""
    assert related_label("Xem xét kỹ lưỡng") is None
    assert is_credit_line("Reporting by Jane Roe; Editing by Mark Smith")
    assert is_credit_line("Theo TTXVN")
    assert not is_credit_line("Theo báo cáo, trong năm các địa phương đã gia cố đê.")


def test_same_section_box_leaves_the_body_without_related_links():
    parts = walk(
        f"<p>{TEXT}</p><div class='c-box'><div class='c-box__title'><h3><a href='/muc'>Cùng "
        "chuyên mục</a></h3></div><div class='c-box__content'><img src='/t/300x200/x.jpg'>"
        f"<h3><a href='/khac-1.html'>Bài khác</a></h3></div></div><p>{TEXT} Hai.</p>"
    )
    assert parts.related == []
    assert parts.images == []
    assert parts.paragraphs == [TEXT, TEXT + " Hai."]


def test_a_box_label_link_is_no_related_story():
    parts = walk(
        f"<p>{TEXT}</p><div class='related'><h3><a href='/lq'>Tin liên quan</a></h3>"
        f"<a href='/r-1.html'>R</a></div><p>{TEXT} Hai.</p>"
    )
    assert parts.related == [{"url": "https://x.example/r-1.html", "title": "R"}]


def test_short_line_printed_like_a_byline_is_marked():
    parts = walk(f"<p>{TEXT}</p><p style='text-align: right;'><strong>PV</strong></p><div>x</div>")
    assert "PV" in parts.styled
