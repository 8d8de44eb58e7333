"""newsbot.extract.document: fetched bytes to one parsed tree, or a clear reason why not.

Rows are what a crawl actually receives instead of a clean UTF-8 page: nothing, binary
files, other encodings, byte-order marks, truncated markup and oversized pages.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any

import pytest

from newsbot.extract.document import (
    MAX_PAGE_BYTES,
    PageError,
    PageNote,
    decode_page,
    load_document,
    parse_html,
)
from newsbot.extract.text import element_text

# fmt: off
REFUSED: list[Any] = [
    pytest.param(b"", "empty document", id="empty-bytes"),
    pytest.param(b"   \r\n\t ", "empty document", id="whitespace-bytes"),
    pytest.param("", "empty document", id="empty-text"),
    pytest.param(" \n ", "empty document", id="whitespace-text"),
    pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary", id="png"),
    pytest.param(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\x00", "binary", id="pdf-with-nul"),
    pytest.param(b"<html>\x00\x00\x00</html>", "binary", id="nul-bytes-in-markup"),
    pytest.param(bytes(range(128, 256)) * 40, "binary", id="undecodable-high-bytes"),
    pytest.param("Chỉ là văn bản thuần.".encode(), "not HTML", id="text-without-markup"),
    pytest.param(b'{"error": "not found"}', "not HTML", id="json-error-body"),
]
# fmt: on


@pytest.mark.parametrize(("raw", "reason"), REFUSED)
def test_refused_with_a_reason(raw: bytes | str, reason: str):
    with pytest.raises(PageError) as caught:
        decode_page(raw)
    assert reason in caught.value.reason
    with pytest.raises(PageError):
        load_document(raw)


# fmt: off
DECODED: list[Any] = [
    pytest.param("<p>Hải Dương</p>".encode(), None, "Hải Dương", id="utf8-default"),
    pytest.param(b"\xef\xbb\xbf<p>H\xe1\xba\xa3i D\xc6\xb0\xc6\xa1ng</p>", None, "Hải Dương",
                 id="utf8-bom"),
    pytest.param(b"<p>caf\xe9</p>", "text/html; charset=windows-1252", "café",
                 id="charset-from-http-header"),
    pytest.param(b'<html><head><meta charset="windows-1252"></head><body><p>caf\xe9</p>',
                 None, "café", id="meta-charset"),
    pytest.param(b'<html><head><meta http-equiv="Content-Type" content="text/html; '
                 b'charset=windows-1258"></head><body><p>Ha\xd2i</p>', None, "Hải",
                 id="meta-http-equiv-windows-1258-combining"),
    pytest.param("<p>Hải Dương</p>", None, "Hải Dương", id="text-passes-through"),
]
# fmt: on


@pytest.mark.parametrize(("raw", "content_type", "visible"), DECODED)
def test_decoded_page(raw: bytes | str, content_type: str | None, visible: str):
    doc, text = load_document(raw, content_type)
    assert "<p>" in text
    assert element_text(doc.body) == visible


@pytest.mark.parametrize(
    ("html", "visible"),
    [
        pytest.param("<html><body><div class='fck'><p>Một đoạn bị cắt", "Một đoạn bị cắt",
                     id="truncated-mid-paragraph"),
        pytest.param("<html><body><p>Đoạn một</p><p>Đoạn hai <a href='/x", "Đoạn một Đoạn hai",
                     id="truncated-mid-attribute"),
        pytest.param("<p>Không có html hay body</p>", "Không có html hay body", id="fragment"),
        pytest.param("<html><body><!-- chú thích --><p>Nội dung</p></body></html>", "Nội dung",
                     id="comments-removed"),
        pytest.param("<p>Mở <b>không đóng <i>lồng nhau</p><p>tiếp</p>",
                     "Mở không đóng lồng nhau tiếp", id="unclosed-inline-tags"),
    ],
)  # fmt: skip
def test_parse_html_tolerates_broken_markup(html: str, visible: str):
    assert element_text(parse_html(html).body) == visible


def test_page_over_the_limit_is_refused_with_its_size():
    raw = b"<html><body><p>" + b"a" * (MAX_PAGE_BYTES + 1024) + b"</p></body></html>"
    with pytest.raises(PageError, match="page too large"):
        decode_page(raw)


def test_page_under_the_limit_is_kept_whole():
    raw = b"<html><body><p>" + b"a" * (MAX_PAGE_BYTES - 1024) + b"</p></body></html>"
    assert decode_page(raw).endswith("</p></body></html>")


def test_page_error_is_a_value_error_with_reason():
    err = PageError("empty document")
    assert isinstance(err, ValueError)
    assert err.reason == "empty document"


# --- finding 10: mojibake from a wrong declared charset -------------------------------

CHARSET_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "charset"
VI_TITLE = "Hải Dương mở rộng đường vành đai phía Tây"
VI_WORDS = ("Ủy ban nhân dân tỉnh Hải Dương", "hỗ trợ tái định cư")


def _charset_page(name: str) -> bytes:
    return (CHARSET_FIXTURES / name).read_bytes()


@pytest.mark.parametrize(
    ("name", "content_type", "said", "found"),
    [
        pytest.param(
            "utf8-declared-iso-8859-1.html", None, "iso-8859-1", "utf-8", id="utf8-as-latin1-meta"
        ),
        pytest.param(
            "utf8-declared-iso-8859-1.html",
            "text/html; charset=windows-1252",
            "windows-1252",
            "utf-8",
            id="utf8-as-cp1252-header",
        ),
        pytest.param(
            "windows-1258-declared-utf-8.html", None, "utf-8", "windows-1258", id="cp1258-as-utf8"
        ),
    ],
)
def test_finding_10_mojibake_from_a_lying_charset_is_decoded_right_and_flagged(
    name: str, content_type: str | None, said: str, found: str
) -> None:
    raw = _charset_page(name)
    notes: list[PageNote] = []
    text = unicodedata.normalize("NFC", decode_page(raw, content_type, notes))
    assert VI_TITLE in text
    assert all(words in text for words in VI_WORDS)
    assert notes == [PageNote("charset_corrected", f"declared charset {said}, decoded as {found}")]
    # Without the correction the same bytes read as mojibake (the finding).
    assert VI_TITLE not in raw.decode("cp1252" if found == "utf-8" else "utf-8", "replace")


def test_finding_10_lying_charset_article_is_stored_right_and_the_crawl_is_told() -> None:
    from newsbot.extract import extract_article

    raw = _charset_page("utf8-declared-iso-8859-1.html")
    result = extract_article(raw, "https://tin.example/ha-noi/duong-vanh-dai-1.html")
    assert result.ok, result.error
    assert result.record["title"] == VI_TITLE
    assert result.record["body"].startswith(VI_WORDS[0])
    assert [kind for kind, _ in result.notes] == ["charset_corrected"]


def test_finding_10_a_real_latin1_page_is_left_alone() -> None:
    raw = _charset_page("iso-8859-1-real.html")
    notes: list[PageNote] = []
    text = decode_page(raw, None, notes)
    assert "Le marché de Noël ouvre à Colmar" in text
    assert "Déjà «complet» pour l'été" in text
    assert notes == []


def test_finding_10_one_broken_byte_in_a_utf8_page_is_not_a_wrong_charset() -> None:
    raw = ("<html><body><p>" + "Hải Dương là tỉnh… " * 50 + "</p></body></html>").encode()
    raw = raw.replace("Dương".encode(), b"D\xff\xfeng", 1)
    notes: list[PageNote] = []
    text = decode_page(raw, None, notes)
    assert text.count("Hải Dương") == 49
    assert notes == []


def test_finding_10_mojibake_with_no_better_charset_is_flagged_suspect() -> None:
    # Mojibake signatures everywhere, yet the bytes are not UTF-8 either (one stray byte):
    # nothing clear to decode with, so the page is read as declared and doubted.
    text = "<html><head><meta charset='iso-8859-1'></head><body><p>Hải Dương Đường phố</p>"
    raw = (text * 3).encode() + b"\xff</body></html>"
    notes: list[PageNote] = []
    decode_page(raw, None, notes)
    assert [n.kind for n in notes] == ["charset_suspect"]


@pytest.mark.parametrize(
    ("raw", "content_type", "reused"),
    [
        pytest.param("<p>Hải Dương</p>".encode(), None, True, id="utf-8"),
        pytest.param(b"\xef\xbb\xbf<p>H\xc3\xa1</p>", None, False, id="utf-8-bom"),
        pytest.param(b"<p>a\x00b \xc3\xa1" + b"x" * 100 + b"</p>", None, True, id="stray-nul-dropped"),
        pytest.param(b"<p>a \xff b \xc3\xa1" + b"x" * 100 + b"</p>", None, False, id="one-broken-byte"),
        pytest.param(("<p>\ufffd Hải" + "x" * 100 + "</p>").encode(), None, False, id="literal-replacement-char"),
        pytest.param("<p>Hà</p>".encode("cp1258"), "text/html; charset=windows-1258", False,
                     id="legacy-charset"),
        pytest.param("<p>Hải</p>", None, False, id="text"),
    ],
)  # fmt: skip
def test_the_parser_reads_the_fetched_bytes_only_where_they_are_the_texts_utf8(
    raw: bytes | str, content_type: str | None, reused: bool
):
    """A UTF-8 page whose every byte decoded (no BOM) is parsed from its own bytes; any
    other page from its text encoded again. Either way the bytes are the text's UTF-8."""
    from newsbot.extract.document import _decode

    text, utf8 = _decode(raw, content_type, None)
    assert (utf8 is not None) == reused
    if utf8 is not None:
        assert utf8 == text.encode("utf-8", "replace")


def test_control_count_counts_what_the_control_pattern_matches():
    """The byte-level count equals the pattern's on text of controls, white space,
    U+FFFD, letters, an astral character and a lone surrogate."""
    import random

    from newsbot.extract.document import _CONTROL_CHARS, _control_count

    pool = [chr(c) for c in range(0x30)] + ["\ufffd", "\xa0", "ả", "\ud800", "\U0001f600", "\x7f"]
    rng = random.Random(5)
    for _ in range(20_000):
        sample = "".join(rng.choice(pool) for _ in range(rng.randrange(0, 12)))
        assert _control_count(sample) == len(_CONTROL_CHARS.findall(sample)), repr(sample)
