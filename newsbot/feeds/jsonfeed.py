"""JSON Feed 1.1 (https://jsonfeed.org/version/1.1): ``<section-slug>.json`` and ``all.json``.

Each item carries the spec's required ``id`` (the article URL) and the optional fields a
reader shows: url, title, summary (the lead), content_text (the body), dates, authors,
tags, image (the first image) and language. Callers pass records already chosen and
ordered; this module only renders.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from newsbot.feeds.atomic import write_if_changed
from newsbot.feeds.selection import parse_timestamp, updated_at

JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"


def _rfc3339(value: Any) -> str | None:
    moment = parse_timestamp(value)
    return moment.isoformat() if moment else None


def json_feed_item(record: dict[str, Any]) -> dict[str, Any]:
    """One JSON Feed item of a record; keys without a value are left out, as the spec asks."""
    images = [i.get("url") for i in record.get("images") or [] if isinstance(i, dict)]
    modified = updated_at(record)
    item: dict[str, Any] = {
        "id": str(record.get("url") or ""),
        "url": record.get("url"),
        "title": record.get("title"),
        "summary": record.get("lead"),
        # The spec requires content_html or content_text; an empty body is still a text.
        "content_text": record.get("body") or "",
        "date_published": _rfc3339(record.get("published_at")),
        "date_modified": modified.isoformat() if modified else None,
        "authors": [{"name": record["author"]}] if record.get("author") else None,
        "tags": list(record.get("tags") or []) or None,
        "image": next((u for u in images if u), None),
        "language": record.get("language"),
    }
    return {k: v for k, v in item.items() if v is not None}


def render_json_feed(
    records: Iterable[dict[str, Any]],
    *,
    title: str,
    home_page_url: str | None = None,
    feed_url: str | None = None,
    language: str | None = "vi",
) -> bytes:
    """The JSON Feed document (UTF-8 bytes, non-ASCII unescaped) of ``records`` in order."""
    feed: dict[str, Any] = {"version": JSON_FEED_VERSION, "title": title}
    if home_page_url:
        feed["home_page_url"] = home_page_url
    if feed_url:
        feed["feed_url"] = feed_url
    if language:
        feed["language"] = language
    feed["items"] = [json_feed_item(r) for r in records]
    return (json.dumps(feed, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def write_json_feed(
    path: str | os.PathLike[str], records: Iterable[dict[str, Any]], **meta: Any
) -> bool:
    """Render ``records`` (see :func:`render_json_feed` for ``meta``) and write ``path``
    atomically if its content changed; return True when written."""
    return write_if_changed(Path(path), render_json_feed(records, **meta))
