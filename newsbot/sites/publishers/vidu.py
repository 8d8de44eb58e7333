"""Báo Ví Dụ (vidu.example): a made-up paper, the profile API's worked example.

No such site exists (``.example`` is reserved); the replica serves it as a second
portal (``python -m replica serve-vidu``). It declares what a publisher
declares: hosts (with a successor domain), tracking parameters, sections, start
points, and a layout of selectors with the dates it was in use.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import ClassVar
from urllib.parse import urlsplit

from newsbot.sites.base import UrlKind
from newsbot.sites.layout import SelectorLayout, has_class
from newsbot.sites.portal import PortalSite

_ARTICLE = re.compile(r"^/bai-viet/(?P<id>\d+)/[a-z0-9-]+$")
_SECTION = re.compile(r"^/muc/(?P<section>[a-z0-9-]+)$")


class StoryLayout(SelectorLayout):
    """The only design so far: ``article.story`` with ``div.story-body``."""

    name: ClassVar[str] = "story"
    in_use = ("2025-06-01", None)

    ARTICLE = f"//article[{has_class('story')}]"
    TITLE = f"//h1[{has_class('story-title')}]"
    DATE = f"//time[{has_class('story-time')}]"
    LEAD = f"//p[{has_class('story-lead')}]"
    TAGS = f"//div[{has_class('story-tags')}]//a"
    BREADCRUMB = f"//ul[{has_class('crumbs')}]//a"
    BODY = f"//div[{has_class('story-body')}]"
    BYLINE = f".//p[{has_class('story-author')}]"
    RELATED_AFTER_BODY = f"//aside[{has_class('story-related')}]//a[@href]"
    LISTING_ITEMS = f"//ul[{has_class('stories')}]/li"
    ITEM_LINK = f".//a[{has_class('story-link')}]"
    ITEM_TIME = ".//time/@datetime"
    NEXT_PAGE = f"//a[{has_class('next')}]/@href"


class BaoViDu(PortalSite):
    name: ClassVar[str] = "vidu"
    canonical_host: ClassVar[str] = "vidu.example"
    #: Its mirrors, and the successor domain it is moving to.
    hosts = frozenset({"vidu.example", "www.vidu.example", "m.vidu.example", "baovidu.example"})
    tracking_params = ("utm_*", "fbclid", "ref")
    title_suffixes = (" | Báo Ví Dụ",)
    layouts = (StoryLayout,)
    ids_increase_with_time = True
    sections: ClassVar[Mapping[str, str]] = {"thoi-su": "Thời sự", "kinh-te": "Kinh tế"}
    section_path = "/muc/{slug}"
    start_urls = ("https://vidu.example/",)
    feeds = ("https://vidu.example/feed.xml",)
    sitemaps = ("https://vidu.example/sitemap.xml",)

    def url_kind(self, url: str) -> UrlKind:
        path = urlsplit(url).path or "/"
        if _ARTICLE.match(path):
            return UrlKind.ARTICLE
        if path == "/" or _SECTION.match(path):
            return UrlKind.LISTING
        return {"/feed.xml": UrlKind.FEED, "/sitemap.xml": UrlKind.SITEMAP}.get(path, UrlKind.OTHER)

    def source_id(self, url: str) -> str | None:
        m = _ARTICLE.match(urlsplit(url).path)
        return m["id"] if m else None

    def listing_section(self, url: str) -> str | None:
        m = _SECTION.match(urlsplit(url).path)
        return m["section"] if m else None


SITE: PortalSite = BaoViDu()
