"""Dates and times as Vietnamese news pages and feeds print them, parsed to +07:00.

Owns the one parser every layout, structured-data reader and feed reader calls:
``parse_datetime`` turns a date line ("THỨ SÁU, 22/01/2021 17:11:16", "ngày 4 tháng
10 năm 2024 lúc 10:15", ISO 8601, RFC 822) into an aware datetime in
Asia/Ho_Chi_Minh, or into a reason why not. Dates are read day first, always
(Vietnamese convention), naive times are local, and nothing ever falls back to
"now". Impossible calendars and dates outside a plausible window (before 1900, or
more than a day after the caller's "now") are refused with a reason, never guessed.
The portal's local time is one fixed UTC+07:00 whatever the year: the tz database
gives Asia/Ho_Chi_Minh +07:06:40 LMT and +08:00 before 1975, which no page means.
Hand-written regexes compiled once keep a parse in the microseconds
(dateutil is slower and reads ``GMT+7`` with the POSIX sign, i.e. as -07:00).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

from newsbot.extract.text import normalize_text

__all__ = ["LOCAL_TZ", "DateResult", "has_stated_offset", "parse_datetime", "to_local_iso"]

#: The portal's time zone, a fixed +07:00 (Vietnam has kept it since 1975; the record
#: contract is "+07:00" for every date, also for archive pages older than that).
LOCAL_TZ = timezone(timedelta(hours=7), "ICT")
#: Zone names that mean the portal's local time.
_LOCAL_NAMES = frozenset({"Asia/Ho_Chi_Minh", "Asia/Saigon", "ICT", "+07:00"})

# Accepted years: a news page dated outside these is a parse error, not news.
_MIN_YEAR, _MAX_YEAR = 1900, 2999
#: How far past "now" a date may lie (time zones, clock skew, a page built at midnight).
FUTURE_MARGIN = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class DateResult:
    """A parsed date: ``value`` in Asia/Ho_Chi_Minh, or ``None`` and a ``reason``."""

    value: datetime | None
    reason: str | None = None

    @property
    def iso(self) -> str | None:
        """ISO 8601 with offset and seconds, e.g. ``2021-01-22T17:11:16+07:00``."""
        return to_local_iso(self.value) if self.value is not None else None


def to_local_iso(dt: datetime) -> str:
    """Return aware ``dt`` as ISO 8601 in Asia/Ho_Chi_Minh, seconds always printed."""
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError(f"naive datetime {dt!r}: its time zone is unknown")
    return dt.astimezone(LOCAL_TZ).isoformat(timespec="seconds")


# --- patterns -----------------------------------------------------------------------------

# A zone after a time: "GMT+7", "UTC+07:00", "+0700", "+07:00", "Z", "GMT", "ICT".
# Only names Vietnamese pages use: a bare word after a time may be a byline ("PV").
_TZ = (
    r"(?:GMT|UTC|UT)(?:\s*[+\-\u2212]\s*\d{1,2}(?::?\d{2})?)?(?![^\W\d_])"
    r"|[+\-\u2212]\d{2}(?::?\d{2})?(?!\d)"
    r"|(?:Z|ICT)(?![^\W\d_])"
)
# RFC 822 feeds may also carry US zone names (and, wrongly, others): any short capitalised
# word, so that an unknown zone is reported instead of being silently read as local time.
_RFC_TZ = _TZ + r"|[A-Z]{1,5}(?![^\W\d_])"


def _time(p: str) -> str:
    """A time of day, "17:11", "7:05:09.5", "10h15", "10h", "5:11:16 CH"; groups prefixed p."""
    return (
        rf"(?<![\d:])(?P<{p}h>\d{{1,2}})"
        rf"(?::(?P<{p}mi>\d{{2}})(?::(?P<{p}s>\d{{2}})(?:\.(?P<{p}f>\d{{1,9}}))?)?(?!\d)"
        rf"|h(?P<{p}hm>\d{{2}})?(?![^\W_]))"
        # .NET's vi-VN culture prints SA/CH (sáng/chiều) where en-US prints AM/PM; only in
        # capitals, so that "17:11 Sa Pa" keeps its place name.
        rf"(?:\s*(?P<{p}ap>[AaPp][Mm]|SA|CH)(?![^\W_]))?"
        rf"(?:\s*\(?\s*(?P<{p}tz>{_TZ})\s*\)?)?"
    )


_SEP = r"[\s,;|\-\u2013\u2014]*"
_BEFORE = rf"(?:{_time('b')}{_SEP}(?:(?i:ngày)\s+)?)?"
# "lúc" (Vietnamese), "às" (Portuguese), "um" (German), "at", "à", "a las" before a time.
_AFTER = rf"(?:{_SEP}(?:(?i:vào\s+)?(?i:lúc|às|as|um|at|à|a\s+las)\s+)?{_time('a')})?"

# "22/01/2021", "4/10/2024", "22-01-2021", "22.01.2021": day first, four-digit year.
_VN_NUMERIC = re.compile(
    _BEFORE
    + r"(?<![\d/])(?P<d>\d{1,2})(?P<sep>[/.\-])(?P<m>\d{1,2})(?P=sep)(?P<y>\d{4})(?!\d)"
    + _AFTER
)
# "ngày 4 tháng 10 năm 2024", "4 tháng 10, 2024".
_VN_WORDS = re.compile(
    _BEFORE
    + r"(?:(?i:ngày)\s+)?(?<!\d)(?P<d>\d{1,2})\s+(?i:tháng)\s+(?P<m>\d{1,2})"
    + r"(?:\s*,\s*|\s+(?i:năm)\s+|\s+)(?P<y>\d{4})(?!\d)"
    + _AFTER
)
# ISO 8601 and its everyday variants: "2024-10-04T10:15:00.123+07:00", "2024-10-04 10:15".
_ISO = re.compile(
    r"(?<!\d)(?P<y>\d{4})(?P<sep>[-/])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})(?!\d)"
    r"(?:(?:[Tt]|\s+)(?P<ah>\d{1,2}):(?P<ami>\d{2})"
    r"(?::(?P<as>\d{2})(?:[.,](?P<af>\d{1,9}))?)?(?!\d)"
    rf"(?:\s*\(?\s*(?P<atz>{_TZ})\s*\)?)?)?"
)
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
# RFC 822 / 2822 as RSS uses it: "Fri, 22 Jan 2021 09:40:00 GMT".
_RFC822 = re.compile(
    r"(?<!\d)(?P<d>\d{1,2})[\s\-]+"
    rf"(?P<mon>(?i:{'|'.join(sorted(_MONTHS, key=len, reverse=True))}))\.?(?![^\W_])"
    r",?[\s\-]+(?P<y>\d{4}|\d{2})(?!\d)"
    r"(?:[\s,]+(?P<ah>\d{1,2}):(?P<ami>\d{2})(?::(?P<as>\d{2}))?(?!\d)"
    rf"(?:\s*\(?\s*(?P<atz>{_RFC_TZ})\s*\)?)?)?"
)

_NAMED_OFFSETS = {
    "Z": 0,
    "UT": 0,
    "UTC": 0,
    "GMT": 0,
    "ICT": 7,  # Indochina Time
    # RFC 822's North American zones.
    "EST": -5,
    "EDT": -4,
    "CST": -6,
    "CDT": -5,
    "MST": -7,
    "MDT": -6,
    "PST": -8,
    "PDT": -7,
}
# "GMT+7" means UTC+7 here, as on every Vietnamese page (not POSIX's inverted sign).
_OFFSET = re.compile(r"(?:GMT|UTC|UT)?\s*([+\-\u2212])\s*(\d{1,2}?)(?::?(\d{2}))?")


# --- parsing ------------------------------------------------------------------------------


class _Invalid(Exception):
    """A date was found but cannot exist; carries the reason (internal control flow)."""


def _quote(text: str, limit: int = 60) -> str:
    return "'" + (text if len(text) <= limit else text[: limit - 1] + "…") + "'"


@lru_cache(maxsize=16)
def _zone(name: str) -> tzinfo:
    if name in _LOCAL_NAMES:
        return LOCAL_TZ
    return ZoneInfo(name)


def _offset(tz: str, shown: str) -> timezone:
    key = tz.upper()
    hours = _NAMED_OFFSETS.get(key)
    if hours is not None:
        return timezone(timedelta(hours=hours))
    m = _OFFSET.fullmatch(key)
    if m is None:
        raise _Invalid(f"unknown time zone {tz!r} in {shown}")
    sign = -1 if m.group(1) != "+" else 1
    h, mi = int(m.group(2)), int(m.group(3) or 0)
    if h > 14 or mi > 59:
        raise _Invalid(f"time zone offset {tz!r} out of range in {shown}")
    return timezone(sign * timedelta(hours=h, minutes=mi))


def _build(m: re.Match[str], y: int, mo: int, d: int, p: str, zone: tzinfo, shown: str) -> datetime:
    """Validate the fields of match ``m`` (time groups prefixed ``p``) into an aware datetime."""
    if not _MIN_YEAR <= y <= _MAX_YEAR:
        raise _Invalid(f"year {y} out of range in {shown}")
    if not 1 <= mo <= 12:
        raise _Invalid(f"month {mo} out of range in {shown}")
    last = calendar.monthrange(y, mo)[1]
    if not 1 <= d <= last:
        raise _Invalid(f"day {d} out of range for month {mo}/{y} (1..{last}) in {shown}")
    hour = minute = second = micro = 0
    tz: tzinfo = zone
    groups = m.groupdict()
    if groups.get(p + "h") is not None:
        hour = int(groups[p + "h"])
        minute = int(groups.get(p + "mi") or groups.get(p + "hm") or 0)
        second = int(groups.get(p + "s") or 0)
        frac = groups.get(p + "f")
        if frac:
            micro = int(frac[:6].ljust(6, "0"))
        ampm = groups.get(p + "ap")
        # "17:11 PM" is sloppy but unambiguous: the marker only matters on a 12-hour clock.
        if ampm and 1 <= hour <= 12:
            hour = hour % 12 + (12 if ampm.upper() in ("PM", "CH") else 0)
        if hour > 23:
            raise _Invalid(f"hour {hour} out of range in {shown}")
        if minute > 59:
            raise _Invalid(f"minute {minute} out of range in {shown}")
        if second > 59:
            raise _Invalid(f"second {second} out of range in {shown}")
        if groups.get(p + "tz"):
            tz = _offset(groups[p + "tz"], shown)
    return datetime(y, mo, d, hour, minute, second, micro, tzinfo=tz)


def _parse(text: str, zone: tzinfo, shown: str) -> datetime | None:
    m = _ISO.search(text)
    if m:
        return _build(m, int(m["y"]), int(m["m"]), int(m["d"]), "a", zone, shown)
    for pattern in (_VN_NUMERIC, _VN_WORDS):
        m = pattern.search(text)
        if m:
            # A time after the date wins over one before it ("10:15 22/01/2021 17:11").
            p = "a" if m["ah"] is not None else "b"
            return _build(m, int(m["y"]), int(m["m"]), int(m["d"]), p, zone, shown)
    m = _RFC822.search(text)
    if m:
        y = int(m["y"])
        if len(m["y"]) == 2:  # RFC 2822 section 4.3: 00-49 is 20xx, 50-99 is 19xx.
            y += 2000 if y < 50 else 1900
        return _build(m, y, _MONTHS[m["mon"].lower()], int(m["d"]), "a", zone, shown)
    return None


def parse_datetime(
    text: str | None,
    *,
    default_tz: str | tzinfo = "Asia/Ho_Chi_Minh",
    keep_offset: bool = False,
    now: datetime | None = None,
) -> DateResult:
    """Parse a date line from a page or feed into a :class:`DateResult`.

    Text around the date is ignored, and so are weekday names. Times without an
    offset are read in ``default_tz`` (a zone name or a ``tzinfo``); every value is
    returned in the portal's +07:00, or in the offset the text states when
    ``keep_offset`` (the generic path: a page's own offset is part of what it says).
    A missing, impossible or implausible (later than ``now`` plus a day; ``now``
    defaults to the current time) date gives ``value=None`` and a reason.
    """
    clean = normalize_text(text)
    if not clean:
        return DateResult(None, "empty")
    try:
        zone = _zone(default_tz) if isinstance(default_tz, str) else default_tz
    except (KeyError, ValueError):  # ZoneInfoNotFoundError is a KeyError
        return DateResult(None, f"unknown time zone {default_tz!r}")
    try:
        found = _read(clean, zone)
    except TypeError:  # a tzinfo that cannot be a cache key: read it uncached
        found = _read.__wrapped__(clean, zone)
    if isinstance(found, str):
        return DateResult(None, found)
    dt, local = found
    limit = (now or datetime.now(UTC)) + FUTURE_MARGIN
    if dt > limit:
        return DateResult(None, f"date in the future ({dt.date().isoformat()}) in {_quote(clean)}")
    return DateResult(dt if keep_offset else local)


@lru_cache(maxsize=4096)
def _read(clean: str, zone: tzinfo) -> tuple[datetime, datetime] | str:
    """The moment normalised date text ``clean`` states (naive times in ``zone``) and
    the same moment in local time, or why there is none. Cached: it depends on its
    arguments only, and a page states its moment several times (date line, meta,
    JSON-LD), each read more than once on the way to a record."""
    shown = _quote(clean)
    try:
        dt = _parse(clean, zone, shown)
    except _Invalid as exc:
        return str(exc)
    except (OverflowError, ValueError) as exc:  # a zone the tz database cannot apply
        return f"unusable date in {shown}: {exc}"
    if dt is None:
        return f"no date found in {shown}"
    return dt, dt.astimezone(LOCAL_TZ)


def has_stated_offset(text: str | None) -> bool:
    """True when the date line names its own offset or zone ("+02:00", "Z", "GMT+7")."""
    clean = normalize_text(text)
    if not clean:
        return False
    for pattern, group in ((_ISO, "atz"), (_RFC822, "atz")):
        m = pattern.search(clean)
        if m:
            return bool(m[group])
    for pattern in (_VN_NUMERIC, _VN_WORDS):
        m = pattern.search(clean)
        if m:
            return bool(m["atz"] or m["btz"])
    return False
