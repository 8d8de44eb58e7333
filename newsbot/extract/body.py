"""The generic body walker: an article container split into what a record holds.

Publisher-independent. Given the element that holds an article (found by the fallback,
or a layout's known container), :func:`walk_body` returns, in page order, the text
blocks (paragraphs, headings as paragraphs), body images with their captions, audio and
video, the related-story boxes ("Tin liên quan", "Xem thêm", "Related", ...) taken out
of the text, and the trailing byline or credit lines taken out of the text too.

Recursion-safe by construction: one pass of lxml's C-level ``iterwalk`` with an
explicit skip, no Python recursion and no shared compiled XPath, so a body nested
thousands of levels deep costs time linear in its size and cannot raise
``RecursionError`` (a page of ours once hung every later parse that way).

The line rules (:func:`related_label`, :func:`is_credit_line`, :func:`is_call_to_action`,
:func:`byline_name`) are public: the generic entry point also applies them to the
fallback's text.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from lxml.html import HtmlElement

from newsbot.extract.text import element_text, normalize_text
from newsbot.extract.urls import join_url

__all__ = [
    "BodyParts",
    "byline_name",
    "image_source",
    "is_call_to_action",
    "is_credit_line",
    "related_label",
    "walk_body",
]

# Text blocks: each is one paragraph of the record.
_TEXT_BLOCKS = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "dd", "dt", "address"}
)
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
# Never article text.
_SKIP_TAGS = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "form",
        "button",
        "input",
        "select",
        "textarea",
        "nav",
        "svg",
        "canvas",
        "ins",
        "label",
        "object",
        "embed",
        "head",
        "title",
        "meta",
        "link",
    }
)
# Class/id words of boxes inside article containers that are not the article: sharing,
# ads, newsletter sign-ups, comments, tag lists, author boxes, breadcrumbs.
_SKIP_WORDS = re.compile(
    r"(?:^|[\s_-])(?:share|sharing|social|sns|ads?|advert\w*|banner|sponsor\w*|promo\w*|"
    r"newsletter|subscribe|subscription|comments?|comment-\w+|breadcrumbs?|tags?|"
    r"keywords?|tool-?bar|print|rating|vote|poll|paywall|hidden|sr-only|visually-hidden|"
    r"author-?box|bio|signup|popup|modal|cookie|outbrain|taboola|zalo|fb-\w+)(?:$|[\s_-])",
    re.IGNORECASE,
)
_RELATED_WORDS = re.compile(
    r"(?:^|[\s_-])(?:related|relate|lien-?quan|tinlienquan|read-?more|more-?news|"
    r"see-?also|also-?read|doc-?them|xem-?them|recommend\w*)(?:$|[\s_-])",
    re.IGNORECASE,
)
_SIDEBAR_WORDS = re.compile(
    r"(?:^|[\s_-])(?:same-?zone|cung-?chuyen-?muc|more-?stories|other-?news|tin-?khac|"
    r"most-?read|most-?popular|doc-?nhieu|tin-?moi|latest-?news|trending)(?:$|[\s_-])",
    re.IGNORECASE,
)
_CAPTION_WORDS = re.compile(
    r"(?:^|[\s_-])(?:caption|wp-caption-text|image_desc|img-desc|image-desc|desc|"
    r"photo-?caption|img-?caption|image-?caption|figcaption|legend|legenda|credit|pie|"
    r"foto-?pie|pie-?foto|bildunterschrift|bu)(?:$|[\s_-])",
    re.IGNORECASE,
)
_IMAGE_BOX_WORDS = re.compile(
    r"(?:^|[\s_-])(?:wp-caption|image|img|photo|foto|picture|figure|media|thumb\w*|expNoEdit)"
    r"(?:$|[\s_-])",
    re.IGNORECASE,
)
_BYLINE_WORDS = re.compile(
    r"(?:^|[\s_-])(?:author|byline|by-?line|writer|tac-?gia|nguon|source|signature|credit)"
    r"(?:$|[\s_-])",
    re.IGNORECASE,
)

# Headings and labels that open a box of other stories, in the languages we meet.
_RELATED_LABELS = re.compile(
    r"^\W*(?:tin\s+liên\s+quan|bài\s+liên\s+quan|bài\s+đọc\s+tiếp|"
    r"xem\s+thêm|đọc\s+thêm|có\s+thể\s+bạn\s+quan\s+tâm|bài\s+viết\s+liên\s+quan|"
    r"related(?:\s+(?:articles?|stories|news|content|coverage|posts?|reading|topics?))?|"
    r"read\s+more|see\s+more|see\s+also|also\s+read|read\s+also|more\s+on\s+this|"
    r"more\s+from\s+[\w .]+|you\s+may\s+also\s+like|recommended(?:\s+for\s+you)?|"
    r"don['’]?t\s+miss|lesen\s+sie\s+auch|mehr\s+zum\s+thema|"
    r"auch\s+interessant|leia\s+também|leia\s+mais|veja\s+também|leggi\s+anche|lire\s+aussi|"
    r"à\s+lire\s+aussi|lee\s+también|te\s+puede\s+interesar)\b\s*[:：»>\-–]*",
    re.IGNORECASE,
)
# Boxes of other stories that are not about this one (same section, latest, most read):
# out of the body, but no related links.
_SIDEBAR_LABELS = re.compile(
    r"^\W*(?:tin\s+cùng\s+chuyên\s+mục|cùng\s+chuyên\s+mục|tin\s+mới(?:\s+nhất)?|"
    r"đọc\s+nhiều(?:\s+nhất)?|tin\s+khác|tin\s+nổi\s+bật|most\s+read(?:\s+in\s+[\w ]+)?|"
    r"most\s+popular|latest(?:\s+news)?|trending|meistgelesen|les\s+plus\s+lus|"
    r"lo\s+más\s+leído|mais\s+lidas)\W*$",
    re.IGNORECASE,
)
# Portal-style related lines: ">> title", ">>> title", "» title".
_ARROW_LINE = re.compile(r"^\s*(?:>{2,}|»{1,2}|►)\s*\S")

# Trailing credit lines: agency and source attributions, reporting credits.
# Short ones ("Theo TTXVN", "Nguồn: VnExpress", "Ảnh: Minh Hải"): a line of a few words
# only, since "Theo báo cáo, ..." ("according to the report") opens many sentences.
_CREDIT_SHORT = re.compile(
    r"^\W*(?:theo\s+\S|nguồn\s*[:：]|nguồn\s+\S|source\s*[:：]|sources?\s+\S|quelle\s*[:：]|"
    r"fuente\s*[:：]|fonte\s*[:：]|via\s*[:：]|"
    r"(?:bài|ảnh|bài\s+và\s+ảnh|bài,\s*ảnh|video|clip|text|photos?|images?|"
    r"fotos?|bild|image\s+credits?|photo\s+credits?)\s*[:：])",
    re.IGNORECASE,
)
_CREDIT = re.compile(
    r"^\W*(?:(?:additional\s+)?reporting\s+by\b|editing\s+by\b|writing\s+by\b|"
    r"compiled\s+by\b|edited\s+by\b|translated\s+by\b|\(?(?:reporting|editing)\s+by\b)",
    re.IGNORECASE,
)
_CONTRIBUTED = re.compile(
    r"\b(?:contributed\s+(?:to\s+)?(?:this\s+)?(?:report|reporting|story)|"
    r"contributed\s+reporting|contributed\s+to\s+this)\b",
    re.IGNORECASE,
)
_AGENCY_ONLY = re.compile(
    r"^\W*(?:\(?(?:ttxvn|ttxvn/vietnam\+|vna|ap|afp|reuters|dpa|xinhua|efe|ansa|upi|"
    r"tass|bbc|cnn)\)?)\W*$",
    re.IGNORECASE,
)
# Calls to action and widget labels at the edges of a body.
_CALL_TO_ACTION = re.compile(
    r"^\W*(?:fehler\s+gefunden|jetzt\s+melden|subscribe\b|sign\s+up\b|click\s+here\b|"
    r"follow\s+(?:us|[\w ]{1,30}\s+on)\b|share\s+this\b|comments?\W*(?:comments?)?\W*$|"
    r"get\s+(?:the|our)\s+[\w ]{1,40}newsletter|join\s+(?:our|the)\s+[\w ]{1,40}|"
    r"listen\s+to\s+this\s+article|reading\s+time|tempo\s+de\s+leitura|lesezeit|"
    r"thời\s+gian\s+đọc|advertisement\W*$|anzeige\W*$|quảng\s+cáo\W*$|"
    r"đăng\s+ký\s+nhận|mời\s+quý\s+độc\s+giả|theo\s+dõi\s+(?:chúng\s+tôi|báo)|"
    r"bấm\s+(?:vào\s+)?đây|nhấn\s+vào\s+đây|tải\s+ứng\s+dụng|"
    r"more\W*$|print\W*$|e-?mail\W*$|copy\s+link|reach\s+(?:the\s+)?(?:reporters?|writers?|author)|"
    r"write\s+to\s+\S+(?:\s+\S+)?\s+at\b|follow\s+(?:ap|the|our)\b|more\s+ap\b|"
    r"if\s+you\s+enjoyed|something\s+to\s+consider|listen\s+to\b|"
    r"get\s+[\w ]{1,40}\s+delivered|disclaimer\W*$|©|\(c\)\s|copyright\b|"
    r"(?:updated|last\s+updated)\s+(?:at|on)\b|order\s+reprints|[^ ]+@[^ ]+\.\w+(?:\s+\S+){0,3}$)",
    re.IGNORECASE,
)
_BY_PREFIX = re.compile(
    r"^\s*(?:by|von|por|par|di|door|af|av|bởi|tác\s+giả|tác\s+giả\s*:|author|autor)\s*[:：]?\s+",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.!?…:;\"“”]\s*$")

# Images that are never article pictures.
_PLACEHOLDER = re.compile(
    r"placeholder|blank\.(?:gif|png)|spacer|pixel\.|1x1|transparent\.(?:gif|png)|"
    r"loading\.(?:gif|svg)|lazy(?:load)?\.(?:gif|png|svg)|grey\.gif|default-image|no-image|"
    r"/ads?/|doubleclick|/beacon|/track|facebook\.com/tr|\.svg(?:$|\?)",
    re.IGNORECASE,
)
_NOT_PICTURE = re.compile(
    r"(?:^|[\W_])(?:logo|icon|icons|avatar|emoji|emoticon|sprite|badge|favicon|gravatar|"
    r"button|btn|arrow|rating-star|flag|banners?|banner_\w+)(?:$|[\W_])",
    re.IGNORECASE,
)
_LAZY_ATTRS = (
    "data-src",
    "data-original",
    "data-lazy-src",
    "data-lazy",
    "data-url",
    "data-full-url",
    "data-hi-res-src",
    "data-srcset",
    "data-lazy-srcset",
    "srcset",
    "src",
)
_MEDIA_HOSTS = re.compile(
    r"(?:youtube(?:-nocookie)?\.com|youtu\.be|vimeo\.com|dailymotion\.com|"
    r"player\.|/embed/|soundcloud\.com|spotify\.com/embed)",
    re.IGNORECASE,
)


@dataclass(slots=True)
class Block:
    """One text block of the body, in page order."""

    text: str
    tag: str
    element: HtmlElement | None = None


@dataclass(slots=True)
class BodyParts:
    """What the walker found in a container, each list in page order."""

    blocks: list[Block] = field(default_factory=list)
    images: list[dict[str, Any]] = field(default_factory=list)
    media: list[dict[str, str]] = field(default_factory=list)
    related: list[dict[str, str]] = field(default_factory=list)
    #: Text of everything taken out of the body (captions, related boxes, bylines),
    #: normalised: the entry point removes the same lines from the fallback's text.
    removed: set[str] = field(default_factory=set)
    #: A byline printed at the end of the body (a name), and credit lines ("Theo TTXVN").
    byline: str | None = None
    credits: list[str] = field(default_factory=list)
    #: Short lines printed like a byline (right-aligned, a byline class, all bold or
    #: italic), wherever they are: the fallback's text may end on one ("PV").
    styled: set[str] = field(default_factory=set)

    @property
    def paragraphs(self) -> list[str]:
        return [b.text for b in self.blocks]


# --- line rules ---------------------------------------------------------------------------


def related_label(text: str) -> str | None:
    """The rest of a line that opens with a related-stories label ("Xem thêm: X" → "X"),
    ``""`` when the line is the label alone, ``None`` when it is no such line."""
    m = _RELATED_LABELS.match(text)
    if m:
        return text[m.end() :].strip()
    if _ARROW_LINE.match(text):
        return text.lstrip(" >»►").strip()
    return None


def is_credit_line(text: str) -> bool:
    """An attribution line ("Theo TTXVN", "Nguồn: VnExpress", "Reporting by ...")."""
    if len(text) > 300:
        return False
    if _CREDIT_SHORT.match(text):
        return len(text) <= 60 and "," not in text.split(":", 1)[-1]
    return bool(_CREDIT.match(text) or _AGENCY_ONLY.match(text) or _CONTRIBUTED.search(text))


def is_call_to_action(text: str) -> bool:
    """A widget line ("Fehler gefunden? Jetzt melden.", "Subscribe to ...", "Comments")."""
    return len(text) <= 240 and bool(_CALL_TO_ACTION.match(text))


def byline_name(text: str) -> str | None:
    """The name(s) in a line that is only a byline ("Lê Phương", "By Jane Roe",
    "MINH HẢI - THU TRANG"), else ``None``. A sentence is never a byline."""
    line = _BY_PREFIX.sub("", normalize_text(text)).strip(" -–—|,")
    if not line or len(line) > 60 or _SENTENCE_END.search(line) or any(c.isdigit() for c in line):
        return None
    words = re.split(r"\s+|\s*[,&/–—-]\s*|\s+(?:and|und|và|y|et|e)\s+", line)
    words = [w for w in words if w]
    if not 2 <= len(words) <= 8:
        return None
    # Every word capitalised (Vietnamese names are, also in all capitals); particles of
    # names in other languages ("van", "de", "da") may stay lower case.
    for w in words:
        if not (w[0].isupper() or w.lower() in ("van", "von", "de", "da", "der", "di", "le")):
            return None
    return line


# --- images -------------------------------------------------------------------------------


def _srcset_best(value: str) -> str | None:
    """The widest candidate of a ``srcset`` ("a.jpg 320w, b.jpg 1024w" → "b.jpg")."""
    best, best_w = None, -1.0
    for part in value.split(","):
        bits = part.strip().split()
        if not bits:
            continue
        width = 0.0
        if len(bits) > 1:
            try:
                width = float(bits[1].rstrip("wx"))
            except ValueError:
                width = 0.0
        if width > best_w:
            best, best_w = bits[0], width
    return best


def image_source(img: HtmlElement) -> str | None:
    """The real picture of an ``<img>``: lazy-loading attributes before ``src`` (which
    then holds a placeholder), the widest ``srcset`` candidate (also of the ``<source>``s
    of its ``<picture>``), no ``data:`` URIs."""
    # libxml2's HTML parser does not know <source> is empty: the <img> may sit inside it.
    ancestors = list(itertools.islice(img.iterancestors(), 3))
    picture = next((a for a in ancestors if a.tag == "picture"), None)
    if picture is not None:
        for source in picture.iter("source"):
            best = _srcset_best(source.get("srcset") or source.get("data-srcset") or "")
            if best and not best.startswith("data:") and not _PLACEHOLDER.search(best):
                return best
    for attr in _LAZY_ATTRS:
        value = (img.get(attr) or "").strip()
        if not value or value.startswith("data:"):
            continue
        if "srcset" in attr:
            value = _srcset_best(value) or ""
        if value and not _PLACEHOLDER.search(value):
            return value
    return None


def _is_picture(img: HtmlElement, src: str) -> bool:
    """Not an icon, logo, avatar or tracking pixel (by size, name or class)."""
    for attr in ("width", "height"):
        raw = (img.get(attr) or "").strip().rstrip("px")
        if raw.isdigit() and int(raw) < 60:
            return False
    hints = " ".join((src.split("?")[0], img.get("class") or "", img.get("id") or ""))
    return not _NOT_PICTURE.search(hints)


# --- the walker ---------------------------------------------------------------------------


# Elements that may hold text directly or blocks; walked into when they hold blocks.
_CONTAINERS = frozenset(
    {"div", "section", "article", "main", "td", "th", "span", "center", "font", "header"}
)
# Children that end a run of inline text.
_CONTAINERS_BLOCK = frozenset(
    {"div", "section", "article", "main", "table", "tbody", "tr", "td", "th", "ul", "ol",
     "dl", "figure", "picture", "img", "hr", "audio", "video", "iframe", "aside", "header",
     "footer", "center"}
)  # fmt: skip
# What makes a container more than one line of text.
_STRUCTURE = _TEXT_BLOCKS | _CONTAINERS_BLOCK | {"br"}


def _lines(el: HtmlElement) -> list[str]:
    """The text of an element without blocks, split at its ``<br>``s."""
    if next(el.iter("br"), None) is None:
        text = element_text(el)
        return [text] if text else []
    marker = "\u2028"
    parts: list[str] = []
    walker = etree.iterwalk(el, events=("start", "end"))
    for event, node in walker:
        if not isinstance(node.tag, str):
            if event == "start" and node.tail:
                parts.append(node.tail)
            continue
        if event == "start":
            if node.tag in _SKIP_TAGS and node is not el:
                walker.skip_subtree()  # its tail still comes at "end"
                continue
            if node.tag == "br":
                parts.append(marker)
            elif node.text:
                parts.append(node.text)
        elif node is not el and node.tail:
            parts.append(node.tail)
    return [t for t in (normalize_text(x) for x in "".join(parts).split(marker)) if t]


def _words(el: HtmlElement) -> str:
    return f"{el.get('class') or ''} {el.get('id') or ''}"


def _has_descendant(el: HtmlElement, tags: frozenset[str] | tuple[str, ...]) -> bool:
    return next(el.iterdescendants(*tags), None) is not None


class _Walker:
    def __init__(self, base_url: str) -> None:
        self.base = base_url
        self.parts = BodyParts()
        self._seen_images: set[str] = set()
        self._related_after: HtmlElement | None = None
        self._related_keep = True
        self._consumed: set[HtmlElement] = set()

    # results -----------------------------------------------------------------------

    def add_block(self, el: HtmlElement, text: str | None = None) -> None:
        text = element_text(el) if text is None else text
        if text:
            self.parts.blocks.append(Block(text, el.tag if isinstance(el.tag, str) else "", el))
            if len(text) <= 40 and not _SENTENCE_END.search(text) and _looks_like_byline(el, text):
                self.parts.styled.add(text)

    def add_image(self, img: HtmlElement, caption: str | None) -> None:
        src = image_source(img)
        if not src or not _is_picture(img, src):
            return
        url = join_url(self.base, src.replace("\\", "/"))
        if url in self._seen_images:
            return
        self._seen_images.add(url)
        caption = normalize_text(caption) or None
        if caption:
            self.parts.removed.add(caption)
        self.parts.images.append({"url": url, "caption": caption})

    def add_media(self, el: HtmlElement) -> None:
        tag = el.tag
        kind = "audio" if tag == "audio" or "audio" in (el.get("type") or "") else "video"
        sources = [el.get("src"), el.get("data-src")]
        sources += [s.get("src") for s in el.iter("source")]
        for src in sources:
            if src and src.strip() and not src.startswith(("data:", "about:")):
                url = join_url(self.base, src.strip())
                if all(m["url"] != url for m in self.parts.media):
                    self.parts.media.append({"url": url, "kind": kind})

    def add_related(self, box: HtmlElement, keep: bool = True) -> None:
        """Take a box of other stories out of the body; its links are related ones
        unless ``keep`` is false (a same-section or most-read box)."""
        self.parts.removed.add(element_text(box))
        for a in box.iter("a"):
            href = (a.get("href") or "").strip()
            title = element_text(a)
            if title:
                self.parts.removed.add(title)
            is_label = related_label(title) == "" or bool(_SIDEBAR_LABELS.match(title))
            if keep and title and not is_label and href:
                if not href.startswith(("#", "javascript:", "mailto:")):
                    self.parts.related.append({"url": join_url(self.base, href), "title": title})
        for el in box.iter(*_TEXT_BLOCKS):
            self.parts.removed.add(element_text(el))

    # element kinds -------------------------------------------------------------------

    def figure(self, el: HtmlElement) -> None:
        """A picture with its caption: figure/figcaption, wp-caption, an image table."""
        cap_el = next(
            (
                c
                for c in el.iter("figcaption", "caption", "p", "div", "span", "td", "em", "small")
                if c is not el
                and (c.tag in ("figcaption", "caption") or _CAPTION_WORDS.search(_words(c)))
            ),
            None,
        )
        caption = element_text(cap_el) if cap_el is not None else None
        if caption is None and el.tag == "table":
            # An image table: the picture in one row, its caption as the other rows' text.
            caption = element_text(el) or None
        imgs = list(el.iter("img"))
        for i, img in enumerate(imgs):
            self.add_image(img, caption if i == 0 else None)
        for m in el.iter("video", "audio", "iframe"):
            self.media_element(m)
        if caption:
            self.parts.removed.add(caption)

    def media_element(self, el: HtmlElement) -> None:
        if el.tag == "iframe":
            src = el.get("src") or el.get("data-src") or ""
            if _MEDIA_HOSTS.search(src):
                self.add_media(el)
            return
        self.add_media(el)

    def is_image_box(self, el: HtmlElement) -> bool:
        """A small element holding a picture and at most a caption's worth of text."""
        tag = el.tag
        if tag in ("figure", "picture"):
            return True
        if tag not in ("div", "table", "p", "span", "center", "section"):
            return False
        if not (
            _IMAGE_BOX_WORDS.search(_words(el)) or tag in ("table", "p", "center", "div")
        ) or not _has_descendant(el, ("img",)):
            return False
        if (
            _has_descendant(el, ("p", "li", "h2", "h3"))
            and tag != "table"
            and not (_IMAGE_BOX_WORDS.search(_words(el)))
        ):
            return False
        imgs = sum(1 for _ in el.iter("img"))
        text = element_text(el)
        return imgs == 1 and len(text) <= 400 and (bool(text) or tag != "p")

    def walk(self, container: HtmlElement) -> BodyParts:
        walker = etree.iterwalk(container, events=("start",))
        for _event, el in walker:
            tag = el.tag
            if not isinstance(tag, str):  # comments, processing instructions
                continue
            if el is container:
                continue
            tag = tag.lower()
            words = _words(el)
            if tag in _SKIP_TAGS or (words.strip() and _SKIP_WORDS.search(words)):
                walker.skip_subtree()
                continue
            if (el.get("hidden") is not None) or "display:none" in (el.get("style") or "").replace(
                " ", ""
            ):
                walker.skip_subtree()
                continue
            if tag in ("audio", "video", "iframe"):
                self.media_element(el)
                walker.skip_subtree()
                continue
            if words.strip() and _RELATED_WORDS.search(words):
                self.add_related(el)
                walker.skip_subtree()
                continue
            if words.strip() and _SIDEBAR_WORDS.search(words):
                self.add_related(el, keep=False)
                walker.skip_subtree()
                continue
            if tag == "aside":
                # A sidebar, unless it opens with a related-stories label.
                opening = element_text(el)[:80]
                if related_label(opening) is not None and not _SIDEBAR_LABELS.match(opening):
                    self.add_related(el)
                walker.skip_subtree()
                continue
            if self._related_after is not None:
                if el.getparent() is self._related_after.getparent() and tag in (
                    "ul",
                    "ol",
                    "div",
                ):
                    self.add_related(el, keep=self._related_keep)
                    walker.skip_subtree()
                    continue
                if el.getparent() is self._related_after.getparent():
                    self._related_after = None
            if self.is_image_box(el):
                self.figure(el)
                walker.skip_subtree()
                continue
            if tag == "img":
                self.add_image(el, self._caption_after(el))
                continue
            if tag == "table" and _CAPTION_WORDS.search(" ".join(_words(c) for c in el.iter("td"))):
                self.figure(el)
                walker.skip_subtree()
                continue
            if tag in _TEXT_BLOCKS:
                if self.text_block(el, tag):
                    walker.skip_subtree()
                continue
            if el in self._consumed:
                walker.skip_subtree()
                continue
            if tag in _CONTAINERS:
                if not _has_descendant(el, _STRUCTURE):
                    if not _CAPTION_WORDS.search(words):
                        for text in _lines(el):
                            self.line(el, text, tag)
                    walker.skip_subtree()
                else:
                    self.loose_text(el, tag)
        self.take_trailing()
        return self.parts

    def loose_text(self, el: HtmlElement, tag: str) -> None:
        """Text sitting directly in a container beside its blocks ("<div>text<br>text
        <p>...</p></div>"): each run of inline content between blocks is a line."""
        run: list[str] = [el.text or ""]

        def flush() -> None:
            text = normalize_text("".join(run))
            run.clear()
            if text:
                self.line(el, text, tag)

        for child in el:
            ctag = child.tag if isinstance(child.tag, str) else ""
            if ctag == "br":
                flush()
            elif ctag and (
                ctag in _TEXT_BLOCKS
                or ctag in _CONTAINERS_BLOCK
                or ctag in _SKIP_TAGS
                or _has_descendant(child, _STRUCTURE)
            ):
                flush()
            elif ctag:
                run.append(element_text(child))
                self._consumed.add(child)
            run.append(child.tail or "")
        flush()

    def _caption_after(self, img: HtmlElement) -> str | None:
        nxt = img.getnext()
        if nxt is not None and isinstance(nxt.tag, str) and _CAPTION_WORDS.search(_words(nxt)):
            return element_text(nxt)
        return None

    def text_block(self, el: HtmlElement, tag: str) -> bool:
        """Handle one text block; False when it holds blocks of its own (walk into it)."""
        if tag in ("li", "blockquote", "dd") and _has_descendant(
            el, ("p", "li", "h2", "h3", "h4", "figure", "table", "div")
        ):
            return False
        for img in el.iter("img"):
            self.add_image(img, None)
        for m in el.iter("audio", "video", "iframe"):
            self.media_element(m)
        self.line(el, element_text(el), tag)
        return True

    def line(self, el: HtmlElement, text: str, tag: str) -> None:
        if not text:
            return
        if _SIDEBAR_LABELS.match(text):
            self.add_related(el, keep=False)
            self._related_after, self._related_keep = _box_title(el), False
            return
        rest = related_label(text)
        if rest is not None:
            if rest and el.find(".//a") is None:
                pass  # "Xem thêm" followed by plain text is a sentence, keep it
            else:
                self.add_related(el)
                if not rest:  # a label alone: the list after it is the box
                    self._related_after, self._related_keep = _box_title(el), True
                return
        self.add_block(el, text)

    def take_trailing(self) -> None:
        """Bylines, credits and calls to action at the end of the body leave it."""
        blocks = self.parts.blocks
        for _ in range(4):
            if len(blocks) < 2:
                break
            last = blocks[-1]
            text = last.text
            styled = last.element is not None and _looks_like_byline(last.element, text)
            name = byline_name(text)
            if is_call_to_action(text):
                pass
            elif is_credit_line(text):
                self.parts.credits.insert(0, text)
            elif name and (styled or len(text) <= 40) and not self.parts.byline:
                self.parts.byline = name
            elif styled and len(text) <= 80 and not self.parts.byline:
                self.parts.byline = text
            else:
                break
            self.parts.removed.add(text)
            blocks.pop()


def _box_title(label: HtmlElement) -> HtmlElement:
    """The element a box's content follows: the label, or the title wrapper it opens
    ("<div class=title><h3>Cùng chuyên mục</h3></div><div class=content>...")."""
    node = label
    for _ in range(2):
        parent = node.getparent()
        if parent is None or next(parent.iterchildren("*"), None) is not node:
            break
        if len(element_text(parent)) > len(element_text(label)) + 5:
            break
        node = parent
    return node


def _looks_like_byline(el: HtmlElement, text: str) -> bool:
    """Printed like a byline: right-aligned, a byline class, or all bold or italic."""
    if len(text) > 80:
        return False
    style = (el.get("style") or "").replace(" ", "").lower()
    if "text-align:right" in style or (el.get("align") or "").lower() == "right":
        return True
    if _BYLINE_WORDS.search(_words(el)):
        return True
    emph = " ".join(element_text(b) for b in el.iterchildren("strong", "b", "em", "i"))
    return bool(emph) and normalize_text(emph) == text


def walk_body(container: HtmlElement, base_url: str) -> BodyParts:
    """Split ``container`` into text blocks, images, media, related links and byline."""
    return _Walker(base_url).walk(container)
