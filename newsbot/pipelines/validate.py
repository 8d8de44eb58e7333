"""ValidatePipeline: coverage counting for every item, and drops of unusable records.

Every item that reaches the pipeline is counted (``newsbot/items_seen``), with each
contract field it holds (``newsbot/coverage/<field>``) and where each field came
from (``newsbot/provenance/<field>/<source>``), so a run can report per-field
coverage and the provenance mix: a layout change shows up as a falling share.

A record without a URL or a required field (declared in :mod:`newsbot.record`: title,
``published_at``, body), or with an unparseable ``published_at``, is dropped
(``DropItem``), logged once with its URL and reason and counted in
``newsbot/dropped/<reason>``; it never reaches the store half-filled.
``missing_reason`` is the pure rule (``reparse`` uses it too).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem

from newsbot.record import RECORD_FIELDS, REQUIRED_FIELDS, has_value

logger = logging.getLogger(__name__)


def missing_reason(record: Any) -> str | None:
    """Why the record cannot be stored (``missing_title`` ...), or None when it can."""
    adapter = ItemAdapter(record)
    if not has_value(adapter.get("url")):
        return "missing_url"
    for field in REQUIRED_FIELDS:
        if not has_value(adapter.get(field)):
            return f"missing_{field}"
    try:
        datetime.fromisoformat(str(adapter["published_at"]))
    except ValueError:
        return "invalid_published_at"
    return None


def _drop(message: str) -> DropItem:
    # Our own warning line is the one log entry; Scrapy's (which prints the whole
    # item) goes to DEBUG.
    return DropItem(message, log_level="DEBUG")


class ValidatePipeline:
    """Counts coverage and provenance, then drops records that cannot be stored."""

    def __init__(self, stats: Any) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Any) -> ValidatePipeline:
        return cls(crawler.stats)

    def count_coverage(self, adapter: ItemAdapter) -> None:
        self.stats.inc_value("newsbot/items_seen")
        for field in RECORD_FIELDS:
            if has_value(adapter.get(field)):
                self.stats.inc_value(f"newsbot/coverage/{field}")
        provenance = adapter.get("provenance") or {}
        if isinstance(provenance, dict):
            for field, source in provenance.items():
                if source:
                    self.stats.inc_value(f"newsbot/provenance/{field}/{source}")

    def process_item(self, item: Any, spider: Any = None) -> Any:
        adapter = ItemAdapter(item)
        self.count_coverage(adapter)
        reason = missing_reason(item)
        if reason is None:
            return item
        url = adapter.get("url") or "(no url)"
        self.stats.inc_value(f"newsbot/dropped/{reason}")
        logger.warning("dropped %s: %s", url, reason)
        raise _drop(f"{reason}: {url}")
