from datetime import date

import pytest

from newsbot.feeds.selection import latest, local_date, parse_timestamp, updated_at

from .conftest import make_article


@pytest.mark.parametrize(
    ("published_at", "day"),
    [
        pytest.param("2024-10-04T10:15:00+07:00", date(2024, 10, 4), id="portal-local-time"),
        pytest.param(
            "2024-10-04T00:30:00+07:00", date(2024, 10, 4), id="just-after-local-midnight"
        ),
        pytest.param(
            "2024-10-03T17:30:00+00:00", date(2024, 10, 4), id="utc-evening-is-next-local-day"
        ),
        pytest.param("2024-10-03T17:30:00Z", date(2024, 10, 4), id="zulu-suffix"),
        pytest.param("2024-10-03T17:30:00z", date(2024, 10, 4), id="lowercase-zulu"),
        pytest.param("2024-10-04T23:59:59+07:00", date(2024, 10, 4), id="last-second-of-day"),
        pytest.param("2024-10-04T10:15:00", date(2024, 10, 4), id="naive-is-portal-local"),
        pytest.param("2024-10-04", date(2024, 10, 4), id="date-only"),
        pytest.param("22/01/2021 17:11:16", None, id="unparsed-portal-format"),
        pytest.param("", None, id="empty"),
        pytest.param(None, None, id="missing"),
    ],
)
def test_local_date(published_at, day):
    assert local_date(published_at) == day


def test_updated_at_prefers_modified_at():
    record = make_article(1, modified_at="2024-10-04T14:02:31+07:00")
    assert updated_at(record) == parse_timestamp("2024-10-04T14:02:31+07:00")
    assert updated_at(make_article(1)) == parse_timestamp(make_article(1)["published_at"])


@pytest.mark.parametrize(
    ("records", "kwargs", "urls"),
    [
        pytest.param(
            [make_article(1), make_article(3), make_article(2)],
            {},
            [3, 2, 1],
            id="newest-published-first",
        ),
        pytest.param(
            [make_article(n) for n in range(10)], {"limit": 3}, [9, 8, 7], id="limit-keeps-newest"
        ),
        pytest.param(
            [make_article(1), make_article(2, duplicate_of=make_article(1)["url"])],
            {},
            [1],
            id="near-duplicate-left-out",
        ),
        pytest.param(
            [make_article(1), make_article(2, duplicate_of=make_article(1)["url"])],
            {"include_duplicates": True},
            [2, 1],
            id="near-duplicate-kept-on-request",
        ),
        pytest.param(
            [make_article(1), make_article(2, section="Thể thao")],
            {"section": "Thể thao"},
            [2],
            id="one-section",
        ),
        pytest.param([make_article(1), make_article(1, title="sửa")], {}, [1], id="same-url-once"),
        pytest.param(
            [
                make_article(1, published_at="2024-10-04T03:00:00+00:00"),
                make_article(2, published_at="2024-10-04T09:00:00+07:00"),
            ],
            {},
            [1, 2],
            id="offsets-compared-as-instants",
        ),
        pytest.param(
            [make_article(1, published_at="không rõ"), make_article(2)],
            {},
            [2, 1],
            id="unreadable-date-sorts-last",
        ),
    ],
)
def test_latest(records, kwargs, urls):
    assert [r["url"] for r in latest(records, **kwargs)] == [make_article(n)["url"] for n in urls]
