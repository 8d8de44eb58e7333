"""The generic article extractor: any news page to a record, without a site profile.

:func:`extract_article` takes ``(html, url)`` and optional hints (the time zone of naive
times, known title suffixes, the publisher's name, the body container when a layout
knows it) and returns the record with, for every field, the rule that produced it in
``provenance``. It layers, field by field: what the page declares (JSON-LD, microdata,
Open Graph, meta), what it prints (``h1``, sapo, byline, tag links, date line), and the
fallback (trafilatura with ``favor_precision``, a recall run when precision cuts too
deep). The body is trafilatura's text cleaned with the body walker's findings
(:mod:`newsbot.extract.body`): captions, related boxes, bylines, credits and calls to
action leave it; images with captions, media and related links come from the walker
over the article container in the page.

Profiles use the same pieces for the fields their layout leaves empty: the whole
extraction on their parsed tree (:func:`extract_from_tree`), or single rules
(``clean_title``, ``clean_authors``, ``clean_tags``, ``find_lead``, ``walk_body``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Set
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any
from urllib.parse import urljoin, urlsplit

import trafilatura
from lxml import etree
from lxml.html import HtmlElement

from newsbot.extract.body import (
    BodyParts,
    byline_name,
    is_call_to_action,
    is_credit_line,
    related_label,
    walk_body,
)
from newsbot.extract.chain import ordered_record
from newsbot.extract.dates import has_stated_offset, parse_datetime
from newsbot.extract.document import (
    TOO_DEEP_REASON,
    PageError,
    PageNote,
    cut_by_depth,
    load_document,
)
from newsbot.extract.fallback import MAX_FALLBACK_CHARS, find_page_date_text
from newsbot.extract.structured import StructuredData, extract_structured
from newsbot.extract.text import element_text, normalize_text

__all__ = [
    "ArticleExtraction",
    "clean_authors",
    "clean_tags",
    "clean_title",
    "extract_article",
    "extract_from_tree",
    "find_lead",
]

log = logging.getLogger(__name__)

#: Trees deeper than this are not given to trafilatura: its cleaning recurses in Python
#: and a RecursionError inside one of its shared compiled XPaths leaves that XPath's
#: lock held, hanging every later page. Our own walker has no depth limit.
MAX_FALLBACK_DEPTH = 200
#: Less text than this is not an article body.
MIN_BODY_CHARS = 80
#: The precise extraction is replaced by the recall one when it keeps less than this
#: share of it (a layout table or an unusual container cut by precision).
RECALL_RATIO = 0.5
#: Precise extractions shorter than this (characters) are checked against a recall run;
#: longer ones are trusted (a second trafilatura run costs as much as the first).
RECALL_CHECK_BELOW = 2500

_ERROR_TITLE = re.compile(
    r"^\W*(?:404|410|500|lỗi\b|error\b)|không tìm thấy trang|trang không tồn tại|"
    r"page not found|seite nicht gefunden",
    re.IGNORECASE,
)
_LEAD_CLASS = re.compile(
    r"(?:^|[\s_-])(?:sapo|lead|lede|standfirst|summary|excerpt|intro|chapo|chapeau|teaser|"
    r"dek|deck|abstract|description|desc|subtitle|sub-title|subhead|article-sum|td-post-sub-title)"
    r"(?:$|[\s_-])",
    re.IGNORECASE,
)
_CAPTION_CLASS = re.compile(r"caption|image|img|photo|figure|thumb|author|meta", re.I)
# "(BHD) - ", "(Dân trí) – ": an agency tag opening a paragraph marks the sapo.
_AGENCY_LEAD = re.compile(r"^\s*\([^()]{2,24}\)\s*[-–—]\s*\S")
_CONTAINER_XPATHS = (
    "//*[@itemprop='articleBody']",
    "//article",
    "//*[contains(@class,'entry-content') or contains(@class,'post-content') "
    "or contains(@class,'article-body') or contains(@class,'article__body') "
    "or contains(@class,'story-body') or contains(@class,'article-content') "
    "or contains(@class,'detail-content') or contains(@class,'content-detail')]",
    "//main",
    "//body",
)
_UUID = re.compile(r"^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$", re.I)
_TAG_NOISE = re.compile(
    r"^(?:category|categories|tag|tags|section|type|format|kicker|keyword)s?\s*[:=]|"
    r"^(?:news|article|home|uncategori[sz]ed|tin tức|trang chủ|null|none|undefined)$",
    re.IGNORECASE,
)
_TAG_LINK = re.compile(r"/(?:tags?|chu-de|tu-khoa|topics?|schlagworte?|thema|etiquetas?)/", re.I)
_TAG_BOX = re.compile(r"(?:^|[\s_-])(?:tags?|keywords?|tag-list|article-tags|chu-de)(?:$|[\s_-])")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_SLUG = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)+$")
_LOOSE = re.compile(r"[\W_]+")


def _loose(text: str) -> str:
    """Text compared without case, spacing or punctuation."""
    return _LOOSE.sub("", text.casefold())


@dataclass(slots=True)
class ArticleExtraction:
    """A record, or the reason there is none."""

    record: dict[str, Any] | None = None
    error: str | None = None
    #: What the page is when it is not an article (``invalid``, ``empty``, ``error``).
    kind: str = "article"
    #: What the decoder repaired or doubts (a lying charset): ``PageNote`` pairs.
    notes: tuple[tuple[str, str], ...] = ()

    @property
    def ok(self) -> bool:
        return self.record is not None


@dataclass(slots=True)
class _Fields:
    values: dict[str, Any] = field(default_factory=dict)
    provenance: dict[str, str] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)

    def set(self, name: str, value: Any, rule: str) -> None:
        if value in (None, "", []) or name in self.values:
            return
        self.values[name] = value
        self.provenance[name] = rule


# --- cleaning rules (public: profiles use them too) -----------------------------------


def _suffix_pattern(names: list[str]) -> re.Pattern[str] | None:
    names = [n for n in names if n]
    if not names:
        return None
    alts = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(
        rf"^(?:{alts})\s*[|\-–—:·•»]\s*|\s*[|\-–—:·•»]\s*(?:{alts})\s*$|\s+[|]\s+[^|]{{2,40}}$",
        re.IGNORECASE,
    )


def clean_title(
    title: str | None, site_names: list[str] | tuple[str, ...] = (), suffixes: tuple[str, ...] = ()
) -> str | None:
    """A headline without the site's name around it (" – Golem.de", "Báo X | ...")."""
    text = normalize_text(title)
    for suffix in suffixes:
        if text.endswith(suffix):
            text = text[: -len(suffix)]
    pattern = _suffix_pattern(list(site_names))
    if pattern is not None:
        stripped = pattern.sub("", text).strip()
        if len(stripped) >= 8:
            text = stripped
    return normalize_text(text) or None


def _is_variant(short: str, long: str) -> bool:
    """``short`` is the same headline as ``long`` with words left out (an SEO/social
    headline is the printed one with more words)."""
    a, b = _loose(short), _loose(long)
    if not a or not b:
        return False
    if a == b or a in b:
        return True
    words_a = set(short.casefold().split())
    words_b = set(long.casefold().split())
    return len(words_a & words_b) >= 0.8 * len(words_a) and len(short) <= len(long)


def clean_authors(value: str | None, site_names: list[str] | tuple[str, ...] = ()) -> str | None:
    """Names only: the organisation, e-mails, ids, slugs and URLs dropped; "By" prefixes
    removed; the printed case kept ("NGUYỄN THẢO", as the record contract wants the
    byline as printed); duplicates once; joined with ``, ``."""
    if not value:
        return None
    sites = {_loose(s) for s in site_names if s}
    names: list[str] = []
    text = re.sub(r"\S+://\S+|www\.\S+", "", normalize_text(value))
    for part in re.split(r"\s*[,;/|]\s*|\s+(?:and|und|và|&)\s+", text):
        part = _EMAIL.sub("", part)
        part = re.sub(r"^(?:by|von|por|par|bởi|tác giả|author)\s*[:：]?\s+", "", part, flags=re.I)
        part = part.strip(" -–—()[]:.")
        if not part or "://" in part or part.startswith("www."):
            continue
        if part.isdigit() or _SLUG.match(part) or _UUID.match(part):
            continue
        if sites and _loose(part) in sites:
            continue
        if len(part) > 80:
            continue
        if part not in names:
            names.append(part)
    return ", ".join(names) or None


def clean_tags(values: list[str]) -> list[str]:
    """Tags in order, each once: CMS noise (UUIDs, ids, "Category: News") dropped."""
    out: list[str] = []
    seen: set[str] = set()
    for value in values:
        tag = normalize_text(value).strip(" #,;")
        if not tag or len(tag) > 60 or tag.isdigit() or _UUID.match(tag) or _TAG_NOISE.search(tag):
            continue
        if tag.casefold() not in seen:
            seen.add(tag.casefold())
            out.append(tag)
    return out


# --- the page -----------------------------------------------------------------------


def _depth(doc: HtmlElement, limit: int) -> int:
    """Depth of the tree, counted up to ``limit`` (one C-level walk, no recursion)."""
    depth = deepest = 0
    for event, _ in etree.iterwalk(doc, events=("start", "end")):
        depth += 1 if event == "start" else -1
        if depth > deepest:
            deepest = depth
            if deepest > limit:
                break
    return deepest


def _trafilatura(html: str, url: str, *, precision: bool) -> Any:
    try:
        return trafilatura.bare_extraction(
            html,
            url=url,
            with_metadata=precision,
            include_comments=False,
            include_tables=True,
            include_images=False,
            favor_precision=precision,
            favor_recall=not precision,
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
    except Exception as exc:  # third-party heuristics on hostile input: a reason, not a crash
        log.debug("trafilatura failed on %s: %s", url, exc)
        return None


_TABLE_ROW = re.compile(r"^\|(.*)\|\s*$")
_IMAGE_LINE = re.compile(r"^!\[[^\]]*\]\([^)]*\)$")


def _tf_paragraphs(doc: Any) -> list[str]:
    """trafilatura's text as paragraphs: one per line, a table row's cells each one
    (a layout table holds article text in cells), list markers and image lines gone.

    Its text, not its ``body`` tree: when its own fallbacks (jusText, readability) win,
    the text is theirs and the tree is not.
    """
    text = getattr(doc, "text", None) or ""
    out: list[str] = []
    for raw in text.split("\n"):
        line = raw.strip()
        if not line or _IMAGE_LINE.match(line):
            continue
        row = _TABLE_ROW.match(line)
        if row:
            out.extend(c for c in (normalize_text(x) for x in row.group(1).split("|")) if c)
            continue
        if line.startswith("- "):
            line = line[2:]
        line = normalize_text(line)
        if line:
            out.append(line)
    return out


def _locate_container(doc: HtmlElement, paragraphs: list[str]) -> HtmlElement | None:
    """The page element holding the extracted paragraphs: the deepest ancestor of most
    elements whose text starts one of them."""
    keys = {p[:40] for p in paragraphs if len(p) >= 25}
    if not keys:
        return None
    matched: list[HtmlElement] = []
    for el in doc.iter("p", "div", "li", "td", "span", "h2", "h3", "blockquote", "section"):
        text = el.text
        if text and len(text) >= 10:
            head = normalize_text(text)[:40]
            if head in keys:
                matched.append(el)
    if not matched:
        return None
    counts: dict[HtmlElement, int] = {}
    order: list[HtmlElement] = []
    for el in matched:
        node = el.getparent()
        while node is not None:
            if node not in counts:
                order.append(node)
            counts[node] = counts.get(node, 0) + 1
            node = node.getparent()
    need = max(1, int(len(matched) * 0.8))
    best = None
    best_depth = -1
    for node in order:
        if counts[node] >= need:
            depth = sum(1 for _ in node.iterancestors())
            if depth > best_depth:
                best, best_depth = node, depth
    return best


def _widen(container: HtmlElement) -> HtmlElement:
    """Climb to parents that add little text: a picture and its caption beside the text
    block belong to the article."""
    size = len(element_text(container))
    node = container
    for _ in range(3):
        parent = node.getparent()
        if parent is None or parent.tag in ("body", "html"):
            break
        parent_size = len(element_text(parent))
        if parent_size > size * 1.15 + 300:
            break
        node = parent
    return node


def _known_container(doc: HtmlElement, xpath: str | None) -> HtmlElement | None:
    for expr in ((xpath,) if xpath else ()) + _CONTAINER_XPATHS:
        found = doc.xpath(expr)
        if found and isinstance(found[0], HtmlElement):
            return (
                max(found, key=lambda el: len(element_text(el))) if expr != "//body" else found[0]
            )
    return None


def _first_h1(doc: HtmlElement) -> str | None:
    for h1 in doc.iter("h1"):
        text = element_text(h1)
        if text and len(text) <= 300:
            return text
    return None


def _page_title(doc: HtmlElement) -> str | None:
    titles = doc.xpath("//head/title")
    return element_text(titles[0]) if titles else None


def find_lead(
    doc: HtmlElement, blocks: list[str], descriptions: list[str]
) -> tuple[str | None, str | None]:
    """The printed lead and the rule that found it, or ``(None, None)``.

    A sapo element (sapo/lead/summary/... class) printed before the body text; else a
    first body paragraph that is all bold or opens with an agency tag ("(BHD) - "); else
    a declared description, only when the page prints it (the printed text is the
    lead, so a truncated description gives the whole paragraph).
    """
    first_block = _loose(blocks[0]) if blocks else ""
    for el in doc.xpath("//body//*[@class or @id]"):
        words = f"{el.get('class') or ''} {el.get('id') or ''}"
        if not _LEAD_CLASS.search(words) or _CAPTION_CLASS.search(words):
            continue
        if el.tag in ("meta", "body", "html", "article", "main", "section", "a", "img", "li"):
            continue
        if any(
            a.tag in ("li", "nav", "aside", "a", "footer", "header") for a in el.iterancestors()
        ):
            continue
        text = element_text(el)
        if not 30 <= len(text) <= 1200:
            continue
        if next(el.iter("p", "div"), el) is not el and len(list(el.iter("p"))) > 2:
            continue  # a container of many paragraphs is the body, not its lead
        return text, "page:sapo"
    if blocks:
        if _AGENCY_LEAD.match(blocks[0]) and len(blocks) > 1:
            return blocks[0], "page:agency-lead"
    for desc in descriptions:
        truncated = desc.rstrip().endswith(("…", "..."))
        key = _loose(desc)
        if len(key) < 20:
            continue
        for block in blocks[:2]:
            loose = _loose(block)
            longer = len(loose) - len(key)
            if loose == key or (loose.startswith(key) and (truncated or longer < 40)):
                return block, "page:printed-description"
        if first_block and key.startswith(first_block) and len(blocks) > 1:
            return blocks[0], "page:printed-description"
    return None, None


def _bold_first(container: HtmlElement | None) -> str | None:
    if container is None:
        return None
    for p in container.iter("p"):
        text = element_text(p)
        if not text:
            continue
        bold = normalize_text(" ".join(element_text(b) for b in p.iterchildren("strong", "b")))
        if len(text) >= 50 and bold == text:
            return text
        return None
    return None


def _cut_loose_prefix(text: str, n: int) -> str:
    """``text`` after the characters making up its first ``n`` loose characters."""
    count = 0
    for i, c in enumerate(text):
        count += len(_loose(c))
        if count >= n:
            return text[i + 1 :].strip(" -–—:;,.")
    return ""


def _drop_lead(blocks: list[str], lead: str) -> list[str]:
    """The body without its lead, also when the body prints it split over paragraphs,
    opening a longer paragraph, or spaced and punctuated differently."""
    key = _loose(lead)
    if len(key) < 10:
        return blocks
    for start in range(min(3, len(blocks))):
        acc = ""
        for i in range(start, min(start + 4, len(blocks))):
            loose = _loose(blocks[i])
            if not loose:
                continue
            if not acc and loose != key and loose.startswith(key):
                rest = _cut_loose_prefix(blocks[i], len(key))
                return blocks[:i] + ([rest] if rest else []) + blocks[i + 1 :]
            acc += loose
            if acc == key or (key.startswith(acc) and len(acc) >= 0.9 * len(key)):
                return blocks[:start] + blocks[i + 1 :]
            if not key.startswith(acc):
                break
    return blocks


def _stated_tz(structured: StructuredData) -> tzinfo | None:
    """The offset the page states in one of its declared times, for its naive ones."""
    for _name, raw, _source in structured.dates:
        if has_stated_offset(raw):
            parsed = parse_datetime(raw, keep_offset=True)
            if parsed.value is not None:
                return parsed.value.tzinfo
    return None


def _date(
    raw: str | None, zone: str | tzinfo, now: datetime | None
) -> tuple[str | None, str | None]:
    if not raw:
        return None, None
    parsed = parse_datetime(raw, default_tz=zone, keep_offset=True, now=now)
    if parsed.value is None:
        return None, parsed.reason
    return parsed.value.isoformat(timespec="seconds"), None


def _same_site(a: str, b: str) -> bool:
    ha = (urlsplit(a).hostname or "").removeprefix("www.").removeprefix("m.")
    hb = (urlsplit(b).hostname or "").removeprefix("www.").removeprefix("m.")
    return bool(ha) and ha == hb


_ARTICLE_SLUG = re.compile(r"[\w%]+(?:[-_][\w%]+){2,}|\.s?html?$", re.UNICODE)


def _article_like(url: str) -> bool:
    """A URL that can be an article's: its path ends in a slug of three words or more or
    in .html, or holds a number of four digits or more (an id, a year); a section, tag
    or home link does not."""
    path = urlsplit(url).path.rstrip("/")
    last = path.rsplit("/", 1)[-1]
    return bool(last) and bool(_ARTICLE_SLUG.search(last) or re.search(r"\d{4,}", path))


def _tag_links(doc: HtmlElement, url: str) -> list[str]:
    tags: list[str] = []
    for a in doc.xpath("//a[@rel='tag' or contains(@href,'/tag')] | //*[@class]//a[@href]"):
        href = a.get("href") or ""
        in_box = any(
            _TAG_BOX.search(f"{p.get('class') or ''} {p.get('id') or ''}")
            for p in a.iterancestors()
        )
        if a.get("rel") == "tag" or _TAG_LINK.search(href) or in_box:
            text = element_text(a)
            if text:
                tags.append(text)
        if len(tags) > 40:
            break
    return tags


def _printed_byline(doc: HtmlElement) -> str | None:
    for el in doc.xpath(
        "//body//*[@rel='author' or @itemprop='author' or contains(@class,'byline') "
        "or contains(@class,'author') or contains(@class,'tac-gia')]"
    ):
        if any(a.tag in ("li", "nav", "footer", "aside") for a in el.iterancestors()):
            continue
        named = el.xpath(".//*[@itemprop='name']")
        text = element_text(named[0]) if named else element_text(el)
        if text and len(text) <= 80:
            name = byline_name(text)
            if name:
                return name
    return None


def _clean_body(
    paragraphs: list[str], parts: BodyParts, titles: list[str | None]
) -> tuple[list[str], list[str]]:
    """Fallback paragraphs without what the walker took out; also the dropped lines.

    ``titles`` are every headline the page gives (printed, declared, ``<title>``): one of
    them repeated at the top of the text is no paragraph of it.
    """
    removed = {_loose(t) for t in parts.removed if t}
    title_keys = {_loose(t) for t in titles if t} - {""}
    out: list[str] = []
    dropped: list[str] = []
    # What comes before the headline (menus of a table layout) is not the article.
    heads = [i for i, t in enumerate(paragraphs[:6]) if _loose(t) in title_keys]
    if heads:
        dropped.extend(paragraphs[: heads[0] + 1])
        paragraphs = paragraphs[heads[0] + 1 :]
    for i, text in enumerate(paragraphs):
        key = _loose(text)
        if not key or key in removed:
            dropped.append(text)
            continue
        if i < 3 and not out and (key in title_keys or is_call_to_action(text)):
            dropped.append(text)
            continue
        if not out and len(text) <= 60 and _is_date_line(text):
            dropped.append(text)
            continue
        rest = related_label(text)
        if rest is not None and (not rest or len(rest) < 160):
            dropped.append(text)
            continue
        out.append(text)
    return out, dropped


def _is_date_line(text: str) -> bool:
    """A line holding a date, also one refused as impossible or implausible."""
    parsed = parse_datetime(text)
    return parsed.value is not None or not (parsed.reason or "").startswith(("no date", "empty"))


def _trailing(
    paragraphs: list[str], styled: Set[str] = frozenset()
) -> tuple[list[str], str | None, list[str]]:
    """Bylines, credits and calls to action at the end of the text leave it; ``styled``
    are the short lines the page prints like a byline ("PV", right-aligned in bold)."""
    out = list(paragraphs)
    byline: str | None = None
    credits: list[str] = []
    for _ in range(4):
        if len(out) < 2:
            break
        text = out[-1]
        name = byline_name(text)
        if is_call_to_action(text):
            pass
        elif is_credit_line(text):
            credits.insert(0, text)
        elif name and len(text) <= 40 and byline is None:
            byline = name
        elif text in styled and byline is None:
            byline = text
        else:
            break
        out.pop()
    return out, byline, credits


def _credit_author(credits: list[str]) -> str | None:
    for line in credits:
        m = re.match(r"^\W*(?:theo|nguồn\s*:?|source\s*:|quelle\s*:)\s*(.{2,40}?)\W*$", line, re.I)
        if m:
            return m.group(1)
        if re.match(r"^\W*\(?[A-Z]{2,8}\)?\W*$", line):
            return line.strip(" ()")
    return None


def extract_article(
    html: bytes | str,
    url: str,
    *,
    tz: str | tzinfo = "Asia/Ho_Chi_Minh",
    title_suffixes: tuple[str, ...] = (),
    site_name: str | None = None,
    container_xpath: str | None = None,
    now: datetime | None = None,
) -> ArticleExtraction:
    """The record of any news page, with per-field provenance, or why there is none.

    ``tz`` reads naive times (a time the page states with an offset keeps it);
    ``title_suffixes`` and ``site_name`` are removed from titles and refused as authors;
    ``container_xpath`` names the body container when a layout knows it; ``now`` bounds
    plausible dates (default: the current time).
    """
    notes: list[PageNote] = []
    try:
        doc, text = load_document(html, None, notes)
    except PageError as exc:
        return ArticleExtraction(error=exc.reason, kind="invalid")
    result = extract_from_tree(
        doc,
        text,
        url,
        tz=tz,
        title_suffixes=title_suffixes,
        site_name=site_name,
        container_xpath=container_xpath,
        now=now,
    )
    if not result.ok and result.kind == "empty" and cut_by_depth(doc):
        result.error = f"{result.error}: {TOO_DEEP_REASON}"
    result.notes = tuple(notes)
    return result


def extract_from_tree(
    doc: HtmlElement,
    text: str,
    url: str,
    *,
    tz: str | tzinfo = "Asia/Ho_Chi_Minh",
    title_suffixes: tuple[str, ...] = (),
    site_name: str | None = None,
    container_xpath: str | None = None,
    now: datetime | None = None,
) -> ArticleExtraction:
    """:func:`extract_article` on a page already decoded and parsed (``load_document``),
    for a profile filling the fields its layout left empty without parsing twice.
    The tree is only read, never changed."""
    try:
        return _extract(doc, text, url, tz, title_suffixes, site_name, container_xpath, now)
    except Exception as exc:  # noqa: BLE001 - a page must never crash a crawl
        return ArticleExtraction(error=f"parser error: {type(exc).__name__}: {exc}", kind="invalid")


def _extract(
    doc: HtmlElement,
    text: str,
    url: str,
    tz: str | tzinfo,
    title_suffixes: tuple[str, ...],
    site_name: str | None,
    container_xpath: str | None,
    now: datetime | None,
) -> ArticleExtraction:
    structured = extract_structured(doc, url)
    site_names = list(structured.site_names) + ([site_name] if site_name else [])
    f = _Fields()
    if structured.errors:
        f.problems["structured"] = "; ".join(structured.errors)

    # --- the fallback's text, precise then recall where precision cut too deep -------
    deep = _depth(doc, MAX_FALLBACK_DEPTH) > MAX_FALLBACK_DEPTH
    precise = recall = None
    paragraphs: list[str] = []
    body_rule = "fallback:trafilatura"
    if deep:
        f.problems["fallback"] = f"tree deeper than {MAX_FALLBACK_DEPTH} levels: walker only"
    else:
        page = text[:MAX_FALLBACK_CHARS]
        precise = _trafilatura(page, url, precision=True)
        paragraphs = _tf_paragraphs(precise) if precise is not None else []
        size = sum(len(p) for p in paragraphs)
        # The recall text is at most the page's visible text: when that is not more than
        # twice the precise text, the recall run could not win and is skipped.
        visible = doc.find("body")
        page_size = len(element_text(visible)) if visible is not None else 0
        if size < RECALL_CHECK_BELOW and page_size * RECALL_RATIO > size:
            recall = _trafilatura(page, url, precision=False)
            more = _tf_paragraphs(recall) if recall is not None else []
            if sum(len(p) for p in more) * RECALL_RATIO > size:
                paragraphs, body_rule = more, "fallback:trafilatura-recall"

    # --- the article container in the page, walked ------------------------------------
    container = _locate_container(doc, paragraphs) if paragraphs else None
    if container is None:
        container = _known_container(doc, container_xpath)
    elif container_xpath:
        container = _known_container(doc, container_xpath) or container
    if container is not None and container.tag not in ("body", "html"):
        container = _widen(container)
    parts = walk_body(container, url) if container is not None else BodyParts()
    if sum(len(p) for p in paragraphs) < MIN_BODY_CHARS:
        paragraphs, body_rule = parts.paragraphs, "body:walker"

    # --- title ---------------------------------------------------------------------
    h1 = clean_title(_first_h1(doc), site_names, title_suffixes)
    s_title = clean_title(structured.fields.get("title"), site_names, title_suffixes)
    if h1 and s_title and _is_variant(h1, s_title) and h1 != s_title:
        f.set("title", h1, "page:h1")
    elif s_title and not (h1 and _loose(s_title) in {_loose(n) for n in site_names}):
        f.set("title", s_title, structured.sources.get("title", "structured"))
    f.set("title", h1, "page:h1")
    tf_title = getattr(precise, "title", None)
    f.set("title", clean_title(tf_title, site_names, title_suffixes), "fallback:trafilatura")
    f.set("title", clean_title(_page_title(doc), site_names, title_suffixes), "page:title")

    # --- body, lead ---------------------------------------------------------------------
    titles = [f.values.get("title"), h1, s_title, tf_title, _page_title(doc)]
    blocks, _dropped = _clean_body(paragraphs, parts, titles)
    lead, lead_rule = find_lead(doc, blocks, structured.descriptions)
    if lead is None:
        bold = _bold_first(container)
        if bold and blocks and _loose(blocks[0]).startswith(_loose(bold)[:40]):
            lead, lead_rule = bold, "page:bold-first-paragraph"
    if lead:
        blocks = _drop_lead(blocks, lead)
        f.set("lead", lead, lead_rule or "page:sapo")
    blocks, byline, credits = _trailing(blocks, parts.styled)
    if sum(len(b) for b in blocks) >= MIN_BODY_CHARS or (blocks and lead):
        f.set("body", "\n\n".join(blocks), body_rule)

    # --- author ---------------------------------------------------------------------
    f.set(
        "author",
        clean_authors(structured.fields.get("author"), site_names),
        structured.sources.get("author", "structured"),
    )
    f.set("author", clean_authors(_printed_byline(doc), site_names), "page:byline")
    f.set("author", clean_authors(parts.byline or byline, site_names), "body:trailing-byline")
    f.set(
        "author",
        clean_authors(_credit_author(parts.credits + credits), site_names),
        "body:credit-line",
    )
    f.set(
        "author",
        clean_authors(getattr(precise, "author", None), site_names),
        "fallback:trafilatura",
    )

    # --- dates -------------------------------------------------------------------------
    zone: str | tzinfo = _stated_tz(structured) or tz
    impossible = False
    for name in ("published_at", "modified_at"):
        for field_name, raw, source in structured.dates:
            if field_name != name or name in f.values:
                continue
            value, reason = _date(raw, zone, now)
            if value:
                f.set(name, value, source)
            else:
                impossible = True
                f.problems.setdefault(name, f"{source}: {reason}")
    if "published_at" not in f.values:
        line = find_page_date_text(doc)
        value, reason = _date(line, zone, now)
        if value:
            f.set("published_at", value, "page:date-line")
        elif line:
            impossible = True
            f.problems.setdefault("published_at", f"page:date-line: {reason}")
    if "published_at" not in f.values and not impossible:
        # trafilatura's guess only when nothing the page printed or declared was refused:
        # an impossible date is reported, never replaced by a guess.
        value, reason = _date(getattr(precise, "date", None), zone, now)
        f.set("published_at", value, "fallback:trafilatura")
    if f.values.get("modified_at") == f.values.get("published_at"):
        f.values.pop("modified_at", None)
        f.provenance.pop("modified_at", None)

    # --- the rest -------------------------------------------------------------------
    f.set("section", structured.fields.get("section"), structured.sources.get("section", ""))
    images = parts.images
    if images:
        f.set("images", images, "body:walker")
    elif structured.fields.get("images"):
        f.set(
            "images",
            [{"url": u, "caption": None} for u in structured.fields["images"][:1]],
            structured.sources.get("images", "structured"),
        )
    related: list[dict[str, str]] = []
    seen = {url.split("#")[0]}
    for link in parts.related:
        target = link["url"].split("#")[0]
        if target in seen or not _same_site(target, url) or not _article_like(target):
            continue
        seen.add(target)
        related.append({"url": target, "title": link["title"]})
    f.set("related", related, "body:related-box")
    f.set("media", parts.media, "body:walker")
    s_tags = clean_tags(structured.fields.get("tags") or [])
    f.set("tags", s_tags, structured.sources.get("tags", "structured"))
    f.set("tags", clean_tags(_tag_links(doc, url)), "page:tag-links")

    record = _record(doc, url, f)
    error = _not_an_article(record)
    if error:
        return ArticleExtraction(error=error, kind="error" if "error page" in error else "empty")
    return ArticleExtraction(record=record)


def _record(doc: HtmlElement, url: str, f: _Fields) -> dict[str, Any]:
    v = f.values
    lang = (doc.get("lang") or doc.get("xml:lang") or "").split("-")[0].lower() or None
    identity = {
        "url": urljoin(url, urlsplit(url).path) if url else url,
        "source_id": None,
        "site": (urlsplit(url).hostname or "").removeprefix("www.") or None,
    }
    out = ordered_record(identity, v, lang)
    out["provenance"] = {k: r for k, r in f.provenance.items() if out.get(k) not in (None, [])}
    if lang:
        out["provenance"]["language"] = "page:html-lang"
    for key in ("published_at", "title", "body"):
        if not out.get(key):
            f.problems.setdefault(key, "not found in structured data, page or fallback")
    if f.problems:
        out["problems"] = f.problems
    return out


def _not_an_article(record: dict[str, Any]) -> str | None:
    title = (record.get("title") or "").lower()
    if _ERROR_TITLE.search(title) and len(record.get("body") or "") < 500:
        return f"error page ('{title[:60]}'), not an article"
    if not record.get("body"):
        return "no article content (no title, no body)" if not title else "empty body"
    if not title:
        return "no title"
    return None
