"""JSON Lines output: one public record per line, UTF-8, Vietnamese text as is.

Used for the run file (``runs/<run-id>.jsonl``), the by-date partitions
(``by-date/YYYY-MM-DD.jsonl``) and ``newsbot export --format jsonl``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any, BinaryIO

from newsbot.feeds.atomic import atomic_write
from newsbot.record import public_view

# U+2028/U+2029 are legal inside a JSON string, but str.splitlines() and many line
# readers treat them as line ends and would cut a record in two; escape just these.
_LINE_BREAKS = str.maketrans({"\u2028": "\\u2028", "\u2029": "\\u2029"})


def dumps_record(record: dict[str, Any]) -> str:
    """One record as one JSON line (no trailing newline): internal ``_`` keys dropped,
    contract fields first, non-ASCII text unescaped."""
    line = json.dumps(public_view(record), ensure_ascii=False, default=str)
    if "\u2028" in line or "\u2029" in line:  # rare; translate() over every line is not
        line = line.translate(_LINE_BREAKS)
    return line


def write_jsonl_to(fp: BinaryIO, records: Iterable[dict[str, Any]]) -> int:
    """Write records to an open binary file, one per line; return how many."""
    count = 0
    for record in records:
        fp.write(dumps_record(record).encode("utf-8"))
        fp.write(b"\n")
        count += 1
    return count


def render_jsonl(records: Iterable[dict[str, Any]]) -> bytes:
    """The JSON Lines bytes of ``records`` (for outputs small enough to compare in memory)."""
    return b"".join(dumps_record(r).encode("utf-8") + b"\n" for r in records)


def write_jsonl(path: str | os.PathLike[str], records: Iterable[dict[str, Any]]) -> int:
    """Atomically replace ``path`` with ``records`` as JSON Lines; return how many.

    ``records`` is consumed once, streaming, so a large export never sits in memory.
    """
    count = 0

    def write(fp: BinaryIO) -> None:
        nonlocal count
        count = write_jsonl_to(fp, records)

    atomic_write(Path(path), write)
    return count
