"""Publisher-independent parsing driven by a site profile.

:class:`PortalSite` turns a page into a record (or a reason), a listing into article
links, a feed or sitemap into entries. A publisher module subclasses it and supplies
hosts, URL rules and layouts; nothing here knows a selector of any publisher.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar
from urllib.parse import urljoin

import lxml.etree
from lxml.html import HtmlElement

from newsbot.extract.chain import merge_fields
from newsbot.extract.dates import parse_datetime
from newsbot.extract.document import PageError, load_document
from newsbot.extract.fallback import extract_fallback, find_page_date
from newsbot.extract.structured import extract_structured
from newsbot.extract.text import element_text, join_paragraphs, normalize_text
from newsbot.sites.base import (
    ARTICLE_FIELDS,
    Layout,
    Listing,
    ListingEntry,
    ParseOutcome,
    Site,
    UrlKind,
)

_DATE_FIELDS = ("published_at", "modified_at")
# Titles of error pages: a leading status or "error", or the portal's wording for a
# missing page. Narrow on purpose: "lỗi" alone is a word of many real headlines.
_ERROR_TITLE = re.compile(
    r"^\W*(?:404|410|500|lỗi\b|error\b)|không tìm thấy trang|trang không tồn tại|"
    r"bài viết không tồn tại|page not found",
    re.IGNORECASE,
)
_XML_PARSER = lxml.etree.XMLParser(
    recover=True, resolve_entities=False, no_network=True, huge_tree=False
)


class PortalSite(Site):
    """A site profile with the generic parsing every portal shares."""

    language: ClassVar[str] = "vi"
    title_suffixes: ClassVar[tuple[str, ...]] = ()
    start_urls: ClassVar[tuple[str, ...]] = ()
    feeds: ClassVar[tuple[str, ...]] = ()
    sitemaps: ClassVar[tuple[str, ...]] = ()
    sections: ClassVar[tuple[tuple[str, int, str], ...]] = ()
    #: True when the portal numbers articles in publication order, so an article's
    #: id tells whether it is older than another (used to judge undated listings).
    ids_increase_with_time: ClassVar[bool] = False

    def __init__(self) -> None:
        self._layouts: list[Layout] = [cls() for cls in self.layouts]

    def owns(self, url: str) -> bool:
        return self.canonical_url(url) is not None

    def section_listing_url(self, slug: str) -> str:  # pragma: no cover - per publisher
        raise NotImplementedError

    # --- articles ---------------------------------------------------------------

    def parse_article(
        self, raw: bytes | str, url: str, content_type: str | None = None
    ) -> ParseOutcome:
        """The record of an article page, or why the page is not one."""
        canonical = self.canonical_url(url) or url
        try:
            doc, text = load_document(raw, content_type)
        except PageError as exc:
            return ParseOutcome(error=exc.reason, kind="invalid")
        try:
            return self._parse_article(doc, text, canonical)
        except Exception as exc:  # noqa: BLE001 - a page must never crash a crawl
            return ParseOutcome(error=f"parser error: {type(exc).__name__}: {exc}", kind="invalid")

    def _parse_article(self, doc: HtmlElement, text: str, url: str) -> ParseOutcome:
        layout = next((lay for lay in self._layouts if lay.is_article(doc)), None)
        structured = extract_structured(doc, url)
        if layout is None and not structured.declares_article:
            # Neither our layouts nor the page itself call it an article; a page that
            # does (a redesign we don't know) may still carry a list of other stories.
            for candidate in self._layouts:
                listing = candidate.listing(doc, url)
                if listing is not None and listing.entries:
                    return ParseOutcome(
                        error=f"listing page ({candidate.name} layout), not an article",
                        kind="listing",
                    )
        problems: dict[str, str] = {}
        sources: dict[str, Any] = {}
        if layout is not None:
            found = self._clean(layout.extract(doc, url), url, problems, f"layout:{layout.name}")
            sources["layout"] = (found, lambda _f, n=layout.name: f"layout:{n}")
        s_fields = self._clean(dict(structured.fields), url, problems, "structured")
        s_fields.pop("canonical", None)
        sources["structured"] = (s_fields, lambda f: structured.sources.get(f, "structured"))
        record, provenance = merge_fields(list(ARTICLE_FIELDS), sources)
        if structured.errors:
            problems["structured"] = "; ".join(structured.errors)
        if not all(k in record for k in ("title", "published_at", "body")):
            fb = extract_fallback(text, url, lead=record.get("lead"))
            fb_labels: dict[str, str] = {}
            if "published_at" not in record:
                # A date line we can read (Vietnamese formats, with its time) beats
                # trafilatura's date guess, which often keeps only the day.
                page_date = find_page_date(doc)
                if page_date:
                    fb["published_at"] = page_date
                    fb_labels["published_at"] = "fallback:page-date"
            fb = self._clean(fb, url, problems, "fallback")
            if "title" not in fb:
                page_title = self._page_title(doc)
                if page_title:
                    fb["title"] = page_title
                    fb_labels["title"] = "fallback:page-title"
            sources["fallback"] = (fb, lambda f: fb_labels.get(f, "fallback:trafilatura"))
            record, provenance = merge_fields(list(ARTICLE_FIELDS), sources)
        error = self._not_an_article(doc, record, layout)
        if error:
            return ParseOutcome(error=error, kind="error" if "error page" in error else "empty")
        if record.get("modified_at") == record.get("published_at"):
            record.pop("modified_at", None)
            provenance.pop("modified_at", None)
        for key in ("published_at", "title", "body"):
            if key not in record and key not in problems:
                problems[key] = "not found by layout, structured data or fallback"
        out: dict[str, Any] = {
            "url": url,
            "source_id": self.source_id(url),
            "site": self.name,
            "section": record.get("section"),
            "title": record.get("title"),
            "published_at": record.get("published_at"),
        }
        if record.get("modified_at"):
            out["modified_at"] = record["modified_at"]
        out.update(
            lead=record.get("lead"),
            body=record.get("body"),
            author=record.get("author"),
            images=record.get("images", []),
            related=record.get("related", []),
        )
        if record.get("media"):
            out["media"] = record["media"]
        out["tags"] = record.get("tags", [])
        out["language"] = self.language
        out["provenance"] = {k: v for k, v in provenance.items() if k in out}
        if problems:
            out["problems"] = problems
        return ParseOutcome(record=out)

    def _not_an_article(
        self, doc: HtmlElement, record: dict[str, Any], layout: Layout | None
    ) -> str | None:
        title = (record.get("title") or self._page_title(doc) or "").lower()
        # Without a layout of ours, a page titled like an error is one, whatever text
        # the fallback found on it (a 404 page with a sentence of apology).
        if (layout is None or not record.get("body")) and _ERROR_TITLE.search(title):
            return f"error page ('{title[:60]}'), not an article"
        if not record.get("body"):
            if not record.get("title"):
                return "no article content (no title, no body)"
            return "empty body"
        if not record.get("title"):
            return "no title"
        return None

    def _page_title(self, doc: HtmlElement) -> str | None:
        titles = doc.xpath("//head/title")
        if not titles:
            return None
        title = element_text(titles[0])
        for suffix in self.title_suffixes:
            if title.endswith(suffix):
                title = title[: -len(suffix)]
        return normalize_text(title) or None

    def _clean(
        self, fields: dict[str, Any], url: str, problems: dict[str, str], label: str
    ) -> dict[str, Any]:
        """One source's raw findings in record form: dates parsed, URLs canonical."""
        out: dict[str, Any] = {}
        for name, value in fields.items():
            if value is None:
                continue
            if name in _DATE_FIELDS:
                parsed = parse_datetime(value)
                if parsed.value is None:
                    problems.setdefault(name, f"{label}: {parsed.reason}")
                    continue
                value = parsed.iso
            elif name == "body":
                value = join_paragraphs(value if isinstance(value, list) else value.split("\n\n"))
            elif name == "images":
                value = self._images(value, url)
            elif name == "related":
                value = self._related(value, url)
            elif name == "media":
                value = [
                    {"url": self.resolve_asset(m["url"], url), "kind": m["kind"]} for m in value
                ]
            elif name == "tags":
                value = list(dict.fromkeys(t for t in (normalize_text(x) for x in value) if t))
            elif isinstance(value, str):
                value = normalize_text(value)
            out[name] = value
        lead = out.get("lead")
        body = out.get("body")
        if lead and isinstance(body, str) and body.startswith(lead):
            out["body"] = body[len(lead) :].lstrip("\n")
        return out

    def resolve_asset(self, src: str, page_url: str) -> str:
        """Absolute URL of an image or media file referenced from a page."""
        return urljoin(page_url, src.strip().replace("\\", "/"))

    def _images(self, value: list[Any], url: str) -> list[dict[str, Any]]:
        images: list[dict[str, Any]] = []
        seen: set[str] = set()
        for item in value:
            if isinstance(item, str):
                item = {"url": item, "caption": None}
            src = self.resolve_asset(item["url"], url)
            if src in seen:
                continue
            seen.add(src)
            caption = normalize_text(item.get("caption")) or None
            images.append({"url": src, "caption": caption})
        return images

    def _related(self, value: list[dict[str, str]], url: str) -> list[dict[str, str]]:
        related: list[dict[str, str]] = []
        seen = {url}
        for link in value:
            target = self.canonical_url(link["url"], base=url)
            if target is None or target in seen:
                continue
            seen.add(target)
            related.append({"url": target, "title": normalize_text(link.get("title"))})
        return related

    # --- listings, feeds, sitemaps -----------------------------------------------

    def parse_listing(self, raw: bytes | str, url: str) -> Listing:
        """Article links of a listing page in page order (canonical, each once)."""
        base = self.canonical_url(url) or url
        try:
            doc, _ = load_document(raw)
        except PageError:
            return Listing()
        for layout in self._layouts:
            if layout.is_article(doc):
                continue
            listing = layout.listing(doc, base)
            if listing is not None:
                return self._clean_listing(listing, base)
        return Listing()

    def _clean_listing(self, listing: Listing, base: str) -> Listing:
        entries: list[ListingEntry] = []
        seen: set[str] = set()
        for e in listing.entries:
            target = self.canonical_url(e.url, base=base)
            if target is None or target in seen or self.url_kind(target) is not UrlKind.ARTICLE:
                continue
            seen.add(target)
            when = parse_datetime(e.published_at).iso if e.published_at else None
            entries.append(ListingEntry(url=target, published_at=when, title=e.title))
        nxt = self.canonical_url(listing.next_page, base=base) if listing.next_page else None
        return Listing(entries=entries, next_page=nxt if nxt != base else None)

    def page_links(self, raw: bytes | str, url: str) -> dict[UrlKind, list[str]]:
        """Every link of this publisher on a page, canonical, grouped by URL kind."""
        base = self.canonical_url(url) or url
        try:
            doc, _ = load_document(raw)
        except PageError:
            return {}
        out: dict[UrlKind, list[str]] = {}
        seen: set[str] = set()
        for href in doc.xpath("//a/@href"):
            target = self.canonical_url(str(href), base=base)
            if target is None or target in seen:
                continue
            seen.add(target)
            out.setdefault(self.url_kind(target), []).append(target)
        return out

    def parse_feed(self, raw: bytes, url: str) -> list[ListingEntry]:
        """Entries of an RSS 2.0 or Atom feed: canonical URL and published time."""
        root = self._xml(raw)
        if root is None:
            return []
        entries: list[ListingEntry] = []
        seen: set[str] = set()
        for item in root.iter("{*}item", "{*}entry"):
            link = self._child_text(item, "link")
            if not link:
                hrefs = item.xpath("./*[local-name()='link']/@href")
                link = str(hrefs[0]) if hrefs else None
            target = self.canonical_url(link or "", base=url)
            if target is None or target in seen:
                continue
            seen.add(target)
            when = (
                self._child_text(item, "pubDate")
                or self._child_text(item, "published")
                or self._child_text(item, "updated")
                or self._child_text(item, "date")
            )
            entries.append(
                ListingEntry(
                    url=target,
                    published_at=parse_datetime(when).iso if when else None,
                    title=normalize_text(self._child_text(item, "title")) or None,
                )
            )
        return entries

    def parse_sitemap(self, raw: bytes, url: str) -> tuple[list[ListingEntry], list[ListingEntry]]:
        """Article entries of a sitemap, and the child sitemaps of a sitemap index,
        each with its ``<lastmod>`` (as ``modified_at``) when the file states one."""
        root = self._xml(raw)
        if root is None:
            return [], []
        entries: list[ListingEntry] = []
        children: list[ListingEntry] = []
        for node in root.iter("{*}url", "{*}sitemap"):
            target = self.canonical_url(self._child_text(node, "loc") or "", base=url)
            if target is None:
                continue
            lastmod = self._child_text(node, "lastmod")
            if lastmod and len(lastmod) <= 10:
                # A date alone means "changed that day": the end of it, so a change
                # later that day is never taken for one before a run.
                lastmod += "T23:59:59"
            entry = ListingEntry(
                url=target, modified_at=parse_datetime(lastmod).iso if lastmod else None
            )
            (children if node.tag.endswith("sitemap") else entries).append(entry)
        return entries, children

    @staticmethod
    def _xml(raw: bytes | str) -> Any:
        data = raw.encode("utf-8") if isinstance(raw, str) else raw
        if not data.strip():
            return None
        try:
            return lxml.etree.fromstring(data.strip(), parser=_XML_PARSER)
        except lxml.etree.XMLSyntaxError:
            return None

    @staticmethod
    def _child_text(node: Any, name: str) -> str | None:
        for child in node:
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag.rsplit("}", 1)[-1] == name:
                text = "".join(child.itertext()).strip()
                return text or None
        return None
