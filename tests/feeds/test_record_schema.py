"""Records in the run files, the by-date partitions and ``newsbot export`` validate against
the shipped JSON Schema of the record (issue 7: the same record shape everywhere)."""

import argparse
import json

import pytest
from jsonschema import Draft202012Validator

from newsbot.feeds.export import add_export_arguments, run_export
from newsbot.feeds.publish import publish_run
from newsbot.record import shipped_json_schema
from newsbot.store import open_store

from .conftest import make_article
from .test_publish import incoming, run


@pytest.fixture(scope="module")
def validator():
    schema = shipped_json_schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def problems(validator, record):
    return [f"{'/'.join(map(str, e.path))}: {e.message}" for e in validator.iter_errors(record)]


@pytest.fixture
def published(tmp_path):
    """A store with a plain article, an edited one, a near-duplicate, one with media and
    modified_at, and a second site; published twice."""
    feeds = tmp_path / "feeds"
    with open_store(tmp_path / "newsbot.db") as store:
        run(
            store,
            "run-1",
            [incoming(1), incoming(2), incoming(3, duplicate_of=make_article(1)["url"])],
        )
        publish_run(store, "run-1", feeds)
        run(
            store,
            "run-2",
            [
                incoming(2, body="Nội dung đã sửa.\n\nĐoạn mới."),
                incoming(
                    4,
                    modified_at="2024-10-04T15:00:00+07:00",
                    media=[{"url": "https://bhd.1cdn.vn/v.mp4", "kind": "video"}],
                ),
                incoming(5, site="baonghean", url="https://baonghean.vn/bai-5.html"),
            ],
        )
        publish_run(store, "run-2", feeds)
    return tmp_path


def test_published_records_validate(validator, published):
    files = sorted((published / "feeds").glob("runs/*.jsonl"))
    files += sorted((published / "feeds").glob("by-date/*.jsonl"))
    records = [
        json.loads(line) for path in files for line in path.read_text(encoding="utf-8").splitlines()
    ]
    assert len(records) == 3 + 3 + 5
    for record in records:
        assert problems(validator, record) == [], record["url"]


def test_exported_records_validate(validator, published, capsysbinary):
    parser = argparse.ArgumentParser()
    add_export_arguments(parser)
    args = parser.parse_args(["--store", str(published / "newsbot.db"), "--include-duplicates"])
    assert run_export(args) == 0
    lines = capsysbinary.readouterr().out.decode("utf-8").splitlines()
    assert len(lines) == 5
    for line in lines:
        record = json.loads(line)
        assert problems(validator, record) == [], record["url"]


def test_the_validator_catches_a_broken_record(validator):
    record = {**make_article(1), "schema_version": 1, "provenance": {}}
    assert problems(validator, record) == []
    broken = {**record, "images": "https://bhd.1cdn.vn/a.jpg"}
    del broken["title"]
    assert len(problems(validator, broken)) == 2
