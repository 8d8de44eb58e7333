"""Metadata a page states about itself: JSON-LD, Open Graph, ``article:*`` and plain meta.

Works on the page's already parsed lxml tree (the page is parsed once, for this and
the layouts alike) and reads each JSON-LD script on its own, so one broken block does
not hide the others. This module maps schema.org / Open Graph vocabulary onto record
fields, accepting every shape schema.org allows (``@graph``, ``WebPage.mainEntity``, a
breadcrumb ``item`` given as a URL string, a value or a list of values). Strings come
out with HTML entities decoded (CMSs encode them inside JSON-LD) and no lone surrogates.

Who reads what, and why (this is on every page's hot path):

- JSON-LD: ``json.loads`` of the script's text, which is exactly what extruct's
  ``JsonLdExtractor`` does first; a block that is not strict JSON (HTML or JavaScript
  comments, trailing commas) goes to extruct, whose tolerant reading stays the rule.
- Open Graph: the ``<meta property>`` children of ``<head>`` whose prefix is Open Graph's
  or declared in a ``prefix`` attribute, as extruct's ``OpenGraphExtractor`` selects
  them, read here in one pass over the head (extruct asks four XPath queries for it).
- microdata: extruct's ``LxmlMicrodataExtractor`` whenever the page has an ``itemprop``.
  On a page with ``itemscope`` but no ``itemprop`` at all (OneCMS marks its breadcrumb
  so) no item has a property, so extruct could only give each item's type and its text
  (which it computes at some cost, and nothing here reads): the types are read directly.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from extruct.jsonld import JsonLdExtractor
from extruct.w3cmicrodata import LxmlMicrodataExtractor
from lxml.html import HtmlElement

from newsbot.extract.text import normalize_text
from newsbot.extract.urls import join_url

_ARTICLE_TYPES = frozenset(
    {
        "NewsArticle",
        "Article",
        "ReportageNewsArticle",
        "AnalysisNewsArticle",
        "BlogPosting",
        "OpinionNewsArticle",
        "LiveBlogPosting",
        "WebPage",
    }
)
_JSONLD_TYPE = "application/ld+json"
_jsonld = JsonLdExtractor()
#: ``json.loads(text, strict=False)`` builds a decoder per call; this is that decoder,
#: made once (stateless between calls, like json's own default decoder).
_JSON = json.JSONDecoder(strict=False)
_microdata = LxmlMicrodataExtractor()
#: Open Graph's prefixes (extruct's list): their properties count without a declaration.
_OG_PREFIXES = frozenset({"og", "music", "video", "article", "book", "profile", "product"})
#: One ``prefix: URI`` declaration of a ``prefix`` attribute (RDFa, as extruct reads it).
_PREFIX_DECLARATION = re.compile(r"\s*(\w+):\s*([^\s]+)")
_ENTITY = re.compile(r"&(?:#\d+|#x[0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]{1,31});")


def clean_string(value: str) -> str:
    """A structured-data string as text: entities decoded (``&#8216;``, ``R&uuml;ckbau``,
    also when encoded twice), normalised (see ``normalize_text``)."""
    for _ in range(2):
        if "&" not in value or not _ENTITY.search(value):
            break
        value = html.unescape(value)
    return normalize_text(value)


@dataclass(slots=True)
class StructuredData:
    """Fields found in structured data, where each came from, and what could not be read."""

    fields: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    #: Image URLs the publisher declares as its logo: never an article image.
    logos: set[str] = field(default_factory=set)
    #: The page declares itself an article (JSON-LD article type, og:type "article",
    #: or an article:published_time): a listing-like block on it is a sidebar.
    declares_article: bool = False
    #: Names the page gives its publisher (og:site_name, JSON-LD publisher / Organization):
    #: a title suffix to remove, never an author.
    site_names: list[str] = field(default_factory=list)
    #: Every description the page declares (JSON-LD, og:description, meta description),
    #: for the lead rule: a description is a lead only when the page also prints it.
    descriptions: list[str] = field(default_factory=list)
    #: Every published/modified time string declared, with its source, in page order.
    dates: list[tuple[str, str, str]] = field(default_factory=list)

    def put(self, name: str, value: Any, source: str) -> None:
        """Keep the first non-empty value offered for a field."""
        if value in (None, "", [], {}):
            return
        if name == "lead" and isinstance(value, str) and value not in self.descriptions:
            self.descriptions.append(value)
        if name in ("published_at", "modified_at") and isinstance(value, str):
            self.dates.append((name, value, source))
        if name in self.fields:
            return
        self.fields[name] = value
        self.sources[name] = source

    def add_site_name(self, value: Any) -> None:
        if isinstance(value, str) and (name := clean_string(value)) and name not in self.site_names:
            self.site_names.append(name)


def _types(item: dict[str, Any]) -> set[str]:
    t = item.get("@type")
    if isinstance(t, str):
        return {t}
    if isinstance(t, list):
        return {x for x in t if isinstance(x, str)}
    return set()


def _flatten(items: list[Any]) -> list[dict[str, Any]]:
    """Every item, with those nested in ``@graph`` and ``mainEntity`` after their parent.

    An explicit stack, not recursion: JSON-LD nesting is whatever the page says.
    """
    out: list[dict[str, Any]] = []
    stack: list[Any] = list(reversed(items))
    while stack and len(out) < 1000:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(reversed(item))
        elif isinstance(item, dict):
            out.append(item)
            nested = [
                item[k] for k in ("@graph", "mainEntity") if isinstance(item.get(k), list | dict)
            ]
            stack.extend(reversed(nested))
    return out


def _names(value: Any) -> list[str]:
    """Author-like values: a string, a Person/Organization, or a list of them."""
    if isinstance(value, str):
        return [clean_string(value)] if value.strip() else []
    if isinstance(value, dict):
        name = value.get("name")
        if isinstance(name, list):
            return [n for v in name for n in _names(v)]
        return [clean_string(name)] if isinstance(name, str) and name.strip() else []
    if isinstance(value, list):
        return [n for v in value for n in _names(v)]
    return []


def _image_urls(value: Any, base: str) -> list[str]:
    if isinstance(value, str):
        return [join_url(base, value.strip().replace("\\", "/"))] if value.strip() else []
    if isinstance(value, dict):
        return _image_urls(value.get("url") or value.get("contentUrl") or value.get("@id"), base)
    if isinstance(value, list):
        return [u for v in value for u in _image_urls(v, base)]
    return []


_KEYWORD_SPLIT = re.compile(r"[,;\uff0c\u060c]")


def _keywords(value: Any) -> list[str]:
    """Keywords given as one string ("a, b; c") or a list of strings (each maybe "a, b")."""
    if isinstance(value, str):
        return [k for k in (clean_string(x) for x in _KEYWORD_SPLIT.split(value)) if k]
    if isinstance(value, list):
        return [k for v in value if isinstance(v, str) for k in _keywords(v)]
    return []


def _crumb_name(crumb: dict[str, Any]) -> str | None:
    """A breadcrumb entry's name: on the ListItem, or on its ``item`` when that is a Thing
    (schema.org also allows ``item`` as a bare URL string, which names nothing)."""
    name = crumb.get("name")
    item = crumb.get("item")
    if not isinstance(name, str) and isinstance(item, dict):
        name = item.get("name")
    return clean_string(name) if isinstance(name, str) and name.strip() else None


class _Head(NamedTuple):
    """A ``<head>`` element and the attributes of its ``<meta>`` children, in page order."""

    el: HtmlElement
    metas: list[dict[str, str]]


def _heads(doc: HtmlElement) -> list[_Head]:
    """The page's ``<head>`` elements (``//head``; an HTML parser makes at most one),
    each meta's attributes read once for both Open Graph and plain meta (one ``items()``
    costs about one ``get()``, and each reader asks several)."""
    return [
        _Head(head, [dict(meta.items()) for meta in head.iterchildren("meta")])
        for head in doc.getroottree().iter("head")
    ]


def _jsonld_items(script: HtmlElement, url: str) -> list[Any]:
    """The items of one JSON-LD script, as extruct's ``JsonLdExtractor`` gives them: the
    object, or the truthy members of a top-level array. Strict JSON is read here; anything
    else goes to extruct (which raises on a block it cannot read either)."""
    text = (script.text or "") if len(script) == 0 else script.xpath("string()")
    try:
        data = _JSON.decode(text)
    except ValueError:
        return _jsonld.extract_items(script, base_url=url)
    if isinstance(data, list):
        return [item for item in data if item]
    return [data] if isinstance(data, dict) and data else []


def _read_jsonld(doc: HtmlElement, url: str, out: StructuredData) -> None:
    items: list[Any] = []
    for script in doc.getroottree().iter("script"):
        if script.get("type") != _JSONLD_TYPE:
            continue
        try:
            items.extend(_jsonld_items(script, url))
        except Exception as exc:  # extruct raises plain ValueError/JSON errors on broken blocks
            out.errors.append(f"unreadable JSON-LD block: {type(exc).__name__}")
    for item in _flatten(items):
        types = _types(item)
        if "BreadcrumbList" in types:
            crumbs = item.get("itemListElement")
            if isinstance(crumbs, list) and crumbs:

                def pos(c: Any) -> float:
                    try:
                        return float(c.get("position", 0)) if isinstance(c, dict) else 0.0
                    except (TypeError, ValueError):
                        return 0.0

                last = sorted((c for c in crumbs if isinstance(c, dict)), key=pos)
                if len(last) > 1:  # position 1 is the home page, never a section
                    name = _crumb_name(last[-1])
                    if name:
                        out.put("section", name, "structured:jsonld")
            continue
        if types & {"Organization", "NewsMediaOrganization", "WebSite"}:
            out.logos.update(_image_urls(item.get("logo"), url))
            out.add_site_name(item.get("name"))
        if not types & _ARTICLE_TYPES:
            continue
        if types & (_ARTICLE_TYPES - {"WebPage"}):
            out.declares_article = True
        publisher = item.get("publisher")
        if isinstance(publisher, dict):
            out.logos.update(_image_urls(publisher.get("logo"), url))
            out.add_site_name(publisher.get("name"))
        headline = item.get("headline") or item.get("name")
        if isinstance(headline, str):
            out.put("title", clean_string(headline), "structured:jsonld")
        for key, name in (("datePublished", "published_at"), ("dateModified", "modified_at")):
            if isinstance(item.get(key), str):
                out.put(name, item[key].strip(), "structured:jsonld")
        authors = _names(item.get("author"))
        if authors:
            out.put("author", ", ".join(dict.fromkeys(authors)), "structured:jsonld")
        if isinstance(item.get("description"), str):
            out.put("lead", clean_string(item["description"]), "structured:jsonld")
        out.put("images", _image_urls(item.get("image"), url), "structured:jsonld")
        out.put("tags", _keywords(item.get("keywords")), "structured:jsonld")
        section = item.get("articleSection")
        if isinstance(section, list):
            section = section[0] if section else None
        if isinstance(section, str):
            out.put("section", clean_string(section), "structured:jsonld")


def _first_prop(props: dict[str, Any], key: str) -> Any:
    value = props.get(key)
    return value[0] if isinstance(value, list) and value else value


def _microdata_types(node: HtmlElement) -> set[str]:
    """An item's types by their last path segment (``https://schema.org/NewsArticle``)."""
    return {t.rsplit("/", 1)[-1] for t in (node.get("itemtype") or "").split()}


def _read_microdata(
    doc: HtmlElement, url: str, out: StructuredData, article_type: bool = True
) -> None:
    """schema.org microdata (``itemprop=datePublished`` ...), mapped like JSON-LD.
    ``article_type``: see :func:`extract_structured`."""
    # (/descendant::*/@a is //@a without libxml2 visiting every text node for attributes)
    if not article_type:
        # Only items with properties can give fields: one attribute looked for, which
        # costs libxml2 half the walks of the union below.
        if not doc.xpath("/descendant::*/@itemprop"):
            return
    # One query for both attributes: most pages have neither.
    marks = doc.xpath("/descendant::*/@itemscope | /descendant::*/@itemprop")
    if not marks:
        return
    if not any(m.attrname == "itemprop" for m in marks):
        # Items without properties (see the module doc): only their types can tell.
        for mark in marks:
            if _microdata_types(mark.getparent()) & (_ARTICLE_TYPES - {"WebPage"}):
                out.declares_article = True
        return
    if not any(m.attrname == "itemscope" for m in marks):
        return  # properties of no item
    try:
        items = _microdata.extract_items(doc, url)
    except Exception as exc:  # extruct on arbitrary markup: a reason, not a crash
        out.errors.append(f"unreadable microdata: {type(exc).__name__}")
        return
    stack = list(items)
    while stack:
        item = stack.pop(0)
        if not isinstance(item, dict):
            continue
        types = {
            t.rsplit("/", 1)[-1]
            for t in (
                [item.get("type")] if isinstance(item.get("type"), str) else item.get("type") or []
            )
            if isinstance(t, str)
        }
        props = item.get("properties") or {}
        if not isinstance(props, dict):
            continue
        for value in props.values():
            for v in value if isinstance(value, list) else [value]:
                if isinstance(v, dict) and "properties" in v:
                    stack.append(v)
        if not types & _ARTICLE_TYPES:
            continue
        if types & (_ARTICLE_TYPES - {"WebPage"}):
            out.declares_article = True

        headline = _first_prop(props, "headline")
        if isinstance(headline, str):
            out.put("title", clean_string(headline), "structured:microdata")
        for key, name in (("datePublished", "published_at"), ("dateModified", "modified_at")):
            value = _first_prop(props, key)
            if isinstance(value, str) and value.strip():
                out.put(name, value.strip(), "structured:microdata")
        author = props.get("author")
        names = _names(
            [
                a.get("properties", {}) if isinstance(a, dict) else a
                for a in (author if isinstance(author, list) else [author])
            ]
        )
        if names:
            out.put("author", ", ".join(dict.fromkeys(names)), "structured:microdata")
        out.put("tags", _keywords(props.get("keywords")), "structured:microdata")
        description = _first_prop(props, "description")
        if isinstance(description, str):
            out.put("lead", clean_string(description), "structured:microdata")


def _declared_prefixes(el: HtmlElement | None) -> set[str]:
    if el is None:
        return set()
    return {name for name, _ in _PREFIX_DECLARATION.findall(el.get("prefix") or "")}


def _opengraph_properties(heads: list[_Head]) -> list[tuple[str, str]]:
    """``(property, content)`` of each Open Graph ``<meta>`` of the head, in page order:
    a property whose prefix is Open Graph's, or declared on ``<html>`` or ``<head>``."""
    if not heads:
        return []
    html_el = heads[0].el.getparent()
    on_html = _declared_prefixes(html_el if html_el is not None and html_el.tag == "html" else None)
    props: list[tuple[str, str]] = []
    for head in heads:
        declared = on_html | _declared_prefixes(head.el)
        for attrs in head.metas:
            prop, content = attrs.get("property"), attrs.get("content")
            if prop is None or content is None:
                continue
            prefix = prop.partition(":")[0]
            if prefix in _OG_PREFIXES or prefix in declared:
                props.append((prop, content))
    return props


def _read_opengraph(heads: list[_Head], url: str, out: StructuredData) -> None:
    props = _opengraph_properties(heads)
    og: dict[str, list[str]] = {}
    for key, value in props:
        og.setdefault(key, []).append(value)

    def first(key: str) -> str | None:
        values = og.get(key)
        return values[0].strip() if values and values[0].strip() else None

    if (first("og:type") or "").lower() == "article" or first("article:published_time"):
        out.declares_article = True
    out.add_site_name(first("og:site_name"))
    if (title := first("og:title")) is not None:
        out.put("title", clean_string(title), "structured:og")
    if (desc := first("og:description")) is not None:
        out.put("lead", clean_string(desc), "structured:og")
    out.put("published_at", first("article:published_time"), "structured:og")
    out.put("modified_at", first("article:modified_time"), "structured:og")
    if (section := first("article:section")) is not None:
        out.put("section", normalize_text(section), "structured:og")
    out.put("tags", [k for t in og.get("article:tag", []) for k in _keywords(t)], "structured:og")
    # article:author is usually a profile URL, not a byline.
    authors = [a for a in og.get("article:author", []) if a.strip() and "://" not in a]
    if authors:
        out.put("author", ", ".join(clean_string(a) for a in authors), "structured:og")
    out.put("images", _image_urls(og.get("og:image", []), url), "structured:og")
    out.put("canonical", first("og:url"), "structured:og")


def _read_meta(doc: HtmlElement, heads: list[_Head], url: str, out: StructuredData) -> None:
    for attrs in (m for head in heads for m in head.metas):
        content = attrs.get("content")
        if content is None or (attrs.get("name") is None and attrs.get("itemprop") is None):
            continue
        key = (attrs.get("name") or attrs.get("itemprop") or "").lower()
        value = content.strip()
        if not value:
            continue
        if key in ("pubdate", "publishdate", "datepublished", "article:published_time"):
            out.put("published_at", value, "structured:meta")
        elif key in ("author", "dc.creator"):
            out.put("author", clean_string(value), "structured:meta")
        elif key == "description":
            out.put("lead", clean_string(value), "structured:meta")
        elif key in ("application-name", "apple-mobile-web-app-title"):
            out.add_site_name(value)
        elif key in ("keywords", "news_keywords"):
            out.put("tags", _keywords(value), "structured:meta")
    stamp = next(
        (
            t.get("datetime")
            for t in doc.getroottree().iter("time")
            if t.get("datetime") is not None
        ),
        None,
    )
    if stamp is not None:
        out.put("published_at", stamp.strip(), "structured:time")
    canonical = next(
        (
            link.get("href")
            for head in heads
            for link in head.el.iterchildren("link")
            if link.get("rel") == "canonical" and link.get("href") is not None
        ),
        None,
    )
    if canonical is not None:
        out.put("canonical", join_url(url, canonical.strip()), "structured:meta")


#: Every record field Open Graph or plain meta can give.
_HEAD_FIELDS = frozenset(
    ("title", "lead", "published_at", "modified_at", "section", "tags", "author", "images")
)


def extract_structured(
    doc: HtmlElement, url: str, *, article_type: bool = True, fields_only: bool = False
) -> StructuredData:
    """Read JSON-LD, then Open Graph, then plain meta; earlier sources win per field.

    ``article_type=False``: the caller does not read ``declares_article`` (a layout of
    its own already calls the page an article), so microdata items without properties,
    which can tell nothing else, are not looked for (``declares_article`` may then
    stay False where the page declares an article that way).

    ``fields_only``: the caller reads ``fields``, ``sources`` and ``errors`` and
    nothing else (not the canonical URL, ``declares_article``, site names, or the
    description and date lists); it implies ``article_type=False``. When JSON-LD and
    microdata gave every field the head's metas could, those are not read: the first
    source of a field keeps it, so they could change none of those three (their
    readers note no error)."""
    out = StructuredData()
    _read_jsonld(doc, url, out)
    _read_microdata(doc, url, out, article_type and not fields_only)
    if fields_only and _HEAD_FIELDS <= out.fields.keys():
        return _without_logos(out)
    heads = _heads(doc)
    _read_opengraph(heads, url, out)
    _read_meta(doc, heads, url, out)
    return _without_logos(out)


def _without_logos(out: StructuredData) -> StructuredData:
    """``out`` with the publisher's logos left out of its images."""
    if "images" in out.fields:
        images = [u for u in out.fields["images"] if u not in out.logos and "logo" not in u.lower()]
        if images:
            out.fields["images"] = list(dict.fromkeys(images))
        else:
            del out.fields["images"]
            del out.sources["images"]
    return out
