"""newsbot.extract.document: fetched bytes to one parsed tree, or a clear reason why not.

Rows are what a crawl actually receives instead of a clean UTF-8 page: nothing, binary
files, other encodings, byte-order marks, truncated markup and oversized pages.
"""

from __future__ import annotations

from typing import Any

import pytest

from newsbot.extract.document import (
    MAX_PAGE_BYTES,
    PageError,
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
