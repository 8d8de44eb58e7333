"""Table-driven tests of newsbot.extract.dates: one row per date quirk seen on Vietnamese pages."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime, timedelta, timezone

import pytest

from newsbot.extract.dates import LOCAL_TZ, DateResult, parse_datetime, to_local_iso

PARSED = [
    # Legacy layout date line and weekday spellings (ignored, whatever the case).
    pytest.param(
        "THỨ SÁU, 22/01/2021 17:11:16", "2021-01-22T17:11:16+07:00", id="legacy-date-line"
    ),
    pytest.param(
        "Thứ sáu, 22/01/2021 17:11:16", "2021-01-22T17:11:16+07:00", id="weekday-sentence-case"
    ),
    pytest.param(
        "thứ Sáu, 22/01/2021 17:11:16", "2021-01-22T17:11:16+07:00", id="weekday-odd-case"
    ),
    pytest.param("Chủ nhật, 24/01/2021 08:00", "2021-01-24T08:00:00+07:00", id="weekday-chu-nhat"),
    pytest.param(
        "CHỦ NHẬT, 24/01/2021 08:00", "2021-01-24T08:00:00+07:00", id="weekday-chu-nhat-caps"
    ),
    pytest.param("Thứ 2, 25/01/2021 09:30", "2021-01-25T09:30:00+07:00", id="weekday-digit"),
    pytest.param("T2 25/01/2021 09:30", "2021-01-25T09:30:00+07:00", id="weekday-abbrev"),
    # Numeric day-first forms.
    pytest.param("22/01/2021 17:11", "2021-01-22T17:11:00+07:00", id="date-time-no-seconds"),
    pytest.param("4/10/2024 7:05", "2024-10-04T07:05:00+07:00", id="one-digit-day-month-hour"),
    pytest.param("Thứ sáu, 04/10/2024 - 10:15", "2024-10-04T10:15:00+07:00", id="date-dash-time"),
    pytest.param("10:15 04/10/2024", "2024-10-04T10:15:00+07:00", id="time-first"),
    pytest.param("10:15 | 04/10/2024", "2024-10-04T10:15:00+07:00", id="time-first-pipe"),
    pytest.param("22-01-2021", "2021-01-22T00:00:00+07:00", id="dashes-date-alone"),
    pytest.param("22.01.2021 10:00", "2021-01-22T10:00:00+07:00", id="dots"),
    pytest.param("(22/01/2021)", "2021-01-22T00:00:00+07:00", id="date-alone-parenthesised"),
    pytest.param("Cập nhật: 22/01/2021 17:11", "2021-01-22T17:11:00+07:00", id="text-around"),
    pytest.param("10h15 ngày 4/10/2024", "2024-10-04T10:15:00+07:00", id="hour-h-minute"),
    pytest.param("22/01/2021 5:11:16 CH", "2021-01-22T17:11:16+07:00", id="dotnet-vi-chieu"),
    pytest.param("22/01/2021 12:05 SA", "2021-01-22T00:05:00+07:00", id="dotnet-vi-sang-midnight"),
    pytest.param("22/01/2021 17:11 PV", "2021-01-22T17:11:00+07:00", id="byline-after-not-a-zone"),
    pytest.param("22/01/2021 5:11 pm", "2021-01-22T17:11:00+07:00", id="english-pm"),
    pytest.param("22/01/2021 12:30 AM", "2021-01-22T00:30:00+07:00", id="english-12-am"),
    pytest.param("22/01/2021 17:11 PM", "2021-01-22T17:11:00+07:00", id="24h-with-stray-pm"),
    pytest.param("22/01/2021 09:11 Sa Pa", "2021-01-22T09:11:00+07:00", id="place-name-sa-not-am"),
    # Vietnamese words.
    pytest.param("ngày 4 tháng 10 năm 2024", "2024-10-04T00:00:00+07:00", id="words"),
    pytest.param("Ngày 4 tháng 10 năm 2024 lúc 10:15", "2024-10-04T10:15:00+07:00", id="words-luc"),
    pytest.param(
        "10:15, ngày 4 tháng 10 năm 2024", "2024-10-04T10:15:00+07:00", id="time-then-words"
    ),
    pytest.param("NGÀY 4 THÁNG 10 NĂM 2024", "2024-10-04T00:00:00+07:00", id="words-caps"),
    # ISO 8601.
    pytest.param("2024-10-04T10:15:00+07:00", "2024-10-04T10:15:00+07:00", id="iso-offset"),
    pytest.param("2024-10-04T03:15:00Z", "2024-10-04T10:15:00+07:00", id="iso-zulu-converted"),
    pytest.param("2024-10-04T10:15:00", "2024-10-04T10:15:00+07:00", id="iso-naive-is-local"),
    pytest.param("2024-10-04 10:15", "2024-10-04T10:15:00+07:00", id="iso-space-no-seconds"),
    pytest.param("2024-10-04T03:15:00.123456Z", "2024-10-04T10:15:00+07:00", id="iso-fraction"),
    pytest.param(
        "2024-10-04T10:15:00.5+0700", "2024-10-04T10:15:00+07:00", id="iso-fraction-offset"
    ),
    pytest.param("2024-10-04T05:15:00+02:00", "2024-10-04T10:15:00+07:00", id="iso-other-offset"),
    pytest.param("2024-10-04", "2024-10-04T00:00:00+07:00", id="iso-date-alone"),
    # RFC 822 (RSS), and the portal's non-standard RSS pubDate.
    pytest.param("Fri, 22 Jan 2021 09:40:00 GMT", "2021-01-22T16:40:00+07:00", id="rfc822-gmt"),
    pytest.param(
        "Fri, 22 Jan 2021 08:15:00 +0700", "2021-01-22T08:15:00+07:00", id="rfc822-offset"
    ),
    pytest.param(
        "Fri, 22 Jan 21 09:40:00 GMT", "2021-01-22T16:40:00+07:00", id="rfc822-two-digit-year"
    ),
    pytest.param("Thu, 21 Jan 2021 20:40:00 EST", "2021-01-22T08:40:00+07:00", id="rfc822-us-zone"),
    pytest.param("22 January 2021 09:40", "2021-01-22T09:40:00+07:00", id="rfc822-like-naive"),
    pytest.param("22 Jan 2021 09:40 by PV", "2021-01-22T09:40:00+07:00", id="rfc822-word-not-zone"),
    pytest.param("22/01/2021 17:11:16", "2021-01-22T17:11:16+07:00", id="rss-day-first-naive"),
    # Explicit offsets, with the Vietnamese (not POSIX) sign for GMT+7.
    pytest.param("22/01/2021 16:40 GMT+7", "2021-01-22T16:40:00+07:00", id="gmt-plus-7-not-posix"),
    pytest.param("22/01/2021 16:40 (GMT+7)", "2021-01-22T16:40:00+07:00", id="gmt-plus-7-parens"),
    pytest.param("22/01/2021 16:40 UTC+07:00", "2021-01-22T16:40:00+07:00", id="utc-plus-07-00"),
    pytest.param("22/01/2021 16:40 +0700", "2021-01-22T16:40:00+07:00", id="bare-plus-0700"),
    pytest.param("22/01/2021 09:40 GMT", "2021-01-22T16:40:00+07:00", id="gmt-alone"),
    pytest.param("22/01/2021 16:40 GMT-5", "2021-01-23T04:40:00+07:00", id="gmt-minus-5"),
    pytest.param(
        "Fri, 22 Jan 2021 16:40:00 GMT+7", "2021-01-22T16:40:00+07:00", id="rfc822-gmt-plus-7"
    ),
    # Encodings of the same text.
    pytest.param(
        unicodedata.normalize("NFD", "THỨ SÁU, 22/01/2021 17:11:16"),
        "2021-01-22T17:11:16+07:00",
        id="nfd-input",
    ),
    pytest.param(
        unicodedata.normalize("NFD", "ngày 4 tháng 10 năm 2024 lúc 10:15"),
        "2024-10-04T10:15:00+07:00",
        id="nfd-words",
    ),
    pytest.param("22/01/2021\u00a017:11", "2021-01-22T17:11:00+07:00", id="nbsp"),
    pytest.param(
        "\n\t THỨ SÁU,\u00a0 22/01/2021\n17:11:16 ", "2021-01-22T17:11:16+07:00", id="messy-ws"
    ),
    pytest.param("22/01/\u200b2021 17:11", "2021-01-22T17:11:00+07:00", id="zero-width-space"),
    # Calendar edges.
    pytest.param("29/02/2024 23:59:59", "2024-02-29T23:59:59+07:00", id="leap-day"),
]


@pytest.mark.parametrize(("text", "expected"), PARSED)
def test_parse_datetime(text: str, expected: str) -> None:
    result = parse_datetime(text)
    assert result.reason is None
    assert result.iso == expected
    assert result.value is not None
    assert result.value.tzinfo is LOCAL_TZ


FAILED = [
    pytest.param("31/02/2021", "day 31 out of range", id="impossible-day"),
    pytest.param("29/02/2023 10:00", "day 29 out of range", id="not-a-leap-year"),
    pytest.param("22/13/2021", "month 13 out of range", id="month-13"),
    pytest.param("01/22/2021", "month 22 out of range", id="month-first-refused"),
    pytest.param("22/01/2021 25:00", "hour 25 out of range", id="hour-25"),
    pytest.param("22/01/2021 10:61", "minute 61 out of range", id="minute-61"),
    pytest.param("2024-10-04T10:15:00+15:00", "out of range", id="offset-15h"),
    pytest.param("22/01/0021", "year 21 out of range", id="year-too-early"),
    pytest.param("Fri, 22 Jan 2021 09:40:00 CET", "unknown time zone 'CET'", id="unknown-zone"),
    pytest.param("22.1", "no date found in '22.1'", id="day-dot-month-no-year"),
    pytest.param("hôm qua", "no date found in 'hôm qua'", id="yesterday-word"),
    pytest.param("Thứ sáu", "no date found", id="weekday-alone"),
    pytest.param("17:11:16", "no date found", id="time-alone"),
    pytest.param("", "empty", id="empty-string"),
    pytest.param(None, "empty", id="none"),
    pytest.param(" \u00a0\u200b\n", "empty", id="only-invisible"),
]


@pytest.mark.parametrize(("text", "reason"), FAILED)
def test_parse_datetime_fails_with_reason(text: str | None, reason: str) -> None:
    result = parse_datetime(text)
    # Never "now", never a guess: absent with a reason.
    assert result.value is None
    assert result.iso is None
    assert result.reason is not None
    assert reason in result.reason


def test_reason_quotes_long_text_truncated() -> None:
    result = parse_datetime("không có ngày " * 20)
    assert result.reason is not None
    assert result.reason.startswith("no date found in 'không có ngày")
    assert len(result.reason) < 100


def test_gmt_plus_7_is_the_same_instant_as_0940_utc() -> None:
    # dateutil (POSIX TZ convention) reads "GMT+7" as UTC-7, i.e. 23:40 UTC; pages mean UTC+7.
    result = parse_datetime("22/01/2021 16:40 GMT+7")
    assert result.value == datetime(2021, 1, 22, 9, 40, tzinfo=UTC)
    assert result.value.utcoffset() == timedelta(hours=7)


def test_naive_time_read_in_default_tz() -> None:
    result = parse_datetime("2024-10-04 03:15", default_tz="UTC")
    assert result.iso == "2024-10-04T10:15:00+07:00"


def test_explicit_offset_wins_over_default_tz() -> None:
    result = parse_datetime("2024-10-04T10:15:00+07:00", default_tz="Europe/Paris")
    assert result.iso == "2024-10-04T10:15:00+07:00"


def test_fractional_seconds_kept_in_value_not_in_iso() -> None:
    result = parse_datetime("2024-10-04T03:15:00.25Z")
    assert result.value is not None
    assert result.value.microsecond == 250000
    assert result.iso == "2024-10-04T10:15:00+07:00"


@pytest.mark.parametrize(
    ("dt", "expected"),
    [
        pytest.param(
            datetime(2024, 10, 4, 3, 15, tzinfo=UTC), "2024-10-04T10:15:00+07:00", id="utc"
        ),
        pytest.param(
            datetime(2024, 10, 4, 10, 15, 0, 999, tzinfo=timezone(timedelta(hours=7))),
            "2024-10-04T10:15:00+07:00",
            id="fixed-offset-microseconds-dropped",
        ),
        pytest.param(
            datetime(2024, 10, 4, 10, 15, tzinfo=LOCAL_TZ), "2024-10-04T10:15:00+07:00", id="local"
        ),
    ],
)
def test_to_local_iso(dt: datetime, expected: str) -> None:
    assert to_local_iso(dt) == expected


def test_to_local_iso_refuses_naive() -> None:
    with pytest.raises(ValueError, match="naive"):
        to_local_iso(datetime(2024, 10, 4, 10, 15))


def test_date_result_without_value() -> None:
    assert DateResult(None, "empty").iso is None


# --- issue 11, finding 10: impossible, implausible and historical dates -----------------

NOW = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        pytest.param("30/02/2021", "day 30 out of range", id="feb-30"),
        pytest.param("0001-01-01T00:00:00", "year 1 out of range", id="year-0001-iso"),
        pytest.param("01/01/0001 10:00", "year 1 out of range", id="year-0001-vn"),
        pytest.param("15/03/2999 07:20", "date in the future", id="year-2999"),
        pytest.param("2026-01-03T00:00:00+07:00", "date in the future", id="two-days-ahead"),
    ],
)
def test_finding_10_dates_refused_with_a_reason_not_guessed(text: str, reason: str) -> None:
    result = parse_datetime(text, now=NOW)
    assert result.value is None
    assert reason in (result.reason or "")


def test_finding_10_tomorrow_is_still_plausible() -> None:
    assert parse_datetime("2026-01-01T20:00:00+07:00", now=NOW).value is not None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("22/01/1950 10:00", "1950-01-22T10:00:00+07:00", id="1950-not-0800"),
        pytest.param("1965-05-01T10:00:00", "1965-05-01T10:00:00+07:00", id="1965-naive"),
        pytest.param("01/01/1905 00:00", "1905-01-01T00:00:00+07:00", id="1905-not-lmt"),
        pytest.param("1975-06-13 00:00", "1975-06-13T00:00:00+07:00", id="1975"),
    ],
)
def test_finding_10_one_fixed_offset_whatever_the_year(text: str, expected: str) -> None:
    result = parse_datetime(text)
    assert result.iso == expected
    assert result.value is not None and result.value.utcoffset() == timedelta(hours=7)


def test_keep_offset_keeps_the_pages_own_offset() -> None:
    result = parse_datetime("2024-03-05T10:30:00+01:00", keep_offset=True)
    assert result.value is not None
    assert result.value.isoformat() == "2024-03-05T10:30:00+01:00"


def test_unknown_default_zone_is_a_reason() -> None:
    assert parse_datetime("2024-03-05 10:30", default_tz="Mars/Olympus").reason
