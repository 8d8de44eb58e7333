import json

import pytest

from newsbot.feeds.jsonl import dumps_record, render_jsonl, write_jsonl
from newsbot.record import SCHEMA_VERSION

from .conftest import make_article


def test_round_trip_vietnamese_without_escapes(tmp_path, current_article):
    records = [current_article, make_article(1)]
    path = tmp_path / "runs" / "run-1.jsonl"
    assert write_jsonl(path, iter(records)) == 2

    raw = path.read_bytes()
    text = raw.decode("utf-8")
    assert "\\u" not in text
    assert "Phát triển văn hóa đọc thúc đẩy học tập suốt đời" in text
    assert text.endswith("\n") and text.count("\n") == 2
    # Every output record states the version of its shape (newsbot.record).
    assert [json.loads(line) for line in text.splitlines()] == [
        {**r, "schema_version": SCHEMA_VERSION} for r in records
    ]


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        pytest.param(
            {"url": "u", "_raw_html": "<html>", "_fetched_at": "x"},
            {"url": "u"},
            id="internal-keys-dropped",
        ),
        pytest.param(
            {"tags": [], "url": "u", "title": "t", "provenance": {"title": "layout"}},
            {"url": "u", "title": "t", "tags": [], "provenance": {"title": "layout"}},
            id="contract-order-extra-fields-kept",
        ),
        pytest.param(
            {"url": "u", "body": "a\u2028b\u2029c"},
            {"url": "u", "body": "a\u2028b\u2029c"},
            id="unicode-line-separators-survive-splitlines",
        ),
        pytest.param(
            {"url": "u", "body": "dòng 1\n\ndòng 2\ttab"},
            {"url": "u", "body": "dòng 1\n\ndòng 2\ttab"},
            id="newlines-in-body-stay-on-one-line",
        ),
    ],
)
def test_dumps_record(record, expected):
    line = dumps_record(record)
    assert len(line.splitlines()) == 1
    parsed = json.loads(line)
    expected = {**expected, "schema_version": SCHEMA_VERSION}
    assert parsed == expected
    assert list(parsed) == list(expected)


def test_render_matches_write(tmp_path):
    records = [make_article(n) for n in range(3)]
    path = tmp_path / "x.jsonl"
    write_jsonl(path, records)
    assert path.read_bytes() == render_jsonl(records)
    assert render_jsonl([]) == b""
