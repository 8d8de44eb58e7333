"""The publisher profile: one base class that says what a publisher is, and the
publisher-independent parsing it drives.

A publisher (``newsbot/sites/publishers/<name>.py``) subclasses :class:`PortalSite`
and declares data: its hosts (mirrors and successor domains included), tracking
parameters, time zone, sections (slug → name), start points (home pages, feeds,
sitemaps) and its layouts with the dates each was in use; it implements the three URL
rules only it knows (:meth:`~PortalSite.url_kind`, :meth:`~PortalSite.source_id`,
:meth:`~PortalSite.listing_section`). Everything else the spider, the pipelines and
the CLI call is here: the canonical URL (w3lib), articles to records (or a reason),
listings, page links, feeds and sitemaps to entries. Nothing here knows a selector
of any publisher.
"""

from __future__ import annotations

import functools
import io
import re
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime
from typing import Any, ClassVar
from urllib.parse import urlsplit, urlunsplit

import lxml.etree
from lxml.html import HtmlElement
from w3lib.url import canonicalize_url, url_query_cleaner

from newsbot.extract.chain import decided_before, merge_fields, ordered_record
from newsbot.extract.dates import parse_datetime
from newsbot.extract.document import (
    TOO_DEEP_REASON,
    PageError,
    PageNote,
    cut_by_depth,
    load_document,
)
from newsbot.extract.fallback import extract_fallback, find_page_date
from newsbot.extract.structured import extract_structured
from newsbot.extract.text import element_text, join_paragraphs, normalize_text
from newsbot.extract.urls import join_url
from newsbot.sites.base import (
    ARTICLE_FIELDS,
    Entries,
    Layout,
    Listing,
    ListingEntry,
    PageLinks,
    ParseOutcome,
    UrlKind,
)

_DATE_FIELDS = ("published_at", "modified_at")
#: Fields whose cleaning only normalises text (nothing parsed, no link resolved, so no
#: problem to note): a source's value for them that the merge never takes is left alone.
_TEXT_ONLY_FIELDS = ("title", "lead", "section", "author", "tags")
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
#: A path w3lib's canonicalize_url leaves as it is (unreserved characters only).
_PLAIN_PATH = re.compile(r"^[A-Za-z0-9\-._~/]*$")
#: Canonical URLs remembered, most recently used: links repeat within a page and among
#: the pages read about the same time (menus, related boxes, a page's URL from its
#: request to its parse). A bound above a run's size (it was 65,536) made the cache
#: grow with the run: a 50,000-article run filled it, some 20 MB of URLs.
CANONICAL_CACHE_SIZE = 8_192
#: Links that never lead to a page: scripts, mail, phone, inline data, in-page anchors.
_NOT_WEB = ("javascript:", "mailto:", "tel:", "data:", "#")


class PortalSite(ABC):
    """A publisher profile: data and URL rules, with the generic parsing every portal shares.

    Subclasses set the class attributes below and implement the abstract URL rules;
    :meth:`canonical_url` is generic and configured by ``hosts``, ``mirror_prefixes``,
    ``tracking_params`` and ``article_query``.
    """

    #: Short name: the record's ``site`` and the spider's name (``scrapy crawl <name>``).
    name: ClassVar[str] = ""
    #: Host canonical URLs use unless a URL is on a successor domain (see ``hosts``).
    canonical_host: ClassVar[str] = ""
    #: Every host serving this publisher's pages: desktop, mirrors (``www.``, ``m.``,
    #: ``tab.``) and successor domains. A mirror's URL is canonical on the host with its
    #: mirror prefix removed, so ``m.b.vn`` → ``b.vn`` and ``m.a.vn`` → ``a.vn``.
    hosts: ClassVar[frozenset[str]] = frozenset()
    mirror_prefixes: ClassVar[tuple[str, ...]] = ("www.", "m.", "tab.")
    #: Query parameters that never change a page; a trailing ``*`` matches a prefix.
    tracking_params: ClassVar[tuple[str, ...]] = ("utm_*", "fbclid", "gclid", "zarsrc")
    #: Keep an article URL's query in its canonical form (False: ids live in the path).
    article_query: ClassVar[bool] = False
    #: Read backslashes in links as slashes (some CMSs write ``\\files\\a.jpg``).
    backslash_is_slash: ClassVar[bool] = True
    #: Zone of times printed without an offset (the record is always +07:00).
    timezone: ClassVar[str] = "Asia/Ho_Chi_Minh"
    language: ClassVar[str] = "vi"
    #: Section slug → name as the site prints it; the home page menu is read too, so
    #: this is a floor, not a ceiling.
    sections: ClassVar[Mapping[str, str]] = {}
    #: Path of a section's first listing page.
    section_path: ClassVar[str] = "/{slug}/"
    #: Start points.
    start_urls: ClassVar[tuple[str, ...]] = ()
    feeds: ClassVar[tuple[str, ...]] = ()
    sitemaps: ClassVar[tuple[str, ...]] = ()
    #: Layout classes, newest first; see :meth:`layouts_on`.
    layouts: ClassVar[tuple[type[Layout], ...]] = ()
    title_suffixes: ClassVar[tuple[str, ...]] = ()
    #: True when the portal numbers articles in publication order, so an article's
    #: id tells whether it is older than another (used to judge undated listings).
    ids_increase_with_time: ClassVar[bool] = False

    #: False where a sitemap's ``lastmod`` alone says whether a stored article changed
    #: (stored articles are then not refetched by age).
    refresh_by_age: ClassVar[bool] = True
    #: True where ``/sitemap.xml`` indexes one file per day (OneCMS).
    daily_sitemaps: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not isinstance(cls.sections, Mapping):
            raise TypeError(f"{cls.__name__}.sections must be a mapping of slug to name")

    def __init__(self) -> None:
        self._layouts: list[Layout] = [cls() for cls in self.layouts]
        self._canonical_cache = functools.lru_cache(maxsize=CANONICAL_CACHE_SIZE)(
            self._canonical_absolute
        )

    # --- URL rules: what only the publisher knows ----------------------------------

    @abstractmethod
    def url_kind(self, url: str) -> UrlKind:
        """What a URL of this publisher points to (article, listing, feed, ...)."""

    @abstractmethod
    def source_id(self, url: str) -> str | None:
        """The portal's own id of an article URL, if it has one."""

    @abstractmethod
    def listing_section(self, url: str) -> str | None:
        """The section slug a listing URL belongs to, or None for other URLs."""

    def section_listing_url(self, slug: str) -> str:
        """The first listing page of section ``slug`` (``section_path`` on the canonical host)."""
        return f"https://{self.canonical_host}{self.section_path.format(slug=slug)}"

    def on_host(self, host: str | None) -> PortalSite:
        """The profile to crawl from ``host`` (``NEWSBOT_HOST``): this one for its
        canonical host; a publisher with a successor domain returns that domain's."""
        if not host or self.canonical_host_of(host.lower()) == self.canonical_host:
            return self
        raise ValueError(f"NEWSBOT_HOST={host!r} is not a host of {self.name}")

    def owns(self, url: str) -> bool:
        """Is ``url`` a page of this publisher?"""
        return self.canonical_url(url) is not None

    # --- canonical URLs -------------------------------------------------------------

    def canonical_url(self, url: str, base: str | None = None) -> str | None:
        """The one URL of a page of this publisher (``https``, desktop host, no
        tracking parameters or fragment; no query on articles); None for a link that
        is not a page of this publisher or not a URL at all. Never raises."""
        try:
            return self._canonical(url, base)
        except ValueError:  # "Invalid IPv6 URL" and friends: not a URL
            return None

    def _canonical(self, url: str, base: str | None) -> str | None:
        """:meth:`canonical_url`, raising ValueError for a link that is not a URL."""
        url = (url or "").strip()
        if self.backslash_is_slash:
            url = url.replace("\\", "/")
            base = base.replace("\\", "/") if base else base
        if not url or url.lower().startswith(_NOT_WEB):
            return None
        # An absolute link without dot segments is what urljoin would return anyway.
        absolute = url
        if base and ("/." in url or not url.startswith(("http://", "https://"))):
            absolute = join_url(base, url)
        # Menus, related boxes and listings repeat the same links on every page.
        return self._canonical_cache(absolute)

    def _canonical_absolute(self, url: str) -> str | None:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if parts.scheme not in ("http", "https") or host not in self.hosts:
            return None
        host = self.canonical_host_of(host)
        path = re.sub(r"/{2,}", "/", parts.path or "/")
        kind = self.url_kind(urlunsplit(("https", host, path, "", "")))
        path = self.canonical_path(host, path, kind)
        query = parts.query if (kind is not UrlKind.ARTICLE or self.article_query) else ""
        query = self._without_tracking(query)
        clean = urlunsplit(("https", host, path, query, ""))
        if query or not _PLAIN_PATH.match(path):
            clean = canonicalize_url(clean, keep_blank_values=False)
        # else: what w3lib would return, nothing to encode or sort.
        # A link canonical already (most are) comes back as the very string given: one
        # copy for the cache's key and value and for whoever keeps it (the crawl policy
        # keeps every article URL it requested), not two.
        return url if clean == url else clean

    def canonical_host_of(self, host: str) -> str:
        """The host a URL on ``host`` is canonical on (a mirror's desktop host)."""
        for prefix in self.mirror_prefixes:
            if host.startswith(prefix) and host[len(prefix) :] in self.hosts:
                return host[len(prefix) :]
        return host

    def canonical_path(self, host: str, path: str, kind: UrlKind) -> str:
        """The canonical form of a path (already without repeated slashes): articles
        lose a trailing slash. Override where a publisher's rule differs."""
        return path.rstrip("/") or "/" if kind is UrlKind.ARTICLE else path

    def _without_tracking(self, query: str) -> str:
        if not query:
            return ""
        names = {k for k, _, _ in (p.partition("=") for p in query.split("&"))}
        exact = {p for p in self.tracking_params if not p.endswith("*")}
        prefixes = tuple(p[:-1] for p in self.tracking_params if p.endswith("*"))
        drop = [n for n in names if n in exact or n.lower().startswith(prefixes)]
        cleaned = url_query_cleaner(f"?{query}", drop, remove=True, unique=False)
        return cleaned.lstrip("?")

    def _resolve(self, href: str, base: str, skipped: list[str]) -> str | None:
        """Canonical URL of a link; a link that is no URL at all is noted in ``skipped``."""
        try:
            return self._canonical(href, base)
        except ValueError as exc:
            skipped.append(f"bad link {href[:120]!r}: {exc}")
            return None

    # --- layouts --------------------------------------------------------------------

    def layouts_on(self, day: date | None = None) -> list[Layout]:
        """The layouts to try on a page fetched on ``day`` (default today): those in
        use that day first, then the others (old pages keep their old design), each
        group newest first."""
        day = day or datetime.now(UTC).date()
        current = [lay for lay in self._layouts if lay.in_use_on(day)]
        return current + [lay for lay in self._layouts if lay not in current]

    # --- articles ---------------------------------------------------------------

    def parse_article(
        self,
        raw: bytes | str,
        url: str,
        content_type: str | None = None,
        fetched_on: date | None = None,
    ) -> ParseOutcome:
        """The record of an article page, or why the page is not one. ``fetched_on``
        (default today) picks the layouts tried first (a stored page of 2022 is read
        with the layout of 2022 before today's)."""
        canonical = self.canonical_url(url) or url
        notes: list[PageNote] = []
        try:
            doc, text = load_document(raw, content_type, notes)
        except PageError as exc:
            return ParseOutcome(error=exc.reason, kind="invalid", unreadable=True)
        # One Python object per element for the whole parse: lxml otherwise builds and
        # frees an element's object on every visit, and the layouts, structured data
        # and the body walker visit most elements several times.
        elements = list(doc.iter())
        try:
            outcome = self._parse_article(doc, text, canonical, self.layouts_on(fetched_on))
        except Exception as exc:  # noqa: BLE001 - a page must never crash a crawl
            outcome = ParseOutcome(
                error=f"parser error: {type(exc).__name__}: {exc}", kind="invalid"
            )
        if outcome.record is None and outcome.kind == "empty" and cut_by_depth(doc):
            outcome.error = f"{outcome.error}: {TOO_DEEP_REASON}"
            outcome.unreadable = True
        outcome.notes = tuple(notes)
        del elements
        return outcome

    def _parse_article(
        self, doc: HtmlElement, text: str, url: str, layouts: list[Layout]
    ) -> ParseOutcome:
        layout = next((lay for lay in layouts if lay.is_article(doc)), None)
        # With a layout of ours, only the fields matter (declares_article, the canonical
        # URL and the rest only when no layout knows the page).
        structured = extract_structured(doc, url, fields_only=layout is not None)
        if layout is None and not structured.declares_article:
            # Neither our layouts nor the page itself call it an article; a page that
            # does (a redesign we don't know) may still carry a list of other stories.
            for candidate in layouts:
                listing = candidate.listing(doc, url)
                if listing is not None and listing.entries:
                    return ParseOutcome(
                        error=f"listing page ({candidate.name} layout), not an article",
                        kind="listing",
                    )
        problems: dict[str, str] = {}
        sources: dict[str, Any] = {}
        if layout is not None:
            found = self._clean(
                layout.extract(doc, url),
                url,
                problems,
                f"layout:{layout.name}",
                normalized=layout.text_normalized,
            )
            sources["layout"] = (found, lambda _f, n=layout.name: f"layout:{n}")
        s_raw = dict(structured.fields)
        s_raw.pop("canonical", None)  # the profile's canonical URL is the page's identity
        if layout is not None and "body" not in s_raw:
            for name in _TEXT_ONLY_FIELDS:
                # Cleaning these has no side effect (no problem noted), and the merge
                # takes the layout's value: their normalising would be thrown away.
                if name in s_raw and decided_before(name, "structured", {"layout": found}):
                    del s_raw[name]
        s_fields = self._clean(s_raw, url, problems, "structured")
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
        identity = {"url": url, "source_id": self.source_id(url), "site": self.name}
        out = ordered_record(identity, record, self.language)
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
        self,
        fields: dict[str, Any],
        url: str,
        problems: dict[str, str],
        label: str,
        *,
        normalized: bool = False,
    ) -> dict[str, Any]:
        """One source's raw findings in record form: dates parsed, URLs canonical.
        ``normalized``: the source's text is already normalised (see
        ``Layout.text_normalized``), so it is taken as it is: normalising it again
        would give the same strings (``normalize_text`` is idempotent) at the cost of
        scanning the whole body twice more."""
        out: dict[str, Any] = {}
        for name, value in fields.items():
            if value is None:
                continue
            if name in _DATE_FIELDS:
                parsed = parse_datetime(value, default_tz=self.timezone)
                if parsed.value is None:
                    problems.setdefault(name, f"{label}: {parsed.reason}")
                    continue
                value = parsed.iso
            elif name == "body":
                if normalized and isinstance(value, list):
                    value = "\n\n".join([p for p in value if p])
                else:
                    value = join_paragraphs(
                        value if isinstance(value, list) else value.split("\n\n")
                    )
            elif name == "images":
                value = self._images(value, url, problems, normalized)
            elif name == "related":
                value = self._related(value, url, problems, normalized)
            elif name == "media":
                value = [
                    {"url": src, "kind": m["kind"]}
                    for m in value
                    if (src := self._asset(m["url"], url, problems))
                ]
            elif name == "tags":
                if not normalized:
                    value = (normalize_text(x) for x in value)
                value = list(dict.fromkeys(t for t in value if t))
            elif isinstance(value, str) and not normalized:
                value = normalize_text(value)
            out[name] = value
        lead = out.get("lead")
        body = out.get("body")
        if lead and isinstance(body, str) and body.startswith(lead):
            out["body"] = body[len(lead) :].lstrip("\n")
        return out

    def resolve_asset(self, src: str, page_url: str) -> str:
        """Absolute URL of an image or media file referenced from a page."""
        return join_url(page_url, src.strip().replace("\\", "/"))

    def _asset(self, src: str, page_url: str, problems: dict[str, str]) -> str | None:
        """:meth:`resolve_asset`, or None (noted in ``problems``) for a source that is no URL."""
        try:
            resolved = self.resolve_asset(src, page_url)
            if not resolved.isascii() or "[" in resolved or "]" in resolved:
                # urlsplit can only fail on such a host (brackets, or one NFKC alters)
                urlsplit(resolved).hostname  # noqa: B018 - raises on "http://[" and friends
        except ValueError as exc:
            _note_bad_link(problems, f"bad link {src[:120]!r}: {exc}")
            return None
        return resolved

    def _images(
        self, value: list[Any], url: str, problems: dict[str, str], normalized: bool = False
    ) -> list[dict[str, Any]]:
        images: list[dict[str, Any]] = []
        seen: set[str] = set()
        for item in value:
            if isinstance(item, str):
                item = {"url": item, "caption": None}
            src = self._asset(item["url"], url, problems)
            if src is None or src in seen:
                continue
            seen.add(src)
            caption = item.get("caption") if normalized else normalize_text(item.get("caption"))
            caption = caption or None
            images.append({"url": src, "caption": caption})
        return images

    def _related(
        self,
        value: list[dict[str, str]],
        url: str,
        problems: dict[str, str],
        normalized: bool = False,
    ) -> list[dict[str, str]]:
        related: list[dict[str, str]] = []
        seen = {url}
        skipped: list[str] = []
        for link in value:
            target = self._resolve(link["url"], url, skipped)
            if target is None or target in seen:
                continue
            seen.add(target)
            if self.url_kind(target) is not UrlKind.ARTICLE:
                continue  # a tag, section or video page in a related box: no article
            title = link.get("title")
            title = (title or "") if normalized else normalize_text(title)
            related.append({"url": target, "title": title})
        for reason in skipped:
            _note_bad_link(problems, reason)
        return related

    # --- listings, feeds, sitemaps -----------------------------------------------

    def parse_listing(self, raw: bytes | str, url: str, fetched_on: date | None = None) -> Listing:
        """Article links of a listing page in page order (canonical, each once)."""
        base = self.canonical_url(url) or url
        try:
            doc, _ = load_document(raw)
        except PageError:
            return Listing()
        for layout in self.layouts_on(fetched_on):
            if layout.is_article(doc):
                continue
            listing = layout.listing(doc, base)
            if listing is not None:
                return self._clean_listing(listing, base)
        return Listing()

    def _clean_listing(self, listing: Listing, base: str) -> Listing:
        entries: list[ListingEntry] = []
        seen: set[str] = set()
        skipped = list(listing.skipped)
        for e in listing.entries:
            target = self._resolve(e.url, base, skipped)
            if target is None or target in seen or self.url_kind(target) is not UrlKind.ARTICLE:
                continue
            seen.add(target)
            when = self._when(e.published_at)
            entries.append(ListingEntry(url=target, published_at=when, title=e.title))
        nxt = self._resolve(listing.next_page, base, skipped) if listing.next_page else None
        return Listing(entries=entries, next_page=nxt if nxt != base else None, skipped=skipped)

    def _when(self, text: str | None) -> str | None:
        return parse_datetime(text, default_tz=self.timezone).iso if text else None

    def page_links(self, raw: bytes | str, url: str) -> PageLinks:
        """Every link of this publisher on a page, canonical, grouped by URL kind."""
        base = self.canonical_url(url) or url
        out = PageLinks()
        try:
            doc, _ = load_document(raw)
        except PageError:
            return out
        seen: set[str] = set()
        for href in doc.xpath("//a/@href"):
            target = self._resolve(str(href), base, out.skipped)
            if target is None or target in seen:
                continue
            seen.add(target)
            out.setdefault(self.url_kind(target), []).append(target)
        return out

    def parse_feed(self, raw: bytes, url: str) -> Entries:
        """Entries of an RSS 2.0 or Atom feed: canonical URL and published time."""
        entries = Entries()
        root = self._xml(raw)
        if root is None:
            return entries
        seen: set[str] = set()
        for item in root.iter("{*}item", "{*}entry"):
            link = self._child_text(item, "link")
            if not link:
                hrefs = item.xpath("./*[local-name()='link']/@href")
                link = str(hrefs[0]) if hrefs else None
            target = self._resolve(link or "", url, entries.skipped)
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
                    published_at=self._when(when),
                    title=normalize_text(self._child_text(item, "title")) or None,
                )
            )
        return entries

    def parse_sitemap(self, raw: bytes, url: str) -> tuple[Entries, Entries]:
        """Article entries of a sitemap, and the child sitemaps of a sitemap index,
        each with its ``<lastmod>`` (as ``modified_at``) when the file states one.
        Unreadable links of both are in the first list's ``skipped``."""
        entries, children = Entries(), Entries()
        for node in self._xml_stream(raw, ("url", "sitemap")):
            target = self._resolve(self._child_text(node, "loc") or "", url, entries.skipped)
            if target is None:
                continue
            lastmod = self._child_text(node, "lastmod")
            if lastmod and len(lastmod) <= 10:
                # A date alone means "changed that day": the end of it, so a change
                # later that day is never taken for one before a run.
                lastmod += "T23:59:59"
            entry = ListingEntry(url=target, modified_at=self._when(lastmod))
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
    def _xml_stream(raw: bytes | str, names: tuple[str, ...]) -> Iterator[Any]:
        """The elements of an XML document with one of the local ``names``, each once
        complete, read as a stream: one is forgotten once the next is asked for, so a
        sitemap of 50,000 URLs never sits in memory as a tree (that tree was +70 MB)."""
        data = raw.encode("utf-8") if isinstance(raw, str) else raw
        data = data.strip()
        if not data:
            return
        events = lxml.etree.iterparse(
            io.BytesIO(data),
            events=("end",),
            recover=True,
            resolve_entities=False,
            no_network=True,
            huge_tree=False,
        )
        try:
            for _, node in events:
                tag = node.tag if isinstance(node.tag, str) else ""
                if tag.rsplit("}", 1)[-1] not in names:
                    continue
                yield node
                node.clear(keep_tail=True)
                parent = node.getparent()
                if parent is not None and parent.getparent() is None:
                    # Elements of the root already handed out go, with what they held
                    # (inside another element they stay: it is handed out after them).
                    while node.getprevious() is not None:
                        del parent[0]
        except lxml.etree.XMLSyntaxError:
            return

    @staticmethod
    def _child_text(node: Any, name: str) -> str | None:
        for child in node:
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag.rsplit("}", 1)[-1] == name:
                text = "".join(child.itertext()).strip()
                return text or None
        return None


def _note_bad_link(problems: dict[str, str], reason: str) -> None:
    """Count a skipped link in the record's problems (the page itself is kept)."""
    previous = problems.get("links")
    count = int(previous.split(" ", 1)[0]) + 1 if previous else 1
    problems["links"] = f"{count} bad link(s) skipped, last: {reason}"
