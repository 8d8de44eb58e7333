"""Turning fetched bytes into one parsed tree, or a clear reason why not.

Everything a page can be besides HTML (empty, binary, an image served as a page,
a 10 MB blob) is refused here with a reason, so parsers below never see it.
"""

from __future__ import annotations

import re

import lxml.etree
import lxml.html
from lxml.html import HtmlElement
from w3lib.encoding import html_to_unicode

#: Pages larger than this are refused with a reason (the crawl's DOWNLOAD_MAXSIZE is
#: 10 MB, so only a file given to ``newsbot parse`` can be larger). Cutting instead
#: would silently lose the article behind a padding comment or inline data.
MAX_PAGE_BYTES = 16 * 1024 * 1024

_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0e-\x1f\ufffd]")
# huge_tree: libxml2 otherwise stops at a 10 MB text node or comment and drops the rest
# of the page; input is already capped at MAX_PAGE_BYTES, so the limit buys nothing.
_PARSER = lxml.etree.HTMLParser(
    encoding="utf-8", remove_comments=True, recover=True, huge_tree=True
)
# lxml.html's own parser picks each element's Python class in a Python callback (to give
# <form>, <input>, <select>, <textarea> and <label> their form-handling classes), which
# runs every time lxml hands an element to Python: for every XPath result, child and
# walked node. Nothing here fills forms, so every element is a plain HtmlElement, chosen
# in C; comments, processing instructions and entities keep lxml.html's classes.
_PARSER.set_element_class_lookup(
    lxml.etree.ElementDefaultClassLookup(
        element=lxml.html.HtmlElement,
        comment=lxml.html.HtmlComment,
        pi=lxml.html.HtmlProcessingInstruction,
        entity=lxml.html.HtmlEntity,
    )
)


class PageError(ValueError):
    """The input cannot be read as an HTML page; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _control_count(sample: str) -> int:
    """How many characters of ``sample`` only broken bytes give (``_CONTROL_CHARS``)."""
    # Every one of them but U+FFFD is a control character, which isprintable() refuses
    # (one C loop, against the regex's slower one): text that is printable once the
    # usual white space is gone holds none of them.
    plain = sample.replace("\n", "").replace("\t", "").replace("\r", "").replace("\xa0", "")
    if plain.replace("\x0c", "").isprintable():
        return sample.count("\ufffd")
    return len(_CONTROL_CHARS.findall(sample))


def decode_page(raw: bytes | str, content_type: str | None = None) -> str:
    """The page as text, using the HTTP header, BOM or ``<meta charset>``."""
    if isinstance(raw, str):
        text = raw
    else:
        if not raw.strip():
            raise PageError("empty document")
        head = raw[:4096]
        if b"\x00" in raw:
            # Many NULs mean binary (or UTF-16 without a BOM); a stray one or two in a
            # page (a CMS's bad paste) mean nothing and are dropped, as browsers do.
            if head.count(b"\x00") > len(head) * 0.05 and not raw.startswith(_UTF16_BOMS):
                raise PageError("binary content, not HTML (NUL bytes)")
            if not raw.startswith(_UTF16_BOMS):
                raw = raw.replace(b"\x00", b"")
        if len(raw) > MAX_PAGE_BYTES:
            raise PageError(f"page too large ({len(raw)} bytes, limit {MAX_PAGE_BYTES})")
        _, text = html_to_unicode(content_type, raw)
    if not text.strip():
        raise PageError("empty document")
    sample = text[:4096]
    controls = _control_count(sample)
    if controls > len(sample) * 0.05:
        raise PageError("binary content, not HTML (undecodable bytes)")
    text = text.replace("\x00", "")  # a stray NUL (see above) would cut libxml2's input
    if "<" not in sample:
        raise PageError("not HTML (no markup)")
    if len(text) > MAX_PAGE_BYTES:
        raise PageError(f"page too large ({len(text)} characters, limit {MAX_PAGE_BYTES})")
    return text


def parse_html(text: str) -> HtmlElement:
    """One lxml tree for the page; tolerant of truncated or broken markup."""
    try:
        doc = lxml.html.document_fromstring(text.encode("utf-8", "replace"), parser=_PARSER)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise PageError(f"unparseable HTML: {exc}") from None
    if doc is None:
        raise PageError("unparseable HTML")
    return doc


def load_document(raw: bytes | str, content_type: str | None = None) -> tuple[HtmlElement, str]:
    """Decode and parse; returns the tree and the decoded text."""
    text = decode_page(raw, content_type)
    return parse_html(text), text
