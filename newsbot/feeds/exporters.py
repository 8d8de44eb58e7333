"""Scrapy feed exporters (``-O out.csv``, ``FEEDS``) that write records as newsbot does.

Kept apart from :mod:`newsbot.feeds.csvfile` so ``newsbot export`` does not import
Scrapy. Enabled by ``FEED_EXPORTERS`` in :mod:`newsbot.settings`.
"""

from __future__ import annotations

from typing import Any, BinaryIO

from scrapy.exporters import CsvItemExporter as ScrapyCsvItemExporter

from newsbot.feeds.csvfile import CSV_COLUMNS, csv_cell


class CsvItemExporter(ScrapyCsvItemExporter):
    """Scrapy's CSV exporter (``-O out.csv``, ``FEEDS``) writing cells as ``newsbot export``
    does: the record's columns in contract order, lists and objects as JSON (Scrapy's own
    joins list items with commas, which loses the structure of images and related links),
    formula-like text neutralised. ``FEED_EXPORT_FIELDS`` still chooses the columns."""

    def __init__(self, file: BinaryIO, **kwargs: Any) -> None:
        kwargs.setdefault("fields_to_export", list(CSV_COLUMNS))
        kwargs.setdefault("lineterminator", "\r\n")
        super().__init__(file, **kwargs)

    def serialize_field(self, field: Any, name: str, value: Any) -> str:
        return csv_cell(value)
