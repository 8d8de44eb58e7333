"""The values a publisher profile works with: URL kinds, listings, layouts, outcomes.

A publisher module (``newsbot/sites/publishers/<name>.py``) subclasses
:class:`newsbot.sites.portal.PortalSite` and lists its :class:`Layout` classes, each
with the dates it was in use. Nothing here imports Scrapy or touches the network:
layouts are pure functions of a parsed page and its URL.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date
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
    """Article links of a listing page in page order, and the next page if any.

    ``skipped`` holds one reason per link that could not be read as a URL at all (an
    ``href`` like ``http://[``): skipped one by one, never losing the page.
    """

    entries: list[ListingEntry] = field(default_factory=list)
    next_page: str | None = None
    skipped: list[str] = field(default_factory=list)

    @property
    def articles(self) -> list[str]:
        return [e.url for e in self.entries]


class Entries(list[ListingEntry]):
    """Entries of a feed or sitemap, with ``skipped``: why each unreadable link was left out."""

    def __init__(self, entries: list[ListingEntry] | None = None) -> None:
        super().__init__(entries or [])
        self.skipped: list[str] = []


class PageLinks(dict[UrlKind, list[str]]):
    """A page's links of its publisher by URL kind, with ``skipped`` as in :class:`Entries`."""

    def __init__(self) -> None:
        super().__init__()
        self.skipped: list[str] = []


class Layout:
    """A page layout of one publisher, in use between two dates.

    Subclasses answer :meth:`is_article`, :meth:`extract` (the fields they find; a
    field left out or ``None`` lets the merge chain move on to structured data and
    the generic fallback) and :meth:`listing`.
    """

    name: ClassVar[str] = "layout"
    #: ISO dates (inclusive) the layout was in use; ``None`` means open-ended. A page
    #: fetched on a day the layout was in use tries it before the others.
    in_use: ClassVar[tuple[str | None, str | None]] = (None, None)
    #: True when :meth:`extract` gives all its text (strings, body paragraphs, tags,
    #: image captions, link titles) as ``normalize_text`` returns it, empty paragraphs
    #: left out: the profile then takes it as it is instead of normalising it again
    #: (what reading with ``element_text`` gives; dates and URLs are read apart anyway).
    text_normalized: ClassVar[bool] = False

    @classmethod
    def in_use_on(cls, day: date) -> bool:
        """Was this layout the publisher's design on ``day``?"""
        start, end = cls.in_use
        return (start is None or date.fromisoformat(start) <= day) and (
            end is None or day <= date.fromisoformat(end)
        )

    def is_article(self, doc: HtmlElement) -> bool:
        """True when the page is an article page of this layout (not a listing)."""
        return False

    def extract(self, doc: HtmlElement, url: str) -> dict[str, Any]:
        """All fields the layout finds, keyed by record field name."""
        return {}

    def listing(self, doc: HtmlElement, url: str) -> Listing | None:
        """Article links of a listing page in this layout, or None if not a listing."""
        return None


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
    #: What the decoder repaired or doubts (a lying charset), for the crawl to count
    #: and log with the URL: ``(kind, detail)`` pairs (``newsbot.extract.document.PageNote``).
    notes: tuple[tuple[str, str], ...] = ()
    #: The bytes themselves cannot be read (nested past the parser's limit, binary):
    #: no parser fix helps, so the crawl need not fetch the page again for a while.
    unreadable: bool = False

    @property
    def ok(self) -> bool:
        return self.record is not None
