"""Table-driven tests of newsbot.extract.text: one row per text quirk seen in portal pages."""

from __future__ import annotations

import unicodedata

import lxml.html
import pytest
from lxml import etree

from newsbot.extract.text import (
    element_text,
    is_blank,
    join_paragraphs,
    normalize_paragraph,
    normalize_text,
)

NFD_NAME = unicodedata.normalize("NFD", "Hải Dương")

NORMALIZED = [
    pytest.param(NFD_NAME, "Hải Dương", id="nfd-page-to-nfc"),
    pytest.param("Ha\u0323i", "Hại", id="combining-dot-below"),
    pytest.param("Ha\u200d\u0323i", "Hại", id="zero-width-joiner-before-mark"),
    pytest.param("bế mạc\u00a0", "bế mạc", id="nbsp-at-end"),
    pytest.param("\u00a0\u00a0Sáng 4/10,\u00a0Sở", "Sáng 4/10, Sở", id="nbsp-inside"),
    pytest.param("10\u202f000 người", "10 000 người", id="narrow-nbsp"),
    pytest.param("Hải\u200bDương", "HảiDương", id="zero-width-space-removed"),
    pytest.param("\ufeffTiêu đề", "Tiêu đề", id="bom"),
    pytest.param("xây\u00addựng", "xâydựng", id="soft-hyphen-removed"),
    pytest.param("  một\n\n\thai \r\n ba  ", "một hai ba", id="whitespace-runs"),
    pytest.param("a\u2028b\u3000c", "a b c", id="line-separator-ideographic-space"),
    pytest.param("bad\x00by\x07te", "badbyte", id="control-chars-removed"),
    pytest.param("plain ascii", "plain ascii", id="ascii-unchanged"),
    pytest.param("", "", id="empty"),
    pytest.param(None, "", id="none"),
    pytest.param(" \u00a0 ", "", id="only-nbsp"),
]


@pytest.mark.parametrize(("text", "expected"), NORMALIZED)
def test_normalize_text(text: str | None, expected: str) -> None:
    result = normalize_text(text)
    assert result == expected
    assert unicodedata.is_normalized("NFC", result)
    assert normalize_paragraph(text) == expected


PARAGRAPHS = [
    pytest.param(["Một.", "Hai."], "Một.\n\nHai.", id="two-paragraphs"),
    pytest.param(["Một.\u00a0", "\u00a0", "Hai."], "Một.\n\nHai.", id="nbsp-only-dropped"),
    pytest.param(["", None, "  \n ", "Một."], "Một.", id="empty-and-none-dropped"),
    pytest.param(["dòng\nmột", "\u200b"], "dòng một", id="newline-inside-collapsed"),
    pytest.param([NFD_NAME], "Hải Dương", id="nfd-paragraph"),
    pytest.param([], "", id="no-paragraphs"),
]


@pytest.mark.parametrize(("paragraphs", "expected"), PARAGRAPHS)
def test_join_paragraphs(paragraphs: list[str | None], expected: str) -> None:
    assert join_paragraphs(paragraphs) == expected


def test_join_paragraphs_accepts_a_generator() -> None:
    assert join_paragraphs(p for p in ("a", "\u00a0", "b")) == "a\n\nb"


ELEMENTS = [
    pytest.param("<p>Ha&#803;i</p>", "Hại", id="numeric-entity-combining-mark"),
    pytest.param("<p>Ha&#x323;i D&#432;&#417;ng</p>", "Hại Dương", id="hex-entities"),
    pytest.param(f"<p>{NFD_NAME}</p>", "Hải Dương", id="nfd-markup"),
    pytest.param("<p>bế mạc.&nbsp;</p>", "bế mạc.", id="nbsp-at-paragraph-end"),
    pytest.param("<p>&nbsp;</p>", "", id="nbsp-only-paragraph"),
    pytest.param("<p>dòng một<br />dòng hai</p>", "dòng một dòng hai", id="br-is-a-space"),
    pytest.param("<p>a<br>b<br/><br>c</p>", "a b c", id="br-runs"),
    pytest.param(
        "<p>Đồng chí <strong>Phạm <em>Xuân</em> Thăng</strong> phát biểu</p>",
        "Đồng chí Phạm Xuân Thăng phát biểu",
        id="nested-strong",
    ),
    pytest.param("<p>Ha<strong>i</strong> Dương</p>", "Hai Dương", id="inline-tag-joins-word"),
    pytest.param(
        "<div>\n  <p>Một</p>\n\n\t<p>Hai</p>\n</div>", "Một Hai", id="whitespace-newline-runs"
    ),
    pytest.param("<div><p>Một</p><p>Hai</p></div>", "Một Hai", id="block-edges-separate"),
    pytest.param(
        "<p>Trước<script>var ads = 'quảng cáo';</script> sau</p>", "Trước sau", id="script-ignored"
    ),
    pytest.param(
        "<div>a<style>.x{color:red}</style>b<noscript>bật JS</noscript>c</div>",
        "abc",
        id="style-noscript-ignored",
    ),
    pytest.param("<p>a<!-- bình luận -->b</p>", "ab", id="comment-ignored-tail-kept"),
    pytest.param("<p></p>", "", id="empty-element"),
]


@pytest.mark.parametrize(("html", "expected"), ELEMENTS)
def test_element_text(html: str, expected: str) -> None:
    el = lxml.html.fragment_fromstring(html)
    assert element_text(el) == expected


def test_element_text_excludes_own_tail_and_siblings() -> None:
    doc = lxml.html.fromstring(
        "<html><body><div class='fck'><p id='x'>Một <b>hai</b></p> đuôi</div>"
        "<p>khác</p></body></html>"
    )
    (p,) = doc.xpath("//p[@id='x']")
    assert element_text(p) == "Một hai"


def test_element_text_of_whole_document_skips_head() -> None:
    doc = lxml.html.document_fromstring(
        "<html><head><title>Tiêu đề</title><script>x()</script></head>"
        "<body><h1>Bài</h1><p>Nội dung</p></body></html>"
    )
    assert element_text(doc) == "Bài Nội dung"


def test_element_text_deep_nesting_does_not_recurse() -> None:
    # Built by hand: the HTML parser itself caps nesting depth, a tree built in code does not.
    root = node = lxml.html.Element("div")
    for _ in range(3000):
        node = etree.SubElement(node, "span")
    node.text = "sâu"
    node.tail = " đuôi"
    assert element_text(root) == "sâu đuôi"


BLANK = [
    pytest.param(None, True, id="none"),
    pytest.param("", True, id="empty"),
    pytest.param(" \n\t", True, id="whitespace"),
    pytest.param("\u00a0\u200b\ufeff\u00ad", True, id="invisible-only"),
    pytest.param(".", False, id="punctuation"),
    pytest.param("\u00a0a", False, id="letter"),
]


@pytest.mark.parametrize(("text", "expected"), BLANK)
def test_is_blank(text: str | None, expected: bool) -> None:
    assert is_blank(text) is expected


def test_element_text_of_a_title_element_itself() -> None:
    doc = lxml.html.document_fromstring("<html><head><title> Tiêu&nbsp;đề </title></head></html>")
    (title,) = doc.xpath("//title")
    assert element_text(title) == "Tiêu đề"


def test_fast_path_equals_invisibles_first_rule():
    """normalize_text collapses whitespace before looking for invisible characters only
    when there are none: the result is the same as removing them first, on any mix."""
    import random
    import unicodedata

    from newsbot.extract.text import _INVISIBLE_RE

    def reference(text: str) -> str:
        text = unicodedata.normalize("NFC", _INVISIBLE_RE.sub("", text))
        return " ".join(text.split())

    pool = (
        [chr(c) for c in range(0x80)]
        + list(
            "\u00a0\u00ad\u180e\u200b\u200c\u200d\u2060\ufeff\u2000\u2001\u2028\u3000"
            "\u0301\u0323\u0306\u1ec7\u0110\u0085\u202f\u200e\u0344\u1100\u1161\uac00"
        )
        + ["\ud800"]
    )
    rng = random.Random(3)
    for _ in range(20000):
        text = "".join(rng.choice(pool) for _ in range(rng.randrange(12)))
        assert normalize_text(text) == reference(text), repr(text)


def test_already_collapsed_text_takes_the_short_way_to_the_same_result():
    """Text whose only white space is single inner spaces skips split() and join();
    every other white space character is unprintable, so the test that picks the short
    way cannot let one through. Random text of spaces, other white space, invisibles,
    decomposed letters and words normalises as split-and-join normalises it."""
    import random
    import sys
    import unicodedata

    from newsbot.extract.text import _normalize_slow

    def reference(text: str) -> str:
        collapsed = " ".join(text.split())
        if not collapsed.isprintable():
            return _normalize_slow(text)
        return unicodedata.normalize("NFC", collapsed)

    assert not [c for c in range(sys.maxunicode + 1) if chr(c).isspace() and chr(c).isprintable()
                and c != 0x20]  # fmt: skip
    alphabet = [" ", "  ", "\t", "\n", "\xa0", "\u200b", "\u2028", "\x1c", "\u3000", "\u00ad",
                "a", "Hải", "e\u0323\u0302", "x y"]  # fmt: skip
    rng = random.Random(3)
    for _ in range(20_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 8)))
        assert normalize_text(text) == reference(text), repr(text)


def test_inline_only_elements_read_by_itertext_as_the_walk_reads_them():
    """An element with only inline descendants is read with itertext(); anything else
    (a block, a hidden element, a comment, a processing instruction, XHTML's namespaced
    and upper-case tags) with the walk. Both give the same text on random markup."""
    import random

    from newsbot.extract.text import _walked_text

    rng = random.Random(2)
    tags = ["b", "i", "a", "span", "p", "div", "br", "script", "em", "iframe"]

    def markup(depth: int = 0) -> str:
        out = []
        for _ in range(rng.randrange(0, 4 if depth < 4 else 1)):
            tag = rng.choice(tags)
            extra = rng.choice(["", "<!-- c -->", "<?pi x?>", "&nbsp;"])
            inner = markup(depth + 1)
            out.append(f"<{tag}>w{rng.randrange(9)}{extra}{inner}</{tag}>t{rng.randrange(9)} ")
        return "".join(out)

    pages = [f"<html><body><div>{markup()}</div></body></html>" for _ in range(500)]
    docs = [lxml.html.document_fromstring(p) for p in pages]
    docs += [lxml.html.fromstring(p) for p in pages[:100]]  # comments kept
    docs.append(
        etree.fromstring(
            b'<html xmlns="http://www.w3.org/1999/xhtml"><body><div>a<b>b</b><P>c</P>d'
            b"<span>e<i>f</i></span></div></body></html>"
        )
    )
    for doc in docs:
        for el in doc.iter(etree.Element):
            assert element_text(el) == normalize_text(_walked_text(el))
