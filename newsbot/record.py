"""The article record: the contract every extractor, pipeline, store and feed shares.

A record is a plain ``dict`` (Scrapy items are dicts here, read through ItemAdapter),
so consumers can ignore keys they do not know. The keys below are the contract of
``PORTAL.md``; keys starting with ``_`` are internal (raw HTML, crawl bookkeeping)
and never reach a feed.
"""

from __future__ import annotations

from typing import Any

#: Contract fields, in the order records are printed.
RECORD_FIELDS: tuple[str, ...] = (
    "url",
    "source_id",
    "site",
    "section",
    "title",
    "published_at",
    "modified_at",
    "lead",
    "body",
    "author",
    "images",
    "related",
    "media",
    "aliases",
    "tags",
    "language",
)

#: Fields a record must have to be stored (the rest may be absent).
REQUIRED_FIELDS: tuple[str, ...] = ("title", "published_at", "body")

#: Fields whose coverage a crawl reports (a drop shows a layout change).
COVERAGE_FIELDS: tuple[str, ...] = (
    "title",
    "published_at",
    "lead",
    "body",
    "author",
    "section",
    "images",
    "tags",
    "related",
)

#: Fields absent (not null) from a record when the page does not state them.
#: ``aliases``: other URLs of the article (the publisher's other domain), when met.
OPTIONAL_FIELDS: frozenset[str] = frozenset({"modified_at", "media", "aliases"})


def public_view(record: dict[str, Any]) -> dict[str, Any]:
    """The record as consumers see it: contract fields first, internal keys dropped."""
    out = {k: record[k] for k in RECORD_FIELDS if k in record}
    for k, v in record.items():
        if k not in out and not k.startswith("_"):
            out[k] = v
    return out


def has_value(value: Any) -> bool:
    """True when a field holds something (coverage counts these)."""
    if value is None:
        return False
    if isinstance(value, str | list | dict | tuple):
        return len(value) > 0
    return True
