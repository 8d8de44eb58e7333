"""Schema versions, migrations, read-only opening and unusable store files."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone

import pytest

from newsbot.cli import main as newsbot
from newsbot.store import StoreError, open_store, schema
from newsbot.store.dedup import Deduplicator
from newsbot.store.engines import open_engine
from tests.store.factories import article

VN = timezone(timedelta(hours=7))


def write(store, *records, run_id="run-1"):
    dedup = Deduplicator.from_store(store)
    return store.write_batch([dedup.annotate(dict(r)) for r in records], run_id)


@pytest.mark.services
def test_postgresql_published_at_is_timestamptz_without_cast(pg_database):
    from tests.services import pg_schema_dsn

    dsn, cleanup = pg_schema_dsn(pg_database)
    last_year = (datetime.now(VN) - timedelta(days=365)).isoformat(timespec="seconds")
    try:
        with open_store(dsn) as store:
            write(
                store,
                article(1, published_at=last_year),
                article(2, published_at="1999-05-01T08:00:00+07:00", body="Bài khác hẳn."),
            )
            store.start_run("r1", "baohaiduong", {"refresh": "recent"})
            assert store.query(
                "SELECT count(*) FROM articles WHERE published_at > now() - interval '3 years'"
            ) == [(1,)]
            types = dict(
                store.query(
                    "SELECT column_name, data_type FROM information_schema.columns"
                    " WHERE table_schema = current_schema() AND table_name = 'articles'"
                )
            )
            assert types["published_at"] == "timestamp with time zone"
            assert types["modified_at"] == "timestamp with time zone"
            assert types["first_seen_at"] == "timestamp with time zone"
            assert types["images"] == types["provenance"] == "jsonb"
            assert store.query("SELECT count(*) FROM articles WHERE tags @> '[\"Hải Dương\"]'") == [
                (2,)
            ]
            assert store.query(
                "SELECT args->>'refresh' FROM crawl_runs WHERE started_at > now() - interval '1 hour'"
            ) == [("recent",)]
            # The publisher's printed time (its own offset) still reads back as written.
            assert store.get_article(article(1)["url"])["published_at"] == last_year
    finally:
        cleanup()


def _version_1_store(target):
    """A store as the first release left it: migration 1 only, one article, one run."""
    db = open_engine(target)
    db.execute(schema.CREATE_MIGRATIONS_TABLE)
    with db.transaction():
        for statement in schema.MIGRATIONS[0].statements(db.dialect):
            db.execute(statement)
        p = db.param
        db.execute(
            f"INSERT INTO schema_migrations VALUES ({p}, {p}, {p})",
            (1, "initial schema", "2024-01-01T00:00:00+00:00"),
        )
        db.execute(
            "INSERT INTO articles (url, source_id, site, section, title, published_at,"
            " published_utc, modified_at, body, images, tags, provenance, content_hash,"
            " first_seen_at, last_seen_at)"
            f" VALUES ({', '.join([p] * 15)})",
            (
                "https://baohaiduong.vn/a-1",
                "1",
                "baohaiduong",
                "Kinh tế",
                "Tiêu đề",
                "2021-01-22T17:11:16+07:00",
                "2021-01-22T10:11:16+00:00",
                "2021-01-23T08:00:00+07:00",
                "Nội dung",
                '[{"url":"https://x.invalid/a.jpg","caption":"Ảnh"}]',
                '["Hải Dương"]',
                '{"title":"layout:legacy"}',
                "abc",
                "2021-01-22T11:00:00+00:00",
                "2021-01-22T11:00:00+00:00",
            ),
        )
        db.execute(
            "INSERT INTO crawl_runs (run_id, spider, started_at, status, args)"
            f" VALUES ({p}, {p}, {p}, {p}, {p})",
            ("r0", "baohaiduong", "2024-01-01T00:00:00.000001+00:00", "finished", "{}"),
        )
    db.close()


def test_version_1_store_is_migrated_and_reads_back_the_same(store_target):
    _version_1_store(store_target)
    with open_store(store_target) as store:
        assert store.schema_version() == schema.LATEST
        row = store.get_article("https://baohaiduong.vn/a-1")
        assert row["published_at"] == "2021-01-22T17:11:16+07:00"
        assert row["modified_at"] == "2021-01-23T08:00:00+07:00"
        assert row["images"] == [{"url": "https://x.invalid/a.jpg", "caption": "Ảnh"}]
        assert row["tags"] == ["Hải Dương"]
        assert row["first_seen_at"] == "2021-01-22T11:00:00+00:00"
        run = store.last_run(site="baohaiduong")
        assert (run["run_id"], run["started_at"]) == ("r0", "2024-01-01T00:00:00.000001+00:00")
        assert [r["source_id"] for r in store.iter_articles(since="2021-01-22")] == ["1"]


def test_read_only_open_never_migrates_nor_writes(store_target):
    _version_1_store(store_target)
    with pytest.raises(StoreError, match="schema version 1, older than .* next crawl upgrades"):
        open_store(store_target, readonly=True)
    open_store(store_target).close()  # a writable open migrates
    with open_store(store_target, readonly=True) as store:
        assert store.readonly and store.schema_version() == schema.LATEST
        assert [r["url"] for r in store.iter_articles()] == ["https://baohaiduong.vn/a-1"]
        with pytest.raises(StoreError, match="read-only"):
            store.migrate()
        with pytest.raises(StoreError, match="read-only"):
            store.run_lock("baohaiduong")
        [result] = store.write_batch_results([article(5)], "r-ro")
        assert result.outcome == "error"
    with open_store(store_target) as store:
        assert store.count_articles() == 1


def test_read_only_open_of_a_missing_store_creates_nothing(tmp_path):
    target = tmp_path / "absent" / "newsbot.db"
    with pytest.raises(StoreError, match="no store at"):
        open_store(target, readonly=True)
    assert not target.parent.exists()


def test_finding_10_a_store_of_a_future_schema_version_is_refused(store_target, capsys):
    open_store(store_target).close()
    db = open_engine(store_target)
    p = db.param
    with db.transaction():
        db.execute(
            f"INSERT INTO schema_migrations (version, name, applied_at) VALUES ({p}, {p}, {p})",
            (schema.LATEST + 7, "from the future", "2030-01-01T00:00:00+00:00"),
        )
    db.close()
    for readonly in (False, True):
        with pytest.raises(StoreError, match="written by a newer newsbot") as info:
            open_store(store_target, readonly=readonly)
        assert "\n" not in str(info.value)
    assert newsbot(["stats", "--store", store_target]) != 0
    err = capsys.readouterr().err
    assert "newer newsbot" in err and "Traceback" not in err and err.count("\n") == 1


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda good: b"this is not a database at all\n" * 100, id="garbage"),
        pytest.param(lambda good: good[: len(good) // 3], id="truncated"),
        pytest.param(lambda good: good[:100], id="truncated-header"),
        pytest.param(lambda good: b"", id="empty-file"),
    ],
)
def test_finding_10_a_garbage_or_truncated_store_file_is_one_clear_line(tmp_path, capsys, damage):
    good = tmp_path / "good.db"
    with open_store(good) as store:
        write(store, *(article(n, body=f"Bài {n} " * 400) for n in range(1, 30)))
    conn = sqlite3.connect(good)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    bad = tmp_path / "bad.db"
    bad.write_bytes(damage(good.read_bytes()))
    for readonly in (False, True):
        try:
            store = open_store(bad, readonly=readonly)
        except StoreError as exc:
            assert "\n" not in str(exc) and str(bad) in str(exc)
            continue
        # An empty file is a new store when writable; nothing else may open quietly.
        assert bad.read_bytes()[:16] in (b"", b"SQLite format 3\x00"), readonly
        store.close()
    for command in (["stats"], ["export", "--format", "jsonl"]):
        bad.write_bytes(damage(good.read_bytes()))
        status = newsbot([*command, "--store", str(bad)])
        captured = capsys.readouterr()
        assert "Traceback" not in captured.err
        if damage(good.read_bytes()):
            assert status != 0, command
            assert captured.err.strip().count("\n") == 0, captured.err
