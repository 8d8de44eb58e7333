"""Which records a feed shows, in what order, and on which day an article was published.

Pure functions over record dicts. Timestamps are the contract's ISO 8601 strings with an
offset; the portal's day boundaries are local time, UTC+07:00, so a story stamped
``2024-10-04T00:30:00+07:00`` (``2024-10-03T17:30Z``) belongs to 4 October.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

#: The portal's local time (Asia/Ho_Chi_Minh has had no DST since 1975).
PORTAL_TZ = timezone(timedelta(hours=7))

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def parse_timestamp(value: Any) -> datetime | None:
    """An aware datetime from an ISO 8601 string (naive times are portal local), else None."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str) and value.strip():
        text = value.strip()
        # Python 3.11 parses "Z"; older data written by other tools may use a lowercase "z".
        if text.endswith("z"):
            text = text[:-1] + "+00:00"
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return None
    else:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=PORTAL_TZ)
    return moment


def local_date(published_at: Any) -> date | None:
    """The publish day of a timestamp in portal local time (the by-date partition key)."""
    moment = parse_timestamp(published_at)
    return moment.astimezone(PORTAL_TZ).date() if moment else None


def updated_at(record: dict[str, Any]) -> datetime | None:
    """When the article last changed as the page states it: modified_at, else published_at."""
    return parse_timestamp(record.get("modified_at")) or parse_timestamp(record.get("published_at"))


def is_duplicate(record: dict[str, Any]) -> bool:
    """True for a near-duplicate (``duplicate_of`` set); feeds leave these out."""
    return bool(record.get("duplicate_of"))


def newest_first_key(record: dict[str, Any]) -> tuple[datetime, str]:
    """Sort key, used with ``reverse=True``: newest published first, ties by URL.

    Records without a readable ``published_at`` sort last.
    """
    return (parse_timestamp(record.get("published_at")) or _EPOCH, str(record.get("url") or ""))


def unique_by_url(records: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Records in order, each URL once (the first wins)."""
    seen: set[str] = set()
    for record in records:
        url = record.get("url")
        if url in seen:
            continue
        if url:
            seen.add(url)
        yield record


def latest(
    records: Iterable[dict[str, Any]],
    limit: int | None = 100,
    *,
    section: str | None = None,
    include_duplicates: bool = False,
) -> list[dict[str, Any]]:
    """The ``limit`` newest records (of ``section`` when given), newest first, each URL once."""
    chosen = [
        r
        for r in unique_by_url(records)
        if (include_duplicates or not is_duplicate(r))
        and (section is None or r.get("section") == section)
    ]
    chosen.sort(key=newest_first_key, reverse=True)
    return chosen if limit is None else chosen[:limit]
