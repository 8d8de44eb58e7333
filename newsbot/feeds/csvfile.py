"""CSV export (``newsbot export --format csv``): one row per article, RFC 4180.

Columns are the record contract followed by the store's bookkeeping fields; list and
object fields (images, related, media, tags) are JSON-encoded in their cell, absent
values are empty cells. Rows end in CRLF and cells are quoted by the ``csv`` module.

A cell that a spreadsheet would run as a formula (it starts with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return) gets a leading ``'``, as OWASP's "CSV Injection" page
advises: a headline like ``=HYPERLINK(...)`` or a body starting with ``- `` opens as text.
Programs that need every character as stored read JSON Lines instead.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any, BinaryIO

from newsbot.feeds.atomic import atomic_write
from newsbot.record import BOOKKEEPING_FIELDS, RECORD_FIELDS

#: Fields the store adds to every record (declared in newsbot.record).
STORE_FIELDS: tuple[str, ...] = BOOKKEEPING_FIELDS

CSV_COLUMNS: tuple[str, ...] = RECORD_FIELDS + STORE_FIELDS


#: First characters that make Excel, LibreOffice or Google Sheets read a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> str:
    """A field value as CSV text: lists and dicts as JSON, None as an empty cell, and
    text a spreadsheet would evaluate prefixed with ``'``."""
    if value is None:
        return ""
    if isinstance(value, list | tuple | dict):
        return json.dumps(value, ensure_ascii=False)
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def write_csv_to(fp: BinaryIO, records: Iterable[dict[str, Any]]) -> int:
    """Write a header and one row per record to an open binary file; return the row count."""
    # csv wants a text stream opened with newline=""; wrap the binary one so stdout and
    # atomic temp files are handled the same way.
    text = io.TextIOWrapper(fp, encoding="utf-8", newline="", write_through=True)
    try:
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow(CSV_COLUMNS)
        count = 0
        for record in records:
            writer.writerow([csv_cell(record.get(col)) for col in CSV_COLUMNS])
            count += 1
        text.flush()
    finally:
        # Leave the caller's binary stream open.
        text.detach()
    return count


def write_csv(path: str | os.PathLike[str], records: Iterable[dict[str, Any]]) -> int:
    """Atomically replace ``path`` with the CSV of ``records``; return the row count."""
    count = 0

    def write(fp: BinaryIO) -> None:
        nonlocal count
        count = write_csv_to(fp, records)

    atomic_write(Path(path), write)
    return count
