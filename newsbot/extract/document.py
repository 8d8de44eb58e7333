"""Turning fetched bytes into one parsed tree, or a clear reason why not.

Everything a page can be besides HTML (empty, binary, an image served as a page,
a 10 MB blob) is refused here with a reason, so parsers below never see it.

A page whose declared charset lies (UTF-8 bytes served as ``iso-8859-1``, so that
"Hải Dương" would read "Háº£i DÆ°Æ¡ng"; or a legacy single-byte page declared
UTF-8, so that its letters become U+FFFD) is caught cheaply on the hot path: only a
page declared in a single-byte charset whose text shows the UTF-8-read-as-Latin
signature, or a page whose decoding lost many characters, is looked at again. The
first is UTF-8 when its bytes decode strictly as UTF-8 (nothing else gives that
signature); the second is handed to bs4's ``UnicodeDammit`` with the declared charset
excluded (windows-1258 tried first on a ``lang="vi"`` page), and its answer is taken
only when it decodes every byte and names a legacy charset. The page is then decoded
with what it really is, and a :class:`PageNote` says so, or says the page is suspect
when nothing better was clear (the crawl counts and logs either with the URL).
"""

from __future__ import annotations

import codecs
import re
from typing import NamedTuple

import lxml.etree
import lxml.html
from lxml.html import HtmlElement
from w3lib.encoding import html_to_unicode

#: Pages larger than this are refused with a reason (the crawl's DOWNLOAD_MAXSIZE is
#: 10 MB, so only a file given to ``newsbot parse`` can be larger). Cutting instead
#: would silently lose the article behind a padding comment or inline data.
MAX_PAGE_BYTES = 16 * 1024 * 1024

#: Deepest nesting libxml2 keeps with ``huge_tree`` (deeper content is dropped).
LIBXML2_MAX_DEPTH = 2048
#: Why a page that lost its content to :data:`LIBXML2_MAX_DEPTH` gave no article.
TOO_DEEP_REASON = (
    f"page nested deeper than {LIBXML2_MAX_DEPTH} levels: the parser drops its content"
)
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0e-\x1f\ufffd]")
#: The C0 controls of ``_CONTROL_CHARS``, as bytes.
_CONTROL_BYTES = bytes(range(0x00, 0x09)) + b"\x0b" + bytes(range(0x0E, 0x20))
# huge_tree: libxml2 otherwise stops at a 10 MB text node or comment and drops the rest
# of the page; input is already capped at MAX_PAGE_BYTES, so the limit buys nothing.
# collect_ids=False: libxml2 otherwise files every id attribute in a hash table, which
# only XPath's id() reads (nothing here or in extruct asks it); the tree is the same.
_PARSER = lxml.etree.HTMLParser(
    encoding="utf-8", remove_comments=True, recover=True, huge_tree=True, collect_ids=False
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


# UTF-8 read as windows-1252 / iso-8859-1: a lead byte (U+00C2-U+00EF) followed by what a
# continuation byte (0x80-0xBF) becomes in either charset. Real Latin-1 text almost never
# has this pair; Vietnamese UTF-8 read that way has it in nearly every word.
_MOJIBAKE = re.compile(
    "[\u00c2-\u00ef][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192"
    "\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a"
    "\u20ac\u2122\ufffd]"
)
#: Signature pairs past which a single-byte page is called suspect even when its bytes
#: are not UTF-8 either.
_MOJIBAKE_SURE = 3
_UTF8_NAMES = frozenset({"utf-8", "utf8", "utf_8"})
#: Share of a page's non-ASCII characters lost to U+FFFD past which its declared
#: charset is doubted (one broken byte in a UTF-8 page is not a wrong charset).
_LOST_SHARE = 0.1
#: Charsets a redecoded page may be in when its declared UTF-8 failed: a detector's
#: guess outside these (hp_roman8, mac_*) on a news page is noise, not an answer.
_CHARSET_TEXT = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.IGNORECASE)
_CHARSET_BYTES = re.compile(rb"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.IGNORECASE)
# Only a page that is HTML is worth a second decoding (not a PDF with a stray NUL).
_MARKUP = re.compile(r"<(?:!doctype|html|head|body|meta|title|p|div)[\s>]", re.IGNORECASE)
_LANG_VI = re.compile(rb"<html[^>]*\slang\s*=\s*[\"']?vi\b", re.IGNORECASE)
_LEGACY_CHARSETS = re.compile(
    r"^(?:cp125\d|windows-125\d|iso-?8859-\d+|latin|koi8|gb|big5|shift_jis|euc|cp949|tis-620)",
    re.IGNORECASE,
)


class PageNote(NamedTuple):
    """Something the decoder repaired or doubts about a page it still read.

    ``kind``: ``charset_corrected`` (decoded with the charset its bytes are in, not the
    declared one) or ``charset_suspect`` (the declared charset looks wrong and no
    better one was clear: the text may be mojibake). ``detail`` says which charsets.
    """

    kind: str
    detail: str


class PageError(ValueError):
    """The input cannot be read as an HTML page; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _control_count(sample: str) -> int:
    """How many characters of ``sample`` only broken bytes give (``_CONTROL_CHARS``)."""
    # The C0 controls among them are exactly the bytes of the same value in the text's
    # UTF-8 (no other character encodes to a byte below 0x80): bytes.translate deletes
    # them in one C loop, where str.replace copied the sample for each of the white
    # space characters the old test removed first, and the regex is slower still.
    encoded = sample.encode("utf-8", "surrogatepass")
    controls = len(encoded) - len(encoded.translate(None, _CONTROL_BYTES))
    return controls + (sample.count("\ufffd") if "\ufffd" in sample else 0)


def decode_page(
    raw: bytes | str, content_type: str | None = None, notes: list[PageNote] | None = None
) -> str:
    """The page as text, using the HTTP header, BOM or ``<meta charset>``; a declared
    charset the bytes contradict is corrected or doubted in ``notes`` (module docstring)."""
    return _decode(raw, content_type, notes)[0]


def _decode(
    raw: bytes | str, content_type: str | None, notes: list[PageNote] | None
) -> tuple[str, bytes | None]:
    """:func:`decode_page`, and the text's UTF-8 bytes when they are ``raw`` itself (a
    UTF-8 page without BOM whose every byte decoded), which the parser then reads
    without the text being encoded again."""
    utf8: bytes | None = None
    if isinstance(raw, str):
        text = raw
    else:
        # (``not x or x.isspace()`` is ``not x.strip()`` without copying the page)
        if not raw or raw.isspace():
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
        encoding, text = html_to_unicode(content_type, raw)
        if encoding.lower() in _UTF8_NAMES:
            # (``in`` finds no U+FFFD in a fraction of the time count() takes to count none)
            lost = text.count("\ufffd") if "\ufffd" in text else 0
            if lost == 0 and not raw.startswith(codecs.BOM_UTF8):
                # Nothing replaced, nothing stripped: the text is these bytes, and
                # holds no NUL (the bytes have none left).
                utf8 = raw
            doubtful = lost >= 3 and lost > _non_ascii(text) * _LOST_SHARE
        else:
            doubtful = _MOJIBAKE.search(text) is not None
        if doubtful and _MARKUP.search(text, 0, 4096):
            text = _redecode(raw, content_type, encoding, text, notes)
            utf8 = None
    if not text or text.isspace():
        raise PageError("empty document")
    sample = text[:4096]
    controls = _control_count(sample)
    if controls > len(sample) * 0.05:
        raise PageError("binary content, not HTML (undecodable bytes)")
    if utf8 is None:
        text = text.replace("\x00", "")  # a stray NUL (see above) would cut libxml2's input
    if "<" not in sample:
        raise PageError("not HTML (no markup)")
    if len(text) > MAX_PAGE_BYTES:
        raise PageError(f"page too large ({len(text)} characters, limit {MAX_PAGE_BYTES})")
    return text, utf8


def _non_ascii(text: str) -> int:
    return len(text) - len(text.encode("ascii", "ignore"))


def _redecode(
    raw: bytes, content_type: str | None, encoding: str, text: str, notes: list[PageNote] | None
) -> str:
    """Off the hot path: the page decoded as what its bytes are, when that is clear."""
    said = _declared_label(content_type, raw) or encoding
    if encoding.lower() not in _UTF8_NAMES:
        # The signature is UTF-8 read as a single-byte charset and nothing else: the
        # bytes either are valid UTF-8 (then they are UTF-8) or the page is what it says.
        try:
            better = raw.decode("utf-8")
        except UnicodeDecodeError:
            if len(_MOJIBAKE.findall(text, 0, 65536)) < _MOJIBAKE_SURE:
                return text  # a rare pair in a real single-byte page: nothing wrong
            return _suspect(text, said, notes)
        return _corrected(better, said, "utf-8", notes)
    from bs4.dammit import UnicodeDammit  # only for the rare page that needs it

    # Declared UTF-8 but not UTF-8: a legacy charset. A Vietnamese page's is windows-1258.
    hint = ["windows-1258"] if _LANG_VI.search(raw, 0, 4096) else []
    excluded = sorted({said, encoding, "utf-8", "utf8"})
    dammit = UnicodeDammit(raw, user_encodings=hint, exclude_encodings=excluded, is_html=True)
    found = dammit.original_encoding or ""
    if (
        _LEGACY_CHARSETS.match(found)
        and dammit.unicode_markup
        and not dammit.contains_replacement_characters
    ):
        return _corrected(dammit.unicode_markup, said, found, notes)
    return _suspect(text, said, notes)


def _corrected(text: str, said: str, found: str, notes: list[PageNote] | None) -> str:
    if notes is not None:
        notes.append(PageNote("charset_corrected", f"declared charset {said}, decoded as {found}"))
    return text


def _suspect(text: str, said: str, notes: list[PageNote] | None) -> str:
    if notes is not None:
        notes.append(
            PageNote("charset_suspect", f"declared charset {said} looks wrong; no better one found")
        )
    return text


def _declared_label(content_type: str | None, raw: bytes) -> str | None:
    """The charset as the page says it (HTTP header first, then the markup), unnormalised."""
    header = _CHARSET_TEXT.search(content_type or "")
    if header:
        return header.group(1).lower()
    meta = _CHARSET_BYTES.search(raw[:4096])
    return meta.group(1).decode("ascii").lower() if meta else None


def parse_html(text: str, utf8: bytes | None = None) -> HtmlElement:
    """One lxml tree for the page; tolerant of truncated or broken markup. ``utf8``:
    the text's UTF-8 encoding, when the caller has it."""
    if utf8 is None:
        utf8 = text.encode("utf-8", "replace")
    try:
        doc = lxml.html.document_fromstring(utf8, parser=_PARSER)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise PageError(f"unparseable HTML: {exc}") from None
    if doc is None:
        raise PageError("unparseable HTML")
    return doc


def cut_by_depth(doc: HtmlElement) -> bool:
    """Did libxml2 drop part of the page for nesting deeper than it keeps? (It stops at
    :data:`LIBXML2_MAX_DEPTH` levels and silently loses what lies deeper.) One C-level
    walk: for explaining a page that gave nothing, not for every page."""
    depth = 0
    for event, _ in lxml.etree.iterwalk(doc, events=("start", "end")):
        depth += 1 if event == "start" else -1
        if depth >= LIBXML2_MAX_DEPTH:
            return True
    return False


def load_document(
    raw: bytes | str, content_type: str | None = None, notes: list[PageNote] | None = None
) -> tuple[HtmlElement, str]:
    """Decode and parse; returns the tree and the decoded text (``notes``: see
    :func:`decode_page`)."""
    text, utf8 = _decode(raw, content_type, notes)
    return parse_html(text, utf8), text
