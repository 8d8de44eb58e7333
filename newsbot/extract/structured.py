"""Metadata a page states about itself: JSON-LD, Open Graph, ``article:*`` and plain meta.

extruct does the reading (one JSON-LD script at a time, so one broken block does not
hide the others); this module only maps schema.org / Open Graph vocabulary onto record
fields. Works on an already parsed lxml tree so the page is parsed once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

from extruct.jsonld import JsonLdExtractor
from extruct.opengraph import OpenGraphExtractor
from lxml.html import HtmlElement

from newsbot.extract.text import normalize_text

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
_JSONLD_SCRIPTS = "//script[@type='application/ld+json']"
_jsonld = JsonLdExtractor()
_opengraph = OpenGraphExtractor()


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

    def put(self, name: str, value: Any, source: str) -> None:
        """Keep the first non-empty value offered for a field."""
        if name in self.fields or value in (None, "", [], {}):
            return
        self.fields[name] = value
        self.sources[name] = source


def _types(item: dict[str, Any]) -> set[str]:
    t = item.get("@type")
    if isinstance(t, str):
        return {t}
    if isinstance(t, list):
        return {x for x in t if isinstance(x, str)}
    return set()


def _flatten(items: list[Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for item in items:
        if isinstance(item, dict):
            graph = item.get("@graph")
            if isinstance(graph, list):
                out.extend(_flatten(graph))
            out.append(item)
        elif isinstance(item, list):
            out.extend(_flatten(item))
    return out


def _names(value: Any) -> list[str]:
    """Author-like values: a string, a Person/Organization, or a list of them."""
    if isinstance(value, str):
        return [normalize_text(value)] if value.strip() else []
    if isinstance(value, dict):
        name = value.get("name")
        return [normalize_text(name)] if isinstance(name, str) and name.strip() else []
    if isinstance(value, list):
        return [n for v in value for n in _names(v)]
    return []


def _image_urls(value: Any, base: str) -> list[str]:
    if isinstance(value, str):
        return [urljoin(base, value.strip().replace("\\", "/"))] if value.strip() else []
    if isinstance(value, dict):
        return _image_urls(value.get("url") or value.get("contentUrl") or value.get("@id"), base)
    if isinstance(value, list):
        return [u for v in value for u in _image_urls(v, base)]
    return []


def _keywords(value: Any) -> list[str]:
    if isinstance(value, str):
        return [normalize_text(k) for k in value.split(",") if k.strip()]
    if isinstance(value, list):
        return [normalize_text(k) for k in value if isinstance(k, str) and k.strip()]
    return []


def _read_jsonld(doc: HtmlElement, url: str, out: StructuredData) -> None:
    items: list[Any] = []
    for script in doc.xpath(_JSONLD_SCRIPTS):
        try:
            items.extend(_jsonld.extract_items(script, base_url=url))
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
                    name = last[-1].get("name") or (last[-1].get("item") or {}).get("name")
                    if isinstance(name, str):
                        out.put("section", normalize_text(name), "structured:jsonld")
            continue
        if types & {"Organization", "NewsMediaOrganization"}:
            out.logos.update(_image_urls(item.get("logo"), url))
        if not types & _ARTICLE_TYPES:
            continue
        if types & (_ARTICLE_TYPES - {"WebPage"}):
            out.declares_article = True
        publisher = item.get("publisher")
        if isinstance(publisher, dict):
            out.logos.update(_image_urls(publisher.get("logo"), url))
        headline = item.get("headline") or item.get("name")
        if isinstance(headline, str):
            out.put("title", normalize_text(headline), "structured:jsonld")
        for key, name in (("datePublished", "published_at"), ("dateModified", "modified_at")):
            if isinstance(item.get(key), str):
                out.put(name, item[key].strip(), "structured:jsonld")
        authors = _names(item.get("author"))
        if authors:
            out.put("author", ", ".join(dict.fromkeys(authors)), "structured:jsonld")
        if isinstance(item.get("description"), str):
            out.put("lead", normalize_text(item["description"]), "structured:jsonld")
        out.put("images", _image_urls(item.get("image"), url), "structured:jsonld")
        out.put("tags", _keywords(item.get("keywords")), "structured:jsonld")
        section = item.get("articleSection")
        if isinstance(section, list):
            section = section[0] if section else None
        if isinstance(section, str):
            out.put("section", normalize_text(section), "structured:jsonld")


def _read_opengraph(doc: HtmlElement, url: str, out: StructuredData) -> None:
    props: list[tuple[str, str]] = []
    try:
        for item in _opengraph.extract_items(doc, base_url=url):
            props.extend(item.get("properties", []))
    except Exception as exc:  # a head without namespaces etc. must not stop the parse
        out.errors.append(f"unreadable Open Graph: {type(exc).__name__}")
    og: dict[str, list[str]] = {}
    for key, value in props:
        og.setdefault(key, []).append(value)

    def first(key: str) -> str | None:
        values = og.get(key)
        return values[0].strip() if values and values[0].strip() else None

    if (first("og:type") or "").lower() == "article" or first("article:published_time"):
        out.declares_article = True
    if (title := first("og:title")) is not None:
        out.put("title", normalize_text(title), "structured:og")
    if (desc := first("og:description")) is not None:
        out.put("lead", normalize_text(desc), "structured:og")
    out.put("published_at", first("article:published_time"), "structured:og")
    out.put("modified_at", first("article:modified_time"), "structured:og")
    if (section := first("article:section")) is not None:
        out.put("section", normalize_text(section), "structured:og")
    out.put(
        "tags", [normalize_text(t) for t in og.get("article:tag", []) if t.strip()], "structured:og"
    )
    # article:author is usually a profile URL, not a byline.
    authors = [a for a in og.get("article:author", []) if a.strip() and "://" not in a]
    if authors:
        out.put("author", ", ".join(normalize_text(a) for a in authors), "structured:og")
    out.put("images", _image_urls(og.get("og:image", []), url), "structured:og")
    out.put("canonical", first("og:url"), "structured:og")


def _read_meta(doc: HtmlElement, url: str, out: StructuredData) -> None:
    for el in doc.xpath("//head/meta[@name or @itemprop][@content]"):
        key = (el.get("name") or el.get("itemprop") or "").lower()
        value = el.get("content", "").strip()
        if not value:
            continue
        if key in ("pubdate", "publishdate", "datepublished", "article:published_time"):
            out.put("published_at", value, "structured:meta")
        elif key in ("author", "dc.creator"):
            out.put("author", normalize_text(value), "structured:meta")
        elif key == "description":
            out.put("lead", normalize_text(value), "structured:meta")
        elif key in ("keywords", "news_keywords"):
            out.put("tags", _keywords(value), "structured:meta")
    times = doc.xpath("//time[@datetime]/@datetime")
    if times:
        out.put("published_at", str(times[0]).strip(), "structured:time")
    canonical = doc.xpath("//head/link[@rel='canonical']/@href")
    if canonical:
        out.put("canonical", urljoin(url, str(canonical[0]).strip()), "structured:meta")


def extract_structured(doc: HtmlElement, url: str) -> StructuredData:
    """Read JSON-LD, then Open Graph, then plain meta; earlier sources win per field."""
    out = StructuredData()
    _read_jsonld(doc, url, out)
    _read_opengraph(doc, url, out)
    _read_meta(doc, url, out)
    if "images" in out.fields:
        images = [u for u in out.fields["images"] if u not in out.logos and "logo" not in u.lower()]
        if images:
            out.fields["images"] = list(dict.fromkeys(images))
        else:
            del out.fields["images"]
            del out.sources["images"]
    return out
