"""Text normalisation for article fields: Unicode NFC, invisible characters, whitespace.

Owns what "clean text" means for every record field (``../shared/portal/PORTAL.md``:
all text is NFC, whitespace collapsed, ``&nbsp;`` removed at paragraph ends) and how the
visible text of an lxml element is read. Pure functions: no Scrapy, no network.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from lxml import etree
from lxml.html import HtmlElement

__all__ = [
    "element_text",
    "is_blank",
    "join_paragraphs",
    "normalize_paragraph",
    "normalize_text",
]

# Characters a reader never sees. They are deleted rather than turned into spaces:
# CMS editors paste zero-width spaces and soft hyphens *inside* words, and a
# zero-width joiner between a letter and its combining mark would stop NFC from
# composing them. C0 controls (other than whitespace) only come from broken bytes
# and would make the Atom/XML feeds invalid.
_INVISIBLE = (
    "\u00ad"  # soft hyphen
    "\u180e"  # Mongolian vowel separator (was whitespace in old Unicode versions)
    "\u200b"  # zero-width space
    "\u200c"  # zero-width non-joiner
    "\u200d"  # zero-width joiner
    "\u2060"  # word joiner
    "\ufeff"  # BOM / zero-width no-break space
    + "".join(chr(c) for c in range(0x00, 0x09))
    + "".join(chr(c) for c in range(0x0E, 0x1C))
    + "\x7f"
)
# A regex, not str.translate: translate walks a dict per character and costs ~40x more on
# a typical 4 KB article body, which is on every page's hot path.
# Lone UTF-16 surrogates (a JSON-LD "\ud800" escape) are no characters at all: they
# cannot be encoded as UTF-8, so a record holding one could never be stored.
_INVISIBLE_RE = re.compile("[" + re.escape(_INVISIBLE) + "\ud800-\udfff]+")

# Elements whose content is never visible text.
_HIDDEN_TAGS = frozenset({"script", "style", "noscript", "template", "head", "title"})

# Elements a browser renders on their own line: their edges separate words, so
# "<p>one</p><p>two</p>" reads "one two", while inline tags ("Ha<b>i</b>") join.
_BLOCK_TAGS = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "br",
        "caption",
        "dd",
        "details",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    }
)


#: Descendants that make element_text walk: their edges or content are not plain text.
_NOT_INLINE = _BLOCK_TAGS | _HIDDEN_TAGS


def normalize_text(text: str | None) -> str:
    """Return ``text`` as NFC with invisible characters removed and whitespace collapsed.

    Every Unicode space (NBSP, narrow NBSP, tabs, newlines, ...) becomes a single
    ``' '``; the result is stripped. ``None`` gives ``''``.
    """
    if not text:
        return ""
    if text.isprintable() and "  " not in text and text[0] != " " and text[-1] != " ":
        # Already collapsed (most text is, and all text normalised once): every white
        # space character but the ASCII space is unprintable (Cc, Zs, Zl, Zp), so the
        # only white space here is single spaces between words. split() and join()
        # would rebuild the same string one word at a time.
        collapsed = text
    else:
        # str.split() without arguments splits on every Unicode whitespace, NBSP included.
        collapsed = " ".join(text.split())
        if not collapsed.isprintable():
            # Invisible characters (all of them Cc, Cf or Cs, none whitespace) must go
            # before the whitespace is collapsed: "a \u200b b" is "a b".
            return _normalize_slow(text)
    # Nothing invisible (isprintable() is one C loop, the invisibles regex a much slower
    # one; most text on the hot path has none): collapsing first is then the same, as NFC
    # maps whitespace to whitespace and composes nothing across it.
    if not collapsed.isascii():
        # Pages come stored in NFD too (and entities like "a&#803;" decompose);
        # records are NFC so equal words compare and hash equal.
        collapsed = unicodedata.normalize("NFC", collapsed)
    return collapsed


def _normalize_slow(text: str) -> str:
    """:func:`normalize_text` for text that may hold invisible characters."""
    text = _INVISIBLE_RE.sub("", text)
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    return " ".join(text.split())


# One paragraph is normalised exactly like any other text; the alias keeps call sites readable.
normalize_paragraph = normalize_text


def join_paragraphs(paragraphs: Iterable[str | None]) -> str:
    """Normalise each paragraph, drop empty ones, and join them with one blank line."""
    return "\n\n".join(p for p in map(normalize_text, paragraphs) if p)


def is_blank(text: str | None) -> bool:
    """True when ``text`` holds nothing visible (None, whitespace, NBSP, zero-width chars)."""
    return not normalize_text(text)


def _local_name(tag: str) -> str:
    # XHTML parsed as XML carries a namespace: "{http://www.w3.org/1999/xhtml}p".
    return tag.rpartition("}")[2].lower() if tag[0] == "{" else tag


def element_text(el: HtmlElement) -> str:
    """Visible text of ``el`` (its tail excluded), normalised with :func:`normalize_text`.

    Text and tails of descendants in document order; ``<br>`` and block-level
    element edges read as a space; ``<script>``, ``<style>``, ``<noscript>``, ``<head>``,
    ``<template>`` content and comments are left out.
    """
    if len(el) == 0:
        # No children (the usual headline, date or plain paragraph): its own text is
        # all there is, and edges only add spaces that normalisation strips.
        return normalize_text(el.text)
    for node in el.iterdescendants():
        tag = node.tag
        if not isinstance(tag, str) or _local_name(tag) in _NOT_INLINE:
            break
    else:
        # Inline elements only below (a link, bold, a span: no block edge, hidden part,
        # comment or processing instruction): the walk below would join their texts and
        # tails in page order, which is what itertext() gives, in C.
        return normalize_text("".join(el.itertext()))
    return normalize_text(_walked_text(el))


def _walked_text(el: HtmlElement) -> str:
    """The visible text of ``el`` as :func:`element_text` reads it, not yet normalised."""
    parts: list[str] = []
    append = parts.append
    # iterwalk is lxml's C-level walk; a Python-level recursion would be slower and
    # could hit the recursion limit on pathologically nested markup.
    walker = etree.iterwalk(el, events=("start", "end", "comment", "pi"))
    for event, node in walker:
        if event == "comment" or event == "pi":
            # No visible text of their own, but the text after them is.
            if node.tail and node is not el:
                append(node.tail)
            continue
        name = _local_name(node.tag)
        if event == "start":
            if name in _HIDDEN_TAGS and node is not el:
                # Skipped subtree; its tail is still visible and comes at "end". The root
                # itself is read even when hidden: asking for a <title>'s text is deliberate.
                walker.skip_subtree()
                continue
            if name in _BLOCK_TAGS:
                append(" ")
            if node.text:
                append(node.text)
        else:
            if node is el:
                break
            if name in _BLOCK_TAGS:
                append(" ")
            if node.tail:
                append(node.tail)
    return "".join(parts)
