"""Báo Nghệ An (baonghean.vn): a provincial paper on OneCMS, the family's second user.

Public scrapers show its articles at ``/<slug>-<id>.html`` with the body in
``div.b-maincontent``; nothing more of its markup is confirmed. Its class names here
are the OneCMS family's (``newsbot.sites.onecms``) and are **unconfirmed** for this
site: where its header classes differ, the family's layout still reads the confirmed
body container and structured data (JSON-LD, Open Graph) gives the header; with no
known container either, the generic fallback reads the page. Provenance says which.
The sections below are the paper's menu as public pages show it; start points follow
the platform's (home, ``/rss/tin-moi-nhat.rss``, ``/sitemap.xml``). No selector is
overridden.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from newsbot.sites.onecms import OneCMSSite
from newsbot.sites.portal import PortalSite


class BaoNgheAn(OneCMSSite):
    name: ClassVar[str] = "baonghean"
    domain: ClassVar[str] = "baonghean.vn"
    canonical_host: ClassVar[str] = "baonghean.vn"
    hosts: ClassVar[frozenset[str]] = frozenset(
        {"baonghean.vn", "www.baonghean.vn", "m.baonghean.vn", "tab.baonghean.vn"}
    )
    title_suffixes = (" - Báo Nghệ An", " | Báo Nghệ An")
    start_urls: ClassVar[tuple[str, ...]] = ("https://baonghean.vn/",)
    feeds: ClassVar[tuple[str, ...]] = ("https://baonghean.vn/rss/tin-moi-nhat.rss",)
    sitemaps: ClassVar[tuple[str, ...]] = ("https://baonghean.vn/sitemap.xml",)
    sections: ClassVar[Mapping[str, str]] = {
        "thoi-su": "Thời sự",
        "chinh-tri": "Chính trị",
        "kinh-te": "Kinh tế",
        "xa-hoi": "Xã hội",
        "phap-luat": "Pháp luật",
        "giao-duc": "Giáo dục",
        "van-hoa": "Văn hóa",
        "the-thao": "Thể thao",
        "quoc-te": "Quốc tế",
    }


SITE: PortalSite = BaoNgheAn()
