"""Báo Hải Dương (baohaiduong.vn, and baohaiphong.vn since the 2025 merger): hosts,
URL rules and its page layouts.

Everything specific to this publisher lives here: which hosts are its own, what its
article and listing URLs look like, and the selectors of its legacy (2019–2023) and
current (2024) layouts on baohaiduong.vn. Its pages on baohaiphong.vn are OneCMS
pages, read by the shared family in ``newsbot.sites.onecms``. The selectors are hand-written because no library knows
this portal; everything generic (dates, text, structured data, fallback, merging)
comes from ``newsbot.extract``.
"""

from __future__ import annotations

import functools
import re
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import lxml.etree
from lxml.html import HtmlElement

from newsbot.extract.text import element_text, normalize_text
from newsbot.sites import onecms
from newsbot.sites.base import Layout, Listing, ListingEntry, UrlKind
from newsbot.sites.portal import PortalSite

# --- URLs --------------------------------------------------------------------------

_LEGACY_ARTICLE = re.compile(r"^/(?P<section>[a-z0-9-]+)/(?P<slug>[a-z0-9-]+)-(?P<id>\d+)/?$")
_CURRENT_ARTICLE = re.compile(r"^/(?P<slug>[a-z0-9-]+)-(?P<id>\d+)\.html?$")
_LEGACY_LISTING = re.compile(r"^/chuyen-muc/(?P<section>[a-z0-9-]+)/(?P<id>\d+)/?$")
_CURRENT_LISTING = re.compile(r"^/(?P<section>[a-z0-9-]+)/(?:p(?P<page>\d+)/?)?$")
_FEED = re.compile(r"^/rss/[a-z0-9-]+\.rss$|\.rss$")
_SITEMAP = re.compile(r"^/sitemap[a-z0-9_-]*\.xml$")
# First path segments that are never sections (search, tags, files, feeds, ...).
_NOT_SECTIONS = frozenset(
    {
        "chuyen-muc",
        "rss",
        "tag",
        "tags",
        "tim-kiem",
        "files",
        "file",
        "media",
        "content",
        "scripts",
        "upload",
        "uploads",
        "lien-he",
        "api",
        "video-clip",
    }
)
_MEDIA_EXTENSIONS = re.compile(
    r"\.(?:jpe?g|png|gif|webp|svg|pdf|docx?|xlsx?|pptx?|zip|rar|mp3|mp4|avi|mov|wav)$", re.I
)


# --- layouts -------------------------------------------------------------------------


def _has_class(name: str) -> str:
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


@functools.cache
def _compiled(expr: str) -> lxml.etree.XPath:
    return lxml.etree.XPath(expr)


def _select(node: HtmlElement, expr: str) -> Any:
    """XPath with the expression compiled once (selectors are constants per layout)."""
    return _compiled(expr)(node)


def _first(doc: HtmlElement, xpath: str) -> HtmlElement | None:
    found = _select(doc, xpath)
    return found[0] if found else None


def _text_of(doc: HtmlElement, xpath: str) -> str | None:
    el = _first(doc, xpath)
    if el is None:
        return None
    text = element_text(el)
    return text or None


def _links(nodes: list[HtmlElement]) -> list[dict[str, str]]:
    return [
        {"url": a.get("href", "").strip(), "title": element_text(a)}
        for a in nodes
        if a.get("href", "").strip()
    ]


_LAZY_ATTRS = ("data-src", "data-original", "data-lazy-src", "data-srcset", "src")


def _image_src(img: HtmlElement) -> str | None:
    for attr in _LAZY_ATTRS:
        value = (img.get(attr) or "").strip()
        if value and not value.startswith("data:"):
            return value.split()[0] if attr == "data-srcset" else value
    return None


def _is_related_line(text: str) -> bool:
    return text.startswith(">>")


def _is_byline(p: HtmlElement, text: str) -> bool:
    """The legacy byline: a right-aligned paragraph whose text is all bold."""
    style = (p.get("style") or "").replace(" ", "").lower()
    right = "text-align:right" in style or (p.get("align") or "").lower() == "right"
    if not right or not text or len(text) > 80:
        return False
    bold = " ".join(element_text(b) for b in _select(p, "./strong|./b"))
    return normalize_text(bold) == text


class _BodyWalker:
    """Splits an article body into paragraphs, images, media, related links and byline."""

    BLOCKS = frozenset({"p", "h2", "h3", "h4", "h5", "h6", "blockquote", "li", "pre"})
    SKIP = frozenset({"script", "style", "noscript", "iframe", "form", "button", "ins"})
    SKIP_CLASSES = ("ads", "advert", "banner", "related", "box-related", "social", "share")

    def __init__(self) -> None:
        self.paragraphs: list[str] = []
        self.images: list[dict[str, str | None]] = []
        self.media: list[dict[str, str]] = []
        self.related: list[dict[str, str]] = []
        self.author: str | None = None
        self._last_p: HtmlElement | None = None

    def walk(self, container: HtmlElement) -> None:
        for child in container.iterchildren():
            if not isinstance(child.tag, str):
                continue
            self._visit(child)
        self._take_byline()

    def _visit(self, el: HtmlElement) -> None:
        tag = el.tag.lower()
        cls = (el.get("class") or "").lower()
        if tag in self.SKIP or any(s in cls for s in self.SKIP_CLASSES):
            return
        if tag in ("audio", "video"):
            self._media(el, tag)
            return
        if tag == "figure" or (tag == "table" and "image" in cls.split()):
            self._figure(el)
            return
        if tag == "img":
            self._image(el, None)
            return
        if tag in self.BLOCKS:
            self._block(el)
            return
        if tag in ("table", "ul", "ol", "div", "section", "tbody", "tr", "td", "center", "span"):
            # Containers: images and media anywhere inside, text by block.
            has_blocks = _select(el, ".//p|.//li|.//figure|.//img|.//audio|.//video|.//h2|.//h3")
            if has_blocks:
                for child in el.iterchildren():
                    if isinstance(child.tag, str):
                        self._visit(child)
            else:
                self._add_paragraph(element_text(el), None)
            return
        self._add_paragraph(element_text(el), None)

    def _block(self, el: HtmlElement) -> None:
        for img in _select(el, ".//img"):
            self._image(img, None)
        for m in _select(el, ".//audio|.//video"):
            self._media(m, m.tag.lower())
        text = element_text(el)
        if _is_related_line(text):
            self.related.extend(_links(_select(el, ".//a[@href]")))
            return
        self._add_paragraph(text, el)

    def _add_paragraph(self, text: str, el: HtmlElement | None) -> None:
        if text:
            self.paragraphs.append(text)
            self._last_p = el

    def _figure(self, el: HtmlElement) -> None:
        caption_el = _first(
            el, f".//figcaption|.//*[{_has_class('image_desc')}]|.//*[{_has_class('caption')}]"
        )
        caption = element_text(caption_el) if caption_el is not None else None
        imgs = _select(el, ".//img")
        for i, img in enumerate(imgs):
            self._image(img, caption or None if i == 0 else None)

    def _image(self, img: HtmlElement, caption: str | None) -> None:
        src = _image_src(img)
        if src:
            self.images.append({"url": src, "caption": caption})

    def _media(self, el: HtmlElement, kind: str) -> None:
        sources = [el.get("src")] + _select(el, "./source/@src")
        for src in sources:
            if src and src.strip():
                self.media.append({"url": src.strip(), "kind": kind})

    def _take_byline(self) -> None:
        if self._last_p is None or not self.paragraphs:
            return
        text = self.paragraphs[-1]
        if _is_byline(self._last_p, text):
            self.author = text
            self.paragraphs.pop()


class _SelectorLayout(Layout):
    """A layout described by its selectors; the two layouts below only declare them.

    Selectors are XPath (compiled once). Body selectors with ``.`` are relative to
    the body element; listing item selectors are relative to the item.
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

    def is_article(self, doc: HtmlElement) -> bool:
        return bool(_select(doc, self.ARTICLE))

    def extract(self, doc: HtmlElement, url: str) -> dict[str, Any]:
        out: dict[str, Any] = {
            "title": _text_of(doc, self.TITLE),
            "published_at": _text_of(doc, self.DATE),
            "lead": _text_of(doc, self.LEAD),
            "tags": [element_text(a) for a in _select(doc, self.TAGS)],
        }
        crumbs = _select(doc, self.BREADCRUMB)
        if len(crumbs) > 1:  # the first crumb is the home page
            out["section"] = element_text(crumbs[-1])
        related = _links(_select(doc, self.RELATED_BEFORE_BODY)) if self.RELATED_BEFORE_BODY else []
        body = _first(doc, self.BODY)
        if body is not None:
            byline = _first(body, self.BYLINE) if self.BYLINE else None
            if byline is not None:
                byline.getparent().remove(byline)  # a byline is not body text
            walker = _BodyWalker()
            walker.walk(body)
            author = element_text(byline) if byline is not None else walker.author
            out.update(
                body=walker.paragraphs,
                images=walker.images,
                media=walker.media,
                author=author or None,
            )
            related += walker.related
        out["related"] = related + _links(_select(doc, self.RELATED_AFTER_BODY))
        return out

    def listing(self, doc: HtmlElement, url: str) -> Listing | None:
        items = _select(doc, self.LISTING_ITEMS)
        if not items:
            return None
        entries = []
        for item in items:
            link = _first(item, self.ITEM_LINK)
            if link is None:
                continue
            when = _select(item, self.ITEM_TIME)
            if when:
                when = str(when[0]) if isinstance(when[0], str) else element_text(when[0])
            entries.append(
                ListingEntry(
                    url=link.get("href").strip(),
                    title=element_text(link),
                    published_at=when or None,
                )
            )
        nxt = _select(doc, self.NEXT_PAGE)
        return Listing(entries=entries, next_page=str(nxt[0]).strip() if nxt else None)


class LegacyLayout(_SelectorLayout):
    """The ASP.NET layout of 2019–2023: ``div.fck`` body, date line with seconds,
    ``>>>`` related lines in the body and the byline as its last bold paragraph."""

    name: ClassVar[str] = "legacy"
    in_use = ("2019-01-01", "2023-12-31")

    ARTICLE = f"//h1[{_has_class('title-detail')}] | //div[{_has_class('fck')}]"
    TITLE = f"//h1[{_has_class('title-detail')}]"
    DATE = f"//*[{_has_class('date-detail')}]"
    LEAD = f"//*[{_has_class('sapo-detail')}]"
    TAGS = f"//div[{_has_class('tags-detail')}]//a"
    BREADCRUMB = f"//div[{_has_class('breadcrumb')}]//a"
    BODY = f"//div[{_has_class('fck')}]"
    RELATED_AFTER_BODY = f"//div[{_has_class('related-news')}]//li//a[@href]"
    LISTING_ITEMS = f"//ul[{_has_class('list-news')}]/li"
    ITEM_LINK = ".//h4//a[@href] | .//h3//a[@href]"
    ITEM_TIME = f".//*[{_has_class('time')}]"
    NEXT_PAGE = f"//div[{_has_class('paging')}]//a[{_has_class('next')}]/@href"


class CurrentLayout(_SelectorLayout):
    """The 2024 redesign: ``article.article``, lazy images, figcaptions, JSON-LD."""

    name: ClassVar[str] = "current"
    in_use = ("2024-01-01", None)

    ARTICLE = f"//h1[{_has_class('article__title')}] | //div[{_has_class('article__body')}]"
    TITLE = f"//h1[{_has_class('article__title')}]"
    DATE = f"//*[{_has_class('article__date')}]"
    LEAD = f"//*[{_has_class('article__sapo')}]"
    TAGS = f"//*[{_has_class('article__tags')}]//a"
    BREADCRUMB = f"//ol[{_has_class('breadcrumb')}]//a"
    BODY = f"//div[{_has_class('article__body')}]"
    BYLINE = f".//p[{_has_class('author')}]"
    RELATED_BEFORE_BODY = f"//*[{_has_class('box-related-inline')}]//a[@href]"
    RELATED_AFTER_BODY = (
        f"//section[{_has_class('article__related')}]//a[{_has_class('story__title')}]"
    )
    LISTING_ITEMS = f"//*[{_has_class('category-news')}]//*[{_has_class('story')}]"
    ITEM_LINK = f".//a[{_has_class('story__title')}][@href]"
    ITEM_TIME = ".//time/@datetime"
    NEXT_PAGE = (
        f"//nav[{_has_class('pagination')}]"
        f"//a[{_has_class('pagination__next')} or @rel='next']/@href"
    )


# --- the profile ---------------------------------------------------------------------


#: The publisher's site since the 2025 merger: OneCMS on baohaiphong.vn (PORTAL.md,
#: "The portal today"); its weather page is no section.
ONECMS = onecms.OneCMSUrls("baohaiphong.vn", frozenset({"thoi-tiet-hai-phong"}))


class BaoHaiDuong(PortalSite):
    name: ClassVar[str] = "baohaiduong"
    canonical_host: ClassVar[str] = "baohaiduong.vn"
    #: Both domains are the publisher's: redirects between them stay on the site, and
    #: an article met on either is one record (by id), its ``url`` on the domain
    #: that serves it.
    hosts: ClassVar[frozenset[str]] = (
        frozenset(
            {"baohaiduong.vn", "www.baohaiduong.vn", "m.baohaiduong.vn", "tab.baohaiduong.vn"}
        )
        | ONECMS.hosts
    )
    layouts = (*onecms.LAYOUTS, CurrentLayout, LegacyLayout)
    # Ids grow with time across both layouts (151453 in January 2021, 394829 in October
    # 2024); current listings carry no dates, so `since` judges their entries by id.
    ids_increase_with_time = True
    title_suffixes = (
        " - Báo Hải Dương",
        " | Báo Hải Dương điện tử",
        " | Báo Hải Dương",
        " - Báo Hải Phòng",
    )
    start_urls: ClassVar[tuple[str, ...]] = ("https://baohaiduong.vn/",)
    feeds: ClassVar[tuple[str, ...]] = ("https://baohaiduong.vn/rss/home.rss",)
    sitemaps: ClassVar[tuple[str, ...]] = ("https://baohaiduong.vn/sitemap.xml",)
    #: Legacy section listings known from the portal (slug, id, name); the home page
    #: menu is read too, so this list is a floor, not a ceiling.
    sections: ClassVar[tuple[tuple[str, int, str], ...]] = (
        ("chinh-tri", 1, "Chính trị"),
        ("goc-nhin", 4, "Góc nhìn"),
        ("kinh-te", 5, "Kinh tế"),
        ("xa-hoi", 11, "Xã hội"),
        ("doi-song", 12, "Đời sống"),
        ("khoa-hoc---giao-duc", 17, "Khoa học - Giáo dục"),
        ("phap-luat", 21, "Pháp luật"),
        ("dat-va-nguoi-xu-dong", 25, "Đất và người xứ Đông"),
        ("van-hoa---giai-tri", 31, "Văn hóa - Giải trí"),
        ("the-gioi", 35, "Thế giới"),
        ("the-thao", 39, "Thể thao"),
        ("ban-doc", 47, "Bạn đọc"),
    )

    def section_listing_url(self, slug: str) -> str:
        for s, ident, _ in self.sections:
            if s == slug:
                return f"https://{self.canonical_host}/chuyen-muc/{s}/{ident}"
        return f"https://{self.canonical_host}/{slug}/"

    #: The legacy CMS writes body images as ``files\\library\\images\\...`` with no
    #: leading slash: paths under the media host's root, not the article's folder.
    legacy_media_root: ClassVar[str] = "https://media.baohaiduong.vn/"

    def resolve_asset(self, src: str, page_url: str) -> str:
        src = src.strip().replace("\\", "/")
        if src.startswith("files/"):
            return self.legacy_media_root + src
        return super().resolve_asset(src, page_url)

    def listing_section(self, url: str) -> str | None:
        """The section slug a listing URL belongs to (either URL style)."""
        parts = urlsplit(url)
        path = parts.path or "/"
        if ONECMS.owns_host(parts.hostname or ""):
            return ONECMS.section(path)
        m = _LEGACY_LISTING.match(path)
        if m:
            return m["section"]
        m = _CURRENT_LISTING.match(path)
        if m and m["section"] not in _NOT_SECTIONS:
            return m["section"]
        return None

    def url_kind(self, url: str) -> UrlKind:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if host and host not in self.hosts:
            return UrlKind.OTHER
        path = parts.path or "/"
        if ONECMS.owns_host(host):
            return ONECMS.url_kind(path)
        if _MEDIA_EXTENSIONS.search(path):
            return UrlKind.OTHER
        if _SITEMAP.search(path):
            return UrlKind.SITEMAP
        if _FEED.search(path):
            return UrlKind.FEED
        if path == "/" or _LEGACY_LISTING.match(path):
            return UrlKind.LISTING
        if _CURRENT_ARTICLE.match(path):
            return UrlKind.ARTICLE
        m = _LEGACY_ARTICLE.match(path)
        if m and m["section"] not in _NOT_SECTIONS:
            return UrlKind.ARTICLE
        m = _CURRENT_LISTING.match(path)
        if m and m["section"] not in _NOT_SECTIONS:
            return UrlKind.LISTING
        return UrlKind.OTHER

    def source_id(self, url: str) -> str | None:
        path = urlsplit(url).path
        m = _CURRENT_ARTICLE.match(path) or _LEGACY_ARTICLE.match(path)
        return m["id"] if m else None

    def canonical_url(self, url: str, base: str | None = None) -> str | None:
        url = (url or "").strip().replace("\\", "/")
        if not url or url.startswith(("javascript:", "mailto:", "tel:", "data:", "#")):
            return None
        if base:
            url = urljoin(base.replace("\\", "/"), url)
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if parts.scheme not in ("http", "https") or host not in self.hosts:
            return None
        if ONECMS.owns_host(host):
            return ONECMS.canonical(parts)
        path = re.sub(r"/{2,}", "/", parts.path or "/")
        kind = self.url_kind(urlunsplit(("https", self.canonical_host, path, "", "")))
        if kind is UrlKind.ARTICLE:
            query = ""
            path = path.rstrip("/") if path != "/" else path
        else:
            # Listings keep their page number; tracking parameters never matter.
            kept = [
                (k, v)
                for k, v in parse_qsl(parts.query, keep_blank_values=False)
                if not k.lower().startswith(("utm_", "fbclid", "gclid", "zarsrc"))
            ]
            query = urlencode(kept)
        return urlunsplit(("https", self.canonical_host, path, query, ""))


SITE: PortalSite = BaoHaiDuong()
