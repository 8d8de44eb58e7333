"""What every publisher profile provides: hosts, URL rules and versioned layouts.

A site module (one per publisher, e.g. ``baohaiduong.py``) subclasses :class:`Site`
and lists its :class:`Layout` classes. Nothing here imports Scrapy or touches the
network: layouts are pure functions of a parsed page and its URL.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, ClassVar

from lxml.html import HtmlElement

from newsbot.record import RECORD_FIELDS


class UrlKind(enum.StrEnum):
    ARTICLE = "article"
    LISTING = "listing"
    FEED = "feed"
    SITEMAP = "sitemap"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class ListingEntry:
    """One article link found on a listing page, feed or sitemap."""

    url: str
    published_at: str | None = None
    title: str | None = None
    #: When the page last changed, where the source says (a sitemap's ``<lastmod>``).
    modified_at: str | None = None


@dataclass(slots=True)
class Listing:
    """Article links of a listing page in page order, and the next page if any."""

    entries: list[ListingEntry] = field(default_factory=list)
    next_page: str | None = None

    @property
    def articles(self) -> list[str]:
        return [e.url for e in self.entries]


class Layout:
    """A page layout of one publisher, in use between two dates.

    Subclasses answer :meth:`is_article`, :meth:`extract` (the fields they find; a
    field left out or ``None`` lets the merge chain move on to structured data and
    the generic fallback) and :meth:`listing`.
    """

    name: ClassVar[str] = "layout"
    #: ISO dates (inclusive) the layout was seen in use; ``None`` means open-ended.
    in_use: ClassVar[tuple[str | None, str | None]] = (None, None)

    def is_article(self, doc: HtmlElement) -> bool:
        """True when the page is an article page of this layout (not a listing)."""
        return False

    def extract(self, doc: HtmlElement, url: str) -> dict[str, Any]:
        """All fields the layout finds, keyed by record field name."""
        return {}

    def listing(self, doc: HtmlElement, url: str) -> Listing | None:
        """Article links of a listing page in this layout, or None if not a listing."""
        return None


class Site:
    """A publisher profile. Subclass per publisher; see ``baohaiduong.py``."""

    #: Short name used as the record's ``site`` and the spider's name.
    name: ClassVar[str] = ""
    #: Host that canonical URLs use.
    canonical_host: ClassVar[str] = ""
    #: Every host that serves this publisher's pages (desktop, mirrors).
    hosts: ClassVar[frozenset[str]] = frozenset()
    #: Layout classes, newest first.
    layouts: ClassVar[tuple[type[Layout], ...]] = ()

    def owns(self, url: str) -> bool:  # pragma: no cover - abstract
        raise NotImplementedError

    def canonical_url(self, url: str, base: str | None = None) -> str | None:  # pragma: no cover
        raise NotImplementedError

    def source_id(self, url: str) -> str | None:  # pragma: no cover
        raise NotImplementedError

    def url_kind(self, url: str) -> UrlKind:  # pragma: no cover
        raise NotImplementedError


# --- publisher-independent parsing on top of a profile -------------------------------

#: Fields a page's extractors fill (the identity fields come from the URL and profile).
ARTICLE_FIELDS: tuple[str, ...] = tuple(
    f for f in RECORD_FIELDS if f not in ("url", "source_id", "site", "language")
)


@dataclass(slots=True)
class ParseOutcome:
    """A parsed article, or the reason there is none. Never both empty."""

    record: dict[str, Any] | None = None
    error: str | None = None
    #: What the page is when it is not an article (``listing``, ``error``, ...).
    kind: str = "article"

    @property
    def ok(self) -> bool:
        return self.record is not None
