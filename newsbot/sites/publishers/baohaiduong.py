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

import re
from collections.abc import Mapping
from typing import ClassVar
from urllib.parse import urlsplit

from newsbot.sites import onecms
from newsbot.sites.base import UrlKind
from newsbot.sites.layout import SelectorLayout, has_class
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


class LegacyLayout(SelectorLayout):
    """The ASP.NET layout of 2019–2023: ``div.fck`` body, date line with seconds,
    ``>>>`` related lines in the body and the byline as its last bold paragraph."""

    name: ClassVar[str] = "legacy"
    in_use = ("2019-01-01", "2023-12-31")

    ARTICLE = f"//h1[{has_class('title-detail')}] | //div[{has_class('fck')}]"
    TITLE = f"//h1[{has_class('title-detail')}]"
    DATE = f"//*[{has_class('date-detail')}]"
    LEAD = f"//*[{has_class('sapo-detail')}]"
    TAGS = f"//div[{has_class('tags-detail')}]//a"
    BREADCRUMB = f"//div[{has_class('breadcrumb')}]//a"
    BODY = f"//div[{has_class('fck')}]"
    RELATED_AFTER_BODY = f"//div[{has_class('related-news')}]//li//a[@href]"
    LISTING_ITEMS = f"//ul[{has_class('list-news')}]/li"
    ITEM_LINK = ".//h4//a[@href] | .//h3//a[@href]"
    ITEM_TIME = f".//*[{has_class('time')}]"
    NEXT_PAGE = f"//div[{has_class('paging')}]//a[{has_class('next')}]/@href"


class CurrentLayout(SelectorLayout):
    """The 2024 redesign: ``article.article``, lazy images, figcaptions, JSON-LD."""

    name: ClassVar[str] = "current"
    in_use = ("2024-01-01", None)

    ARTICLE = f"//h1[{has_class('article__title')}] | //div[{has_class('article__body')}]"
    TITLE = f"//h1[{has_class('article__title')}]"
    DATE = f"//*[{has_class('article__date')}]"
    LEAD = f"//*[{has_class('article__sapo')}]"
    TAGS = f"//*[{has_class('article__tags')}]//a"
    BREADCRUMB = f"//ol[{has_class('breadcrumb')}]//a"
    BODY = f"//div[{has_class('article__body')}]"
    BYLINE = f".//p[{has_class('author')}]"
    RELATED_BEFORE_BODY = f"//*[{has_class('box-related-inline')}]//a[@href]"
    RELATED_AFTER_BODY = (
        f"//section[{has_class('article__related')}]//a[{has_class('story__title')}]"
    )
    LISTING_ITEMS = f"//*[{has_class('category-news')}]//*[{has_class('story')}]"
    ITEM_LINK = f".//a[{has_class('story__title')}][@href]"
    ITEM_TIME = ".//time/@datetime"
    NEXT_PAGE = (
        f"//nav[{has_class('pagination')}]//a[{has_class('pagination__next')} or @rel='next']/@href"
    )


# --- the profile ---------------------------------------------------------------------


#: The publisher's site since the 2025 merger: OneCMS on baohaiphong.vn
#: (``../shared/portal/PORTAL.md``, "The portal today"); its weather page is no section.
ONECMS = onecms.OneCMSUrls("baohaiphong.vn", frozenset({"thoi-tiet-hai-phong"}))


class BaoHaiDuong(PortalSite):
    name: ClassVar[str] = "baohaiduong"
    canonical_host: ClassVar[str] = "baohaiduong.vn"
    #: The desktop host of the old domain, whatever host a crawl starts from.
    legacy_host: ClassVar[str] = "baohaiduong.vn"
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
    #: The legacy sections known from the portal; the home page menu is read too.
    sections: ClassVar[Mapping[str, str]] = {
        "chinh-tri": "Chính trị",
        "goc-nhin": "Góc nhìn",
        "kinh-te": "Kinh tế",
        "xa-hoi": "Xã hội",
        "doi-song": "Đời sống",
        "khoa-hoc---giao-duc": "Khoa học - Giáo dục",
        "phap-luat": "Pháp luật",
        "dat-va-nguoi-xu-dong": "Đất và người xứ Đông",
        "van-hoa---giai-tri": "Văn hóa - Giải trí",
        "the-gioi": "Thế giới",
        "the-thao": "Thể thao",
        "ban-doc": "Bạn đọc",
    }
    #: The legacy CMS's listing ids (``/chuyen-muc/<slug>/<id>``).
    legacy_listing_ids: ClassVar[Mapping[str, int]] = dict(
        zip(sections, (1, 4, 5, 11, 12, 17, 21, 25, 31, 35, 39, 47), strict=True)
    )

    #: Where the publisher's articles live now: one met there but stored under the old
    #: domain is fetched once more, and its record moves (the old URL kept as an alias).
    current_domain: ClassVar[str] = "baohaiphong.vn"
    #: False where the sitemap's ``lastmod`` alone says whether a stored article changed.
    refresh_by_age: ClassVar[bool] = True
    #: True where ``/sitemap.xml`` indexes one file per day (OneCMS).
    daily_sitemaps: ClassVar[bool] = False

    def section_listing_url(self, slug: str) -> str:
        ident = self.legacy_listing_ids.get(slug)
        if ident is not None:
            return f"https://{self.canonical_host}/chuyen-muc/{slug}/{ident}"
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
        if _CURRENT_ARTICLE.match(path):
            return UrlKind.ARTICLE  # (a .html path: no media file, sitemap, feed or listing)
        if _MEDIA_EXTENSIONS.search(path):
            return UrlKind.OTHER
        if _SITEMAP.search(path):
            return UrlKind.SITEMAP
        if _FEED.search(path):
            return UrlKind.FEED
        if path == "/" or _LEGACY_LISTING.match(path):
            return UrlKind.LISTING
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

    def canonical_path(self, host: str, path: str, kind: UrlKind) -> str:
        if ONECMS.owns_host(host):
            return path.rstrip("/") or "/"  # OneCMS paths never end in a slash
        return super().canonical_path(host, path, kind)

    def on_host(self, host: str | None) -> PortalSite:
        """The profile crawling from ``host`` (``NEWSBOT_HOST``): this one for
        baohaiduong.vn, :class:`BaoHaiDuongOnOneCMS` for baohaiphong.vn."""
        if not host or host in (self.legacy_host, self.canonical_host):
            return self
        if ONECMS.owns_host(host):
            return ONECMS_SITE
        raise ValueError(f"NEWSBOT_HOST={host!r} is not a host of {self.name}")


class BaoHaiDuongOnOneCMS(BaoHaiDuong):
    """The same publisher crawled from baohaiphong.vn: OneCMS start points and
    sections. Day files decide what is refetched (their ``lastmod`` is publication
    plus one second until a page changes), so stored articles are not refetched by age.
    """

    canonical_host: ClassVar[str] = "baohaiphong.vn"
    start_urls: ClassVar[tuple[str, ...]] = ("https://baohaiphong.vn/",)
    feeds: ClassVar[tuple[str, ...]] = ("https://baohaiphong.vn/rss/tin-moi-nhat.rss",)
    sitemaps: ClassVar[tuple[str, ...]] = ("https://baohaiphong.vn/sitemap.xml",)
    refresh_by_age: ClassVar[bool] = False
    daily_sitemaps: ClassVar[bool] = True
    sections: ClassVar[Mapping[str, str]] = {
        "chinh-tri": "Chính trị",
        "kinh-te": "Kinh tế",
        "xa-hoi": "Xã hội",
        "goc-nhin": "Góc nhìn",
        "khoa-hoc-giao-duc": "Khoa học - Giáo dục",
        "phap-luat": "Pháp luật",
        "van-hoa-giai-tri": "Văn hóa - Giải trí",
        "quoc-te": "Quốc tế",
        "the-thao": "Thể thao",
        "doi-song": "Đời sống",
        "dat-va-nguoi-xu-dong": "Đất và người xứ Đông",
        "ban-doc": "Bạn đọc",
    }

    def section_listing_url(self, slug: str) -> str:
        return ONECMS.listing_url(slug)

    def on_host(self, host: str | None) -> PortalSite:
        return SITE.on_host(host) if host else self


SITE: PortalSite = BaoHaiDuong()
ONECMS_SITE: PortalSite = BaoHaiDuongOnOneCMS()
