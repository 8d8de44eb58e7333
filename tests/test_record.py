"""The record declared once (newsbot/record.py): derived tuples, the shipped JSON Schema,
and every output of a real crawl validated against it.

The end-to-end test crawls the replica with ``scrapy crawl ... -O x.jsonl`` and checks
the ``-O`` file, the run file, the by-date files, ``all.json`` items' sources and
``newsbot export`` (JSON Lines and CSV) against ``newsbot/record.schema.json``.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
from datetime import datetime
from pathlib import Path

import pytest
from itemadapter import ItemAdapter
from jsonschema import Draft202012Validator, FormatChecker

from newsbot.cli import main
from newsbot.record import (
    ALL_FIELDS,
    BOOKKEEPING_FIELDS,
    COVERAGE_FIELDS,
    JSON_FIELDS,
    OPTIONAL_FIELDS,
    RECORD_FIELDS,
    REQUIRED_FIELDS,
    SCHEMA_VERSION,
    STORED_FIELDS,
    ArticleItem,
    json_schema,
    public_view,
    render_json_schema,
    shipped_json_schema,
)
from replica import Replica
from replica.crawl import ROOT, crawl_command

SCHEMA_FILE = ROOT / "newsbot" / "record.schema.json"

_formats = FormatChecker()


@_formats.checks("date-time", raises=ValueError)
def _is_datetime(value: object) -> bool:
    # jsonschema checks date-time only with an extra package; ISO 8601 with an offset is
    # what the record promises, so check exactly that.
    return not isinstance(value, str) or datetime.fromisoformat(value).tzinfo is not None


VALIDATOR = Draft202012Validator(shipped_json_schema(), format_checker=_formats)


def problems(record: dict) -> list[str]:
    return [f"{'/'.join(map(str, e.path))}: {e.message}" for e in VALIDATOR.iter_errors(record)]


def test_shipped_schema_is_the_one_derived_from_the_item():
    # `python -m newsbot.record > newsbot/record.schema.json` after changing a field.
    assert SCHEMA_FILE.read_text(encoding="utf-8") == render_json_schema()
    assert shipped_json_schema() == json_schema()
    Draft202012Validator.check_schema(json_schema())


def test_field_tuples_come_from_the_item_metadata():
    assert ALL_FIELDS == tuple(ItemAdapter.get_field_names_from_class(ArticleItem))
    assert RECORD_FIELDS[:2] == ("url", "source_id") and "provenance" not in RECORD_FIELDS
    assert REQUIRED_FIELDS == ("title", "published_at", "body")
    assert set(COVERAGE_FIELDS) >= set(REQUIRED_FIELDS)
    assert OPTIONAL_FIELDS == {"modified_at", "media", "aliases", "problems"}
    assert set(BOOKKEEPING_FIELDS) == {
        "content_hash",
        "version",
        "first_seen_at",
        "last_seen_at",
        "duplicate_of",
    }
    assert "schema_version" not in STORED_FIELDS and "problems" not in STORED_FIELDS
    assert set(JSON_FIELDS) >= {"images", "related", "media", "tags", "provenance"}
    for name in ALL_FIELDS:
        meta = ItemAdapter.get_field_meta_from_class(ArticleItem, name)
        assert meta["description"] and meta["kind"] in ("page", "meta", "store"), name


def test_item_states_its_schema_version_and_refuses_undeclared_fields():
    item = ArticleItem(url="https://baohaiduong.vn/a-1")
    assert item["schema_version"] == SCHEMA_VERSION
    with pytest.raises(KeyError):
        ArticleItem(url="u", _raw_html=b"<html>")


@pytest.mark.parametrize(
    "change, error",
    [
        pytest.param(
            {"published_at": "2024-10-04 08:00"}, "published_at", id="date-without-offset"
        ),
        pytest.param({"version": 0}, "version", id="version-zero"),
        pytest.param({"images": [{"url": "a.jpg"}]}, "images/0", id="image-without-caption-key"),
        pytest.param({"schema_version": 99}, "schema_version", id="other-schema-version"),
        pytest.param({"title": ""}, "title", id="empty-title"),
    ],
)
def test_schema_refuses_what_the_contract_refuses(change, error):
    good = public_view(stored_record())
    assert problems(good) == []
    bad = {**good, **change}
    assert any(p.startswith(error) for p in problems(bad)), problems(bad)


def stored_record() -> dict:
    return {
        "url": "https://baohaiduong.vn/bai-1-400001.html",
        "source_id": "400001",
        "site": "baohaiduong",
        "section": "Xã hội",
        "title": "Bài một",
        "published_at": "2024-10-04T08:00:00+07:00",
        "lead": None,
        "body": "Đoạn một.\n\nĐoạn hai.",
        "author": None,
        "images": [{"url": "https://bhd.1cdn.vn/a.jpg", "caption": None}],
        "related": [],
        "tags": [],
        "language": "vi",
        "provenance": {"title": "layout:current"},
        "content_hash": "abc",
        "version": 1,
        "first_seen_at": "2024-10-05T01:00:00+00:00",
        "last_seen_at": "2024-10-05T01:00:00+00:00",
        "duplicate_of": None,
    }


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.mark.e2e
def test_every_output_of_a_crawl_validates_against_the_shipped_schema(tmp_path, capsysbinary):
    replica = Replica(40, 3)
    replica.start()
    try:
        store = str(tmp_path / "newsbot.db")
        out = tmp_path / "items.jsonl"
        cmd = crawl_command(replica.origin, store, tmp_path) + ["-O", str(out)]
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    finally:
        replica.stop()
    assert proc.returncode == 0, proc.stderr[-3000:]

    items = read_jsonl(out)
    assert len(items) >= 30, "the crawl exported its articles"
    feeds = tmp_path / "feeds"
    [run_file] = (feeds / "runs").glob("*.jsonl")
    run_records = read_jsonl(run_file)
    by_date = [r for day in sorted((feeds / "by-date").glob("*.jsonl")) for r in read_jsonl(day)]
    assert main(["export", "--store", store, "--include-duplicates"]) == 0
    exported = [json.loads(line) for line in capsysbinary.readouterr().out.splitlines()]

    for name, records in (
        ("-O", items),
        ("run file", run_records),
        ("by-date", by_date),
        ("export", exported),
    ):
        assert records, name
        for record in records:
            assert problems(record) == [], (name, record["url"])
            assert not any(k.startswith("_") for k in record), (name, "internal key")

    # The same record reaches -O and the run file: every stored field, equal.
    stored = {r["url"]: r for r in run_records}
    assert {r["url"] for r in items} == set(stored)
    for item in items:
        assert {k: item.get(k) for k in STORED_FIELDS} == {
            k: stored[item["url"]].get(k) for k in STORED_FIELDS
        }, item["url"]
    assert {r["url"] for r in exported} == set(stored) == {r["url"] for r in by_date}

    # CSV: the same columns; lists and objects as JSON in their cells.
    assert main(["export", "--store", store, "--include-duplicates", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsysbinary.readouterr().out.decode("utf-8"))))
    assert len(rows) == len(exported)
    for row in rows:
        for field in ("images", "related", "tags"):
            assert isinstance(json.loads(row[field]), list), (field, row[field])
