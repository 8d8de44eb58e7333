"""The OneCMS layout family: what every paper on the OneCMS platform shares.

OneCMS (images on ``<code>.1cdn.vn``) runs many Vietnamese papers: baohaiphong.vn
(Báo Hải Dương after the 2025 merger), baonghean.vn, hanoimoi.vn, ... Their pages
share class names, URL shapes, sitemaps and a firewall; ``../shared/portal/PORTAL.md``
("The portal today") lists what public scrapers show and how sure we are. This module
owns:

- :class:`OneCMSLayout` (the normal article template, ``c-detail-head__*``) and
  :class:`OneCMSLongformLayout` (``sc-longform-header-*``), with the body in
  ``div.b-maincontent`` / ``.entry``, related-story boxes read and ad boxes dropped,
  figures captioned by ``figcaption`` or ``.lg-caption h2``, and the load-more
  listings (``ul.onecms__loading > li[pid]``);
- :class:`OneCMSUrls`, the platform's URL rules for one domain (articles
  ``/<slug>-<id>.html``, sections ``/<slug>[/<sub>]``, tag pages ``-ptag.html``,
  daily sitemaps ``sitemap-article-YYYY-MM-DD.xml``);
- :class:`OneCMSSite`, a profile base for a paper that lives on OneCMS only: a
  sibling paper's module declares hosts, sections and start points and at most a
  few selector overrides.

Selectors are hand-written because no library knows OneCMS; everything generic
(dates, text, structured data, fallback, merging) comes from ``newsbot.extract``.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from lxml import etree
from lxml.html import HtmlElement

from newsbot.extract.dates import parse_datetime
from newsbot.extract.text import element_text
from newsbot.extract.xpath import ClassCache, class_of
from newsbot.sites.base import Layout, Listing, ListingEntry, UrlKind
from newsbot.sites.layout import BodyWalker, first, has_class, has_word, links, select, text_of
from newsbot.sites.portal import PortalSite

__all__ = [
    "day_file_wanted",
    "sitemap_needed",
    "OneCMSLayout",
    "OneCMSLongformLayout",
    "OneCMSSite",
    "OneCMSUrls",
    "day_of_sitemap",
]


class OneCMSBodyWalker(BodyWalker):
    """The shared body walker, reading OneCMS captions (the lightgallery ``.lg-caption``,
    whose ``h2`` holds the text, too)."""

    CAPTION_CLASSES: ClassVar[frozenset[str]] = frozenset({"lg-caption", "image_desc", "caption"})


# --- URLs --------------------------------------------------------------------------

_ARTICLE = re.compile(r"^/(?P<slug>[a-z0-9-]+)-(?P<id>\d+)\.html?$")
_TAG_PAGE = re.compile(r"^/[a-z0-9-]+-ptag\.html?$")
_SECTION = re.compile(r"^/(?P<section>[a-z0-9-]+)(?:/(?P<sub>[a-z0-9-]+))?/?$")
_FEED = re.compile(r"^/rss(?:/[a-z0-9-]+)?\.rss$|\.rss$")
_SITEMAP = re.compile(r"^/sitemap[a-z0-9_-]*\.xml$")
_DAY_SITEMAP = re.compile(r"/sitemap-article-(\d{4}-\d{2}-\d{2})\.xml$")
_MEDIA = re.compile(
    r"\.(?:jpe?g|png|gif|webp|svg|pdf|docx?|xlsx?|pptx?|zip|rar|mp3|mp4|avi|mov|wav)$", re.I
)
_TRACKING = ("utm_", "fbclid", "gclid", "zarsrc")

#: First path segments of OneCMS sites that are not article sections: media hubs
#: without article text, services and pages of the site itself.
NOT_SECTIONS: frozenset[str] = frozenset(
    {
        "video",
        "emagazine",
        "podcast",
        "infographic",
        "an-pham",
        "thong-tin-quang-cao",
        "tac-gia",
        "tim-kiem",
        "rss",
        "lien-he",
        "api",
        "tag",
        "tags",
        "assets",
        "thumbs",
        "ajax",
    }
)


def day_of_sitemap(url: str) -> date | None:
    """The day a OneCMS daily sitemap file covers (``sitemap-article-2026-05-14.xml``)."""
    m = _DAY_SITEMAP.search(urlsplit(url).path)
    if not m:
        return None
    try:
        return date.fromisoformat(m[1])
    except ValueError:
        return None


#: Sitemaps of the index that a crawl does not need: the category list (sections come
#: from the menu) and the "daily" file (the same entries as today's day file).
_SITEMAPS_NOT_NEEDED = re.compile(r"/sitemap-(?:category|article-daily)\.xml$")


def sitemap_needed(url: str) -> bool:
    """False for the index's files that hold no article a day file lacks."""
    return not _SITEMAPS_NOT_NEEDED.search(urlsplit(url).path)


def day_file_wanted(
    day: date,
    *,
    today: date,
    last_complete: date | None,
    since: date | None = None,
    until: date | None = None,
    refresh_all: bool = False,
    live_days: int = 2,
) -> bool:
    """Should a run read the day file of ``day``?

    A day file changes only while its day is recent (today's and yesterday's with
    ``live_days`` 2); once a run that saw everything has read it past that, it is
    final. ``since``/``until`` read exactly the files of their days; ``refresh_all``
    and a store without such a run read every file. ``last_complete`` is the local
    day the last complete, unrestricted run started: days still live then are read
    again, so a skipped hour or day of runs leaves no gap.
    """
    if since is not None or until is not None:
        return (since is None or day >= since) and (until is None or day <= until)
    if refresh_all or last_complete is None:
        return True
    return day > min(today, last_complete) - timedelta(days=live_days)


class OneCMSUrls:
    """The URL rules of one OneCMS domain (its desktop host and mirrors).

    ``extra_not_sections`` adds a paper's own non-section paths (e.g. its weather page).
    """

    def __init__(self, domain: str, extra_not_sections: frozenset[str] = frozenset()) -> None:
        self.domain = domain
        self.hosts = frozenset({domain, f"www.{domain}", f"m.{domain}", f"tab.{domain}"})
        self.not_sections = NOT_SECTIONS | extra_not_sections

    def owns_host(self, host: str) -> bool:
        return host.lower() in self.hosts

    def url_kind(self, path: str) -> UrlKind:
        path = path or "/"
        if _ARTICLE.match(path):
            # First, as most links are articles: an article path (``.html``, a numeric
            # id last) is never a media file, sitemap, feed, tag page or the root.
            return UrlKind.ARTICLE
        if _MEDIA.search(path):
            return UrlKind.OTHER
        if _SITEMAP.search(path):
            return UrlKind.SITEMAP
        if _FEED.search(path):
            return UrlKind.FEED
        if path == "/":
            return UrlKind.LISTING
        if _TAG_PAGE.match(path):
            return UrlKind.OTHER  # a tag page lists stories but is neither article nor section
        m = _SECTION.match(path)
        if m and m["section"] not in self.not_sections:
            return UrlKind.LISTING
        return UrlKind.OTHER

    def source_id(self, path: str) -> str | None:
        m = _ARTICLE.match(path)
        return m["id"] if m and not _TAG_PAGE.match(path) else None

    def section(self, path: str) -> str | None:
        """The section slug of a listing path (``/phap-luat/tin-tuc`` → ``phap-luat/tin-tuc``)."""
        m = _SECTION.match(path or "/")
        if not m or m["section"] in self.not_sections:
            return None
        return f"{m['section']}/{m['sub']}" if m["sub"] else m["section"]

    def canonical(self, parts: Any) -> str:
        """Canonical URL of a split URL on one of this domain's hosts."""
        path = re.sub(r"/{2,}", "/", parts.path or "/")
        kind = self.url_kind(path)
        if path != "/":
            path = path.rstrip("/")
        query = ""
        if kind is not UrlKind.ARTICLE:
            kept = [
                (k, v)
                for k, v in parse_qsl(parts.query, keep_blank_values=False)
                if not k.lower().startswith(_TRACKING)
            ]
            query = urlencode(kept)
        return urlunsplit(("https", self.domain, path, query, ""))

    def listing_url(self, slug: str) -> str:
        return f"https://{self.domain}/{slug.strip('/')}"


# --- layouts -------------------------------------------------------------------------

#: Titles of the ``div.c-box`` boxes inside an article that list related stories.
RELATED_BOX_TITLES: tuple[str, ...] = ("Bài liên quan", "Bài đọc tiếp", "Tin liên quan")


#: A box (``div.c-box``) and its title (``.c-box__title__name``).
BOX_CLASS = "c-box"
BOX_TITLE_CLASS = "c-box__title__name"
#: XPath's white space (normalize-space), for the box titles and link texts.
_XML_SPACE = " \t\r\n"
_XML_SPACE_RE = re.compile(r"[ \t\r\n]+")


def _normalize_space(text: str) -> str:
    """XPath's ``normalize-space()`` of a string value: XML white space collapsed."""
    if "  " not in text and "\t" not in text and "\n" not in text and "\r" not in text:
        return text.strip(" ")  # (single spaces only: nothing to collapse, no regex)
    return _XML_SPACE_RE.sub(" ", text).strip(_XML_SPACE)


def _string_value(el: HtmlElement) -> str:
    """XPath's string value of an element: its text and its descendants' (``itertext``,
    which costs an iterator and a join; a childless element's text is all there is)."""
    if len(el) == 0:
        return el.text or ""
    return "".join(el.itertext())


class OneCMSLayout(Layout):
    """The normal OneCMS article template: ``c-detail-head`` over ``div.b-maincontent``.

    Boxes inside the content (``div.c-box``) are never body: those titled like
    :data:`RELATED_BOX_TITLES` give the related links, the others (ads) are dropped.
    Listings are the load-more lists (``ul.onecms__loading > li[pid]``) plus the
    featured story above them; the sidebar's boxes use the same classes and are not read.
    """

    name: ClassVar[str] = "onecms"
    in_use = ("2024-01-01", None)
    #: Every text is read with ``element_text`` (the walker's paragraphs too).
    text_normalized: ClassVar[bool] = True

    ARTICLE = f"//h1[{has_class('c-detail-head__title')}]"
    TITLE = f"//h1[{has_class('c-detail-head__title')}]"
    DATE = f"//span[{has_class('c-detail-head__time')}]"
    AUTHOR = (
        f"//span[{has_class('c-detail-head__author')}] | "
        f"//div[{has_class('c-author-page')}]//*[{has_class('c-author-page__name')}]"
    )
    LEAD = f"//h2[{has_class('desc')}] | //p[{has_class('desc')}]"
    TAGS = f"//div[{has_class('c-widget-tags')}][not(ancestor::aside)]//li//a"
    BREADCRUMB = f"//ol//li[{has_class('breadcrumb-item')}]//a"
    #: ``//div[b-maincontent]//*[self::article or self::div][entry]``, written to test the
    #: classes of articles and divs only (the same elements; a third of the work).
    BODY = f"(//article | //div)[{has_class('entry')}][ancestor::div[{has_class('b-maincontent')}]]"
    #: Inside the body and not body text, as (tag or ``*``, class): boxes, the longform
    #: header, spacer layers, author credits. Read by one walk of the body (the XPath
    #: union of four ``.//*[class]`` scans tested every element four times).
    NOT_BODY: ClassVar[tuple[tuple[str, str], ...]] = (
        ("div", BOX_CLASS),
        ("*", "sc-longform-header"),
        ("*", "sc-empty-layer"),
        ("*", "c-author-page"),
    )
    RELATED_TITLES: ClassVar[tuple[str, ...]] = RELATED_BOX_TITLES
    LISTING_ITEMS = (
        f"//ul[{has_class('onecms__loading')}]/li[@pid] | "
        f"//*[{has_class('b-grid--featured')}][not(ancestor::aside)]"
    )
    ITEM_LINK = f".//*[{has_class('b-grid__title')}]//a[@href]"
    ITEM_TIME = ".//time"
    NEXT_PAGE = f"//div[{has_class('c-paging')}]//a[{has_class('next')} or @rel='next']/@href"

    #: Is the body container (``div.b-maincontent`` holding ``.entry``) enough to call
    #: a page an article of this template? Public scrapers confirm that container on
    #: sibling papers whose header classes are unconfirmed: with it, the layout still
    #: reads body, figures, boxes and credits where the headline class differs, and
    #: structured data gives the header. (The longform template says no: its header
    #: is what tells it from the normal one.)
    BODY_MEANS_ARTICLE: ClassVar[bool] = True

    def is_article(self, doc: HtmlElement) -> bool:
        # The headline first: one walk of the h1s, and every page of the template has it.
        if select(doc, self.ARTICLE):
            return True
        return self.BODY_MEANS_ARTICLE and first(doc, self.BODY) is not None

    def listing(self, doc: HtmlElement, url: str) -> Listing | None:
        items = select(doc, self.LISTING_ITEMS)
        if not items:
            return None
        entries = []
        for item in items:
            link = first(item, self.ITEM_LINK)
            if link is None:
                continue
            entries.append(
                ListingEntry(
                    url=link.get("href").strip(),
                    title=element_text(link),
                    published_at=text_of(item, self.ITEM_TIME),
                )
            )
        nxt = select(doc, self.NEXT_PAGE)
        return Listing(entries=entries, next_page=str(nxt[0]).strip() if nxt else None)

    def extract(self, doc: HtmlElement, url: str) -> dict[str, Any]:
        classes: ClassCache = {}  # each element's class read once for all of the below
        # The header first: the longform header sits inside the body container.
        out: dict[str, Any] = {
            "title": text_of(doc, self.TITLE, classes),
            "published_at": text_of(doc, self.DATE, classes),
            "lead": text_of(doc, self.LEAD, classes),
            "author": text_of(doc, self.AUTHOR, classes),
            "tags": [element_text(a) for a in select(doc, self.TAGS, classes)],
        }
        out["published_at"] = self._precise(doc, out["published_at"])
        crumbs = select(doc, self.BREADCRUMB, classes)
        if len(crumbs) > 1:  # the first crumb is the home page
            out["section"] = element_text(crumbs[-1])
        related = links(self._box_links(doc, classes))
        body = first(doc, self.BODY, classes)
        if body is not None:
            for el in self._not_body(body, classes):
                parent = el.getparent()
                if parent is not None:
                    parent.remove(el)
            walker = OneCMSBodyWalker(classes)
            walker.walk(body)
            out.update(body=walker.paragraphs, images=walker.images, media=walker.media)
            out["author"] = out["author"] or walker.author
            related = walker.related + related
        out["related"] = related
        return out

    def _box_links(self, doc: HtmlElement, classes: ClassCache | None = None) -> list[HtmlElement]:
        """``//div[c-box][.//*[c-box__title__name][normalize-space(.)=title]]
        //a[@href][normalize-space()]`` for the related titles, in page order: the links
        of related-story boxes, with visible text only (a box's thumbnail link repeats
        its headline's URL without a title). One pass over the page's divs."""
        titles = set(self.RELATED_TITLES)
        found: list[HtmlElement] = []
        seen: set[HtmlElement] = set()
        for div in doc.getroottree().iter("div"):
            words = class_of(div, classes)
            if words is None or BOX_CLASS not in words or not has_word(words, BOX_CLASS):
                continue
            for el in div.iterdescendants(etree.Element):
                words = class_of(el, classes)
                if (
                    words is not None
                    and BOX_TITLE_CLASS in words
                    and has_word(words, BOX_TITLE_CLASS)
                    and _normalize_space(_string_value(el)) in titles
                ):
                    break
            else:
                continue  # no related-stories title: an ad or a box of other stories
            for a in div.iterdescendants("a"):
                if a in seen:
                    continue  # a box inside a box: its links are the outer box's
                seen.add(a)
                if a.get("href") is not None and _string_value(a).strip(_XML_SPACE):
                    found.append(a)
        return found

    def _not_body(self, body: HtmlElement, cache: ClassCache | None = None) -> list[HtmlElement]:
        """The elements of :attr:`NOT_BODY` inside ``body``, in page order: one read of
        each element's class, the words compared only where one of them is in it."""
        found = []
        for el in body.iterdescendants(etree.Element):
            classes = class_of(el, cache)
            if classes is None:
                continue
            for tag, word in self.NOT_BODY:
                if word in classes and (tag == "*" or tag == el.tag) and has_word(classes, word):
                    found.append(el)
                    break
        return found

    #: The head's ``<meta property=...>`` stating the publication time to the second.
    PUBLISHED_META = "article:published_time"

    def _published_meta(self, doc: HtmlElement) -> list[str]:
        """``/html/head/meta[@property=PUBLISHED_META]/@content`` (a walk of the head's
        children: an XPath attribute comparison per meta costs more)."""
        root = doc.getroottree().getroot()
        if root is None or root.tag != "html":
            return []
        return [
            content
            for head in root.iterchildren("head")
            for meta in head.iterchildren("meta")
            if meta.get("property") == self.PUBLISHED_META
            and (content := meta.get("content")) is not None
        ]

    def _precise(self, doc: HtmlElement, printed: str | None) -> str | None:
        """The printed time shows minutes only; the page's ``article:published_time``
        states the same moment to the second when it agrees on the minute (articles
        migrated from the old paper were published with seconds)."""
        stated = self._published_meta(doc)
        if not printed or not stated:
            return printed
        shown, exact = parse_datetime(printed).value, parse_datetime(str(stated[0])).value
        if shown is None or exact is None:
            return printed
        if exact.replace(second=0, microsecond=0) == shown.replace(second=0, microsecond=0):
            return str(stated[0])
        return printed


class OneCMSLongformLayout(OneCMSLayout):
    """The OneCMS longform template: the ``sc-longform-header`` block (title, sapo,
    author, date) sits inside the content container and is not body text."""

    name: ClassVar[str] = "onecms-longform"
    BODY_MEANS_ARTICLE: ClassVar[bool] = False

    ARTICLE = f"//h1[{has_class('sc-longform-header-title')}]"
    TITLE = f"//h1[{has_class('sc-longform-header-title')}]"
    DATE = f"//span[{has_class('sc-longform-header-date')}]"
    AUTHOR = (
        f"//span[{has_class('sc-longform-header-author')}] | "
        f"//div[{has_class('c-author-page')}]//*[{has_class('c-author-page__name')}]"
    )
    LEAD = f"//p[{has_class('sc-longform-header-sapo')}]"


#: The family's layouts, the longform template first (its pages may carry the normal
#: template's classes for the slim header, never the other way round).
LAYOUTS: tuple[type[Layout], ...] = (OneCMSLongformLayout, OneCMSLayout)


# --- a paper on OneCMS ---------------------------------------------------------------


class OneCMSSite(PortalSite):
    """A publisher that lives on OneCMS only: one domain, the family's layouts.

    A paper's module sets ``name``, ``domain``, ``sections`` (slug → name), and
    optionally ``extra_not_sections``, ``title_suffixes`` and ``layouts`` (subclasses
    of the family's layouts overriding a selector or two).
    """

    domain: ClassVar[str] = ""
    extra_not_sections: ClassVar[frozenset[str]] = frozenset()
    layouts = LAYOUTS
    ids_increase_with_time = True
    #: The platform's day files say when a page changed: no refetch by age.
    refresh_by_age: ClassVar[bool] = False
    daily_sitemaps: ClassVar[bool] = True

    def __init__(self) -> None:
        super().__init__()
        self.urls = OneCMSUrls(self.domain, self.extra_not_sections)

    def _split(self, url: str) -> Any:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        return parts if parts.scheme in ("http", "https") and self.urls.owns_host(host) else None

    def url_kind(self, url: str) -> UrlKind:
        parts = urlsplit(url)
        if parts.hostname and not self.urls.owns_host(parts.hostname):
            return UrlKind.OTHER
        return self.urls.url_kind(parts.path)

    def source_id(self, url: str) -> str | None:
        return self.urls.source_id(urlsplit(url).path)

    def listing_section(self, url: str) -> str | None:
        return self.urls.section(urlsplit(url).path)

    def section_listing_url(self, slug: str) -> str:
        return self.urls.listing_url(slug)

    def canonical_path(self, host: str, path: str, kind: UrlKind) -> str:
        # The generic canonical_url (w3lib; never raises on "http://[") with the
        # platform's path rule: no trailing slash anywhere but the root.
        return path.rstrip("/") or "/"
