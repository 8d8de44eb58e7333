"""Building blocks for a publisher's layouts: a layout declared as XPath selectors, and
the walker that splits an article body into paragraphs, images, media, related links
and byline.

A publisher profile subclasses :class:`SelectorLayout` once per page design and only
declares selectors (``TITLE``, ``BODY``, ``LISTING_ITEMS``, ...); everything here is
publisher-independent and a pure function of a parsed page.

Two rules keep a hostile page from hurting the crawl:

- **No Python recursion proportional to the page's depth.** :class:`BodyWalker` walks
  with an explicit stack, so a body nested a thousand (or a hundred thousand) levels
  deep is read like any other instead of raising ``RecursionError``.
- **No compiled XPath shared between calls or threads.** A selector is read by a walk
  of the tree (:func:`newsbot.extract.xpath.walk_select`, for the subset layouts are
  mostly written in) or evaluated with ``node.xpath(expr)``, which builds its own
  evaluator. A cached ``lxml.etree.XPath`` object holds a lock while it runs; an
  exception raised at the wrong moment inside it (a ``RecursionError`` does) left that
  lock held and the next page to use the selector blocked forever. Per-call evaluation
  costs the same as a compiled object here (libxml2 compiles these short expressions in
  microseconds). What is cached is text only: the walk's plan (tuples of strings), and
  each XPath selector's ``//step[...]`` rewritten as ``/descendant::step[...]`` where
  that selects the same nodes (:func:`newsbot.extract.xpath.descendant_form`), which
  libxml2 walks several times faster.

The walker finds a block's pictures, media and links with lxml's own tag iterators
(``iterdescendants``), not XPath: the same elements in the same order, without an
evaluator per paragraph.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, ClassVar

from lxml import etree
from lxml.html import HtmlElement

from newsbot.extract.text import element_text, normalize_text
from newsbot.extract.xpath import (
    ClassCache,
    class_of,
    descendant_form,
    has_class,
    has_word,
    walk_plan,
    walk_select,
)
from newsbot.sites.base import Layout, Listing, ListingEntry

__all__ = [
    "BodyWalker",
    "SelectorLayout",
    "class_words",
    "has_word",
    "first",
    "has_class",
    "image_src",
    "links",
    "select",
    "text_of",
]


#: What XPath's normalize-space() counts as white space (see ``has_word``).
_XML_SPACE = re.compile(r"[ \t\r\n]+")


def class_words(el: HtmlElement) -> set[str]:
    """The words of an element's ``class``, as :func:`has_class` tests them."""
    return set(_XML_SPACE.split(el.get("class") or "")) - {""}


def select(node: HtmlElement, expr: str, classes: ClassCache | None = None) -> list[Any]:
    """Evaluate ``expr`` on ``node`` with an evaluator of its own (see the module doc).

    The selectors of the subset :func:`newsbot.extract.xpath.walk_plan` knows (chains
    of ``//tag[has_class(word)]`` steps and their unions, which is what layouts are
    mostly written in) are read with lxml's tag iterators and a test of the class words
    instead: the same elements in the same (page) order, without an XPath class test
    per candidate element. ``classes``: the page's :data:`ClassCache`, when the caller
    reads several selectors of one page."""
    plan = walk_plan(expr)
    if plan is None:
        return node.xpath(descendant_form(expr))
    return walk_select(node, plan, classes)


def first(node: HtmlElement, expr: str, classes: ClassCache | None = None) -> HtmlElement | None:
    """The first element ``expr`` selects, or None."""
    found = select(node, expr, classes)
    return found[0] if found else None


def text_of(node: HtmlElement, expr: str, classes: ClassCache | None = None) -> str | None:
    """Visible text of the first element ``expr`` selects; None when absent or empty."""
    el = first(node, expr, classes)
    if el is None:
        return None
    return element_text(el) or None


def links(nodes: list[HtmlElement]) -> list[dict[str, str]]:
    """``{url, title}`` of each ``<a>`` with a non-blank ``href``, in order."""
    found = []
    for a in nodes:
        href = a.get("href", "").strip()  # (read once: an attribute read is not cheap)
        if href:
            found.append({"url": href, "title": element_text(a)})
    return found


#: Where CMSs put the real image address of a lazy-loaded ``<img>``, best first.
LAZY_ATTRS = ("data-src", "data-original", "data-lazy-src", "data-srcset", "src")


def image_src(img: HtmlElement) -> str | None:
    """The address of an ``<img>``: lazy-loading attributes first, never a ``data:`` URI."""
    for attr in LAZY_ATTRS:
        value = (img.get(attr) or "").strip()
        if value and not value.startswith("data:"):
            return value.split()[0] if attr == "data-srcset" else value
    return None


def is_related_line(text: str) -> bool:
    """A ``>> Other story`` line inside a body: links to read, not body text."""
    return text.startswith(">>")


def is_byline(p: HtmlElement, text: str) -> bool:
    """A byline at the end of a body: a short right-aligned paragraph that is all bold."""
    style = (p.get("style") or "").replace(" ", "").lower()
    right = "text-align:right" in style or (p.get("align") or "").lower() == "right"
    if not right or not text or len(text) > 80:
        return False
    bold = " ".join(element_text(b) for b in p.iterchildren("strong", "b"))
    return normalize_text(bold) == text


def _elements(node: HtmlElement) -> Iterator[HtmlElement]:
    """Child elements (comments and processing instructions left out, in C)."""
    return node.iterchildren(etree.Element)


class BodyWalker:
    """Splits an article body into paragraphs, images, media, related links and byline.

    Text is read block by block (``p``, headings, list items, ...); containers
    (``div``, ``table``, ``span``, ...) are opened when they hold blocks, images or
    media, and read as one paragraph otherwise. Subclass and change the class
    attributes for a CMS with other conventions.
    """

    BLOCKS: ClassVar[frozenset[str]] = frozenset(
        {"p", "h2", "h3", "h4", "h5", "h6", "blockquote", "li", "pre"}
    )
    CONTAINERS: ClassVar[frozenset[str]] = frozenset(
        {"table", "ul", "ol", "div", "section", "tbody", "tr", "td", "center", "span"}
    )
    SKIP: ClassVar[frozenset[str]] = frozenset(
        {"script", "style", "noscript", "iframe", "form", "button", "ins"}
    )
    SKIP_CLASSES: ClassVar[tuple[str, ...]] = (
        "ads",
        "advert",
        "banner",
        "related",
        "box-related",
        "social",
        "share",
    )
    #: A container holding one of these is opened rather than read as one paragraph.
    OPENS_CONTAINER: ClassVar[tuple[str, ...]] = (
        "p",
        "li",
        "figure",
        "img",
        "audio",
        "video",
        "h2",
        "h3",
    )

    #: A figure's caption is its first ``figcaption`` or element of one of these classes.
    CAPTION_CLASSES: ClassVar[frozenset[str]] = frozenset({"image_desc", "caption"})

    def __init__(self, classes: ClassCache | None = None) -> None:
        #: The page's classes as the layout read them (see ``ClassCache``).
        self._classes = classes
        self.paragraphs: list[str] = []
        self.images: list[dict[str, str | None]] = []
        self.media: list[dict[str, str]] = []
        self.related: list[dict[str, str]] = []
        self.author: str | None = None
        self._last_p: HtmlElement | None = None

    def walk(self, container: HtmlElement) -> None:
        """Read every child of ``container`` in document order, then take the byline."""
        # An explicit stack of child iterators instead of recursion: the depth of the
        # markup never reaches Python's recursion limit (issue 11, finding 1).
        stack: list[Iterator[HtmlElement]] = [_elements(container)]
        while stack:
            el = next(stack[-1], None)
            if el is None:
                stack.pop()
                continue
            # Tag and class read once per element (each read builds a new string).
            tag = el.tag.lower()
            cls = (class_of(el, self._classes) or "").lower()
            if self._skipped(tag, cls):
                continue
            if self._opens(el, tag, cls):
                stack.append(_elements(el))
            else:
                self._visit(el, tag, cls)
        self._take_byline()

    def _skipped(self, tag: str, cls: str) -> bool:
        """Neither opened nor read: scripts, forms, ads, share and related boxes."""
        # (most body elements have no class: no generator over the skip classes)
        return tag in self.SKIP or (cls != "" and any(s in cls for s in self.SKIP_CLASSES))

    def _opens(self, el: HtmlElement, tag: str, cls: str) -> bool:
        """A container whose children are read one by one (it holds blocks or pictures)."""
        if tag not in self.CONTAINERS:
            return False
        if tag == "table" and "image" in cls.split():
            return False  # a captioned picture, read as a figure
        # iter() stops at the first match; C-level, so depth costs no Python frames.
        return next(el.iter(*self.OPENS_CONTAINER), None) is not None

    def _visit(self, el: HtmlElement, tag: str, cls: str) -> None:
        """One element that is not opened: a picture, media, a block or text."""
        if tag in ("audio", "video"):
            self._media(el, tag)
        elif tag == "figure" or (tag == "table" and "image" in cls.split()):
            self._figure(el)
        elif tag == "img":
            self._image(el, None)
        elif tag in self.BLOCKS:
            self._block(el)
        else:
            self._add_paragraph(element_text(el), None)

    def _block(self, el: HtmlElement) -> None:
        if len(el):  # (most paragraphs are text only: no walk for pictures)
            # One walk for both: images and media go to lists of their own, each in order.
            for node in el.iterdescendants("img", "audio", "video"):
                if node.tag == "img":
                    self._image(node, None)
                else:
                    self._media(node, node.tag.lower())
        text = element_text(el)
        if is_related_line(text):
            self.related.extend(
                links([a for a in el.iterdescendants("a") if a.get("href") is not None])
            )
            return
        self._add_paragraph(text, el)

    def _add_paragraph(self, text: str, el: HtmlElement | None) -> None:
        if text:
            self.paragraphs.append(text)
            self._last_p = el

    def _caption(self, figure: HtmlElement) -> HtmlElement | None:
        """``.//figcaption | .//*[has_class(c)]`` for each caption class, first in page
        order; read by a walk of the figure (a few elements) instead of one XPath scan each."""
        for node in figure.iterdescendants():
            if node.tag == "figcaption":
                return node
            classes = node.get("class") if isinstance(node.tag, str) else None
            if classes and any(has_word(classes, c) for c in self.CAPTION_CLASSES):
                return node
        return None

    def _figure(self, el: HtmlElement) -> None:
        caption_el = self._caption(el)
        caption = element_text(caption_el) if caption_el is not None else None
        for i, img in enumerate(el.iterdescendants("img")):
            self._image(img, caption or None if i == 0 else None)

    def _image(self, img: HtmlElement, caption: str | None) -> None:
        src = image_src(img)
        if src:
            self.images.append({"url": src, "caption": caption})

    def _media(self, el: HtmlElement, kind: str) -> None:
        sources = [s.get("src") for s in el.iterchildren("source") if s.get("src") is not None]
        for src in [el.get("src"), *sources]:
            if src and src.strip():
                self.media.append({"url": src.strip(), "kind": kind})

    def _take_byline(self) -> None:
        if self._last_p is None or not self.paragraphs:
            return
        text = self.paragraphs[-1]
        if is_byline(self._last_p, text):
            self.author = text
            self.paragraphs.pop()


class SelectorLayout(Layout):
    """A layout described by its selectors; a publisher's layouts only declare them.

    Selectors are XPath. ``BYLINE`` is relative to the body element; ``ITEM_LINK`` and
    ``ITEM_TIME`` are relative to a listing item. ``WALKER`` is the body walker class.
    """

    ARTICLE: ClassVar[str]  # present only on article pages of the layout
    TITLE: ClassVar[str]
    DATE: ClassVar[str]
    LEAD: ClassVar[str]
    TAGS: ClassVar[str]
    BREADCRUMB: ClassVar[str]  # links; the last one is the section
    BODY: ClassVar[str]
    BYLINE: ClassVar[str | None] = None  # inside the body; else the walker's rule
    RELATED_BEFORE_BODY: ClassVar[str | None] = None
    RELATED_AFTER_BODY: ClassVar[str]
    LISTING_ITEMS: ClassVar[str]
    ITEM_LINK: ClassVar[str]
    ITEM_TIME: ClassVar[str]  # an element (its text) or an attribute
    NEXT_PAGE: ClassVar[str]
    WALKER: ClassVar[type[BodyWalker]] = BodyWalker
    #: Every text is read with ``element_text`` (the walker's paragraphs too).
    text_normalized: ClassVar[bool] = True

    def is_article(self, doc: HtmlElement) -> bool:
        return bool(select(doc, self.ARTICLE))

    def extract(self, doc: HtmlElement, url: str) -> dict[str, Any]:
        classes: ClassCache = {}  # each element's class read once for all selectors
        out: dict[str, Any] = {
            "title": text_of(doc, self.TITLE, classes),
            "published_at": text_of(doc, self.DATE, classes),
            "lead": text_of(doc, self.LEAD, classes),
            "tags": [element_text(a) for a in select(doc, self.TAGS, classes)],
        }
        crumbs = select(doc, self.BREADCRUMB, classes)
        if len(crumbs) > 1:  # the first crumb is the home page
            out["section"] = element_text(crumbs[-1])
        related = (
            links(select(doc, self.RELATED_BEFORE_BODY, classes))
            if self.RELATED_BEFORE_BODY
            else []
        )
        body = first(doc, self.BODY, classes)
        if body is not None:
            byline = first(body, self.BYLINE, classes) if self.BYLINE else None
            if byline is not None:
                byline.getparent().remove(byline)  # a byline is not body text
            walker = self.WALKER(classes)
            walker.walk(body)
            author = element_text(byline) if byline is not None else walker.author
            out.update(
                body=walker.paragraphs,
                images=walker.images,
                media=walker.media,
                author=author or None,
            )
            related += walker.related
        out["related"] = related + links(select(doc, self.RELATED_AFTER_BODY, classes))
        return out

    def listing(self, doc: HtmlElement, url: str) -> Listing | None:
        items = select(doc, self.LISTING_ITEMS)
        if not items:
            return None
        entries = []
        for item in items:
            link = first(item, self.ITEM_LINK)
            if link is None:
                continue
            when = select(item, self.ITEM_TIME)
            if when:
                when = str(when[0]) if isinstance(when[0], str) else element_text(when[0])
            entries.append(
                ListingEntry(
                    url=link.get("href").strip(),
                    title=element_text(link),
                    published_at=when or None,
                )
            )
        nxt = select(doc, self.NEXT_PAGE)
        return Listing(entries=entries, next_page=str(nxt[0]).strip() if nxt else None)
