"""NormalizePipeline: every text field NFC, whitespace collapsed, lists without repeats.

``normalize_record`` is the pure function (``reparse`` uses it too). The body keeps
its paragraph breaks (paragraphs joined by one blank line, as the contract says; the
fields declared ``paragraphs`` in :mod:`newsbot.record`); every other string is one line. Empty strings become ``None`` so that "absent" has
one spelling. Keys starting with ``_`` (raw HTML, bookkeeping) and ``provenance``
pass untouched.
"""

from __future__ import annotations

import json
import re
from typing import Any

from itemadapter import ItemAdapter

from newsbot.extract.text import join_paragraphs
from newsbot.extract.text import normalize_text as normalize_line
from newsbot.record import PARAGRAPH_FIELDS

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def normalize_text(value: str, *, paragraphs: bool = False) -> str | None:
    """NFC, invisible characters removed, whitespace collapsed; ``None`` when empty.

    The same rules as the parser's (``newsbot.extract.text``), applied again here
    because records also come from other producers (reparse, other spiders).
    """
    if paragraphs:
        text = join_paragraphs(_PARAGRAPH_BREAK.split(value))
    else:
        text = normalize_line(value)
    return text or None


def _normalize_value(value: Any, *, paragraphs: bool = False) -> Any:
    if isinstance(value, str):
        return normalize_text(value, paragraphs=paragraphs)
    if isinstance(value, dict):
        return {k: _normalize_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return _unique([_normalize_value(v) for v in value])
    return value


def _identity(value: Any) -> str:
    """What makes two list entries the same: the URL of a link/image, else the whole value."""
    if isinstance(value, dict) and value.get("url"):
        return "url:" + str(value["url"])
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def _unique(values: list[Any]) -> list[Any]:
    seen: set[str] = set()
    out = []
    for value in values:
        if value is None:
            continue
        key = _identity(value)
        if key not in seen:
            seen.add(key)
            out.append(value)
    return out


def normalize_record(record: Any) -> Any:
    """Normalise the record in place (a dict or any ItemAdapter-supported item); returns it."""
    adapter = ItemAdapter(record)
    for key in list(adapter.keys()):
        if key.startswith("_") or key == "provenance":
            continue
        adapter[key] = _normalize_value(adapter[key], paragraphs=key in PARAGRAPH_FIELDS)
    return record


class NormalizePipeline:
    """Scrapy pipeline applying :func:`normalize_record` to every item."""

    def process_item(self, item: Any, spider: Any = None) -> Any:
        return normalize_record(item)
