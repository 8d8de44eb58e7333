"""Atom 1.0 feeds (RFC 4287) built with feedgen: ``<section-slug>.atom`` and ``all.atom``.

One entry per article: id and alternate link are the article URL, ``published`` its
publish time, ``updated`` its ``modified_at`` (else ``published_at``), ``summary`` the lead,
``content`` the body as plain text, categories its tags. Callers pass the records already
chosen and ordered (see :func:`newsbot.feeds.selection.latest`); this module only renders.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from feedgen.feed import FeedGenerator

import newsbot
from newsbot.feeds.atomic import write_if_changed
from newsbot.feeds.selection import parse_timestamp, updated_at

# Characters XML 1.0 forbids (C0 controls but tab/LF/CR, surrogates, U+FFFE/U+FFFF). A
# stray one copied from the CMS would make lxml refuse the whole feed.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value: Any) -> str:
    """``value`` as a string safe to put in an XML text node or attribute."""
    return _XML_INVALID.sub("", "" if value is None else str(value))


def render_atom(
    records: Iterable[dict[str, Any]],
    *,
    title: str,
    feed_id: str,
    home_url: str | None = None,
    self_url: str | None = None,
    author: str | None = None,
    language: str | None = "vi",
    updated: datetime | None = None,
) -> bytes:
    """The Atom document (UTF-8 bytes) of ``records``, entries in the order given.

    ``updated`` defaults to the newest entry's update time, so the same records always
    render to the same bytes; an empty feed uses the current time.
    ``author`` is the feed-level author, which RFC 4287 requires when an entry has none.
    """
    fg = FeedGenerator()
    fg.id(xml_text(feed_id))
    fg.title(xml_text(title))
    fg.generator("newsbot", newsbot.__version__)
    if language:
        fg.language(language)
    if home_url:
        fg.link(href=xml_text(home_url), rel="alternate")
    if self_url:
        fg.link(href=xml_text(self_url), rel="self")
    fg.author({"name": xml_text(author or title)})

    newest: datetime | None = None
    for record in records:
        entry_updated = updated_at(record) or parse_timestamp(record.get("first_seen_at"))
        if entry_updated is None:
            # The contract makes published_at required; an entry Atom cannot date is skipped.
            continue
        newest = entry_updated if newest is None else max(newest, entry_updated)
        url = xml_text(record.get("url"))
        fe = fg.add_entry(order="append")
        fe.id(url)
        fe.title(xml_text(record.get("title")) or url)
        fe.link(href=url, rel="alternate")
        fe.updated(entry_updated)
        published = parse_timestamp(record.get("published_at"))
        if published is not None:
            fe.published(published)
        if record.get("author"):
            fe.author({"name": xml_text(record["author"])})
        if record.get("lead"):
            fe.summary(xml_text(record["lead"]), type="text")
        if record.get("body"):
            fe.content(xml_text(record["body"]), type="text")
        for tag in record.get("tags") or []:
            if xml_text(tag):
                fe.category(term=xml_text(tag))
    fg.updated(updated or newest or datetime.now(UTC).replace(microsecond=0))
    return fg.atom_str(pretty=True, encoding="UTF-8")


def write_atom(
    path: str | os.PathLike[str], records: Iterable[dict[str, Any]], **meta: Any
) -> bool:
    """Render ``records`` (see :func:`render_atom` for ``meta``) and write ``path`` atomically
    if its content changed; return True when written."""
    return write_if_changed(Path(path), render_atom(records, **meta))
