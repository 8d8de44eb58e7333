"""Store behaviour, the same test bodies on SQLite and PostgreSQL (fixture ``store``)."""

from __future__ import annotations

import logging
import sqlite3
import time

import pytest

from newsbot.store import StoreLocked, open_store
from newsbot.store.dedup import Deduplicator
from tests.store.factories import article


def write(store, *records, run_id="run-1"):
    dedup = Deduplicator.from_store(store)
    return store.write_batch([dedup.annotate(dict(r)) for r in records], run_id)


def test_insert_then_unchanged_recrawl_only_bumps_last_seen(store):
    assert write(store, article(1)) == ["new"]
    first = store.get_article(article(1)["url"])
    later = article(1, _fetched_at="2021-01-23T05:00:00+00:00")
    assert write(store, later, run_id="run-2") == ["unchanged"]
    again = store.get_article(article(1)["url"])
    assert again["last_seen_at"] == "2021-01-23T05:00:00+00:00"
    assert {k: v for k, v in again.items() if k != "last_seen_at"} == {
        k: v for k, v in first.items() if k != "last_seen_at"
    }
    assert len(store.versions(article(1)["url"])) == 1
    # The run that changed nothing does not claim the article.
    assert list(store.iter_run_changes("run-2")) == []
    assert [r["url"] for r in store.iter_run_changes("run-1")] == [article(1)["url"]]


def test_changed_body_adds_version_and_keeps_both_texts(store):
    write(store, article(1))
    edited = article(
        1,
        body=article(1)["body"] + "\n\nĐoạn bổ sung sau khi biên tập.",
        modified_at="2021-01-23T08:00:00+07:00",
        _fetched_at="2021-01-23T02:00:00+00:00",
    )
    assert write(store, edited, run_id="run-2") == ["updated"]
    row = store.get_article(edited["url"])
    assert row["version"] == 2
    assert row["body"].endswith("Đoạn bổ sung sau khi biên tập.")
    assert row["modified_at"] == "2021-01-23T08:00:00+07:00"
    assert row["first_seen_at"] == "2021-01-22T11:00:00+00:00"
    versions = store.versions(edited["url"])
    assert [v["version"] for v in versions] == [1, 2]
    assert versions[0]["body"] == article(1)["body"]
    assert versions[1]["body"] == edited["body"]
    assert versions[0]["content_hash"] != versions[1]["content_hash"]
    assert [r["url"] for r in store.iter_run_changes("run-2")] == [edited["url"]]


@pytest.mark.parametrize(
    "other_url",
    [
        pytest.param(
            "https://baohaiduong.vn/phat-hanh-so-dac-biet-150101.html", id="current-layout-url"
        ),
        pytest.param("https://baohaiduong.vn/chinh-tri/tieu-de-da-sua-150101", id="slug-changed"),
        pytest.param(
            "https://baohaiduong.vn/xa-hoi/bai-viet-so-1-150101", id="cross-posted-section"
        ),
    ],
)
def test_same_source_id_under_another_url_is_one_row(store, other_url):
    write(store, article(1))
    assert write(store, article(1, url=other_url), run_id="run-2") == ["unchanged"]
    assert store.count_articles() == 1
    assert store.find_identity(other_url, "baohaiduong", "150101") == article(1)["url"]


def test_metadata_change_with_same_text_updates_in_place(store):
    write(store, article(1))
    assert write(store, article(1, tags=["Hải Dương"], author="PV"), run_id="r2") == ["updated"]
    row = store.get_article(article(1)["url"])
    assert (row["version"], row["tags"], row["author"]) == (1, ["Hải Dương"], "PV")
    assert len(store.versions(row["url"])) == 1


def test_two_records_of_one_article_in_one_batch(store):
    # The m. host variant arrives in the same batch after canonicalisation to one URL.
    assert write(store, article(1), article(1)) == ["new", "unchanged"]
    assert store.count_articles() == 1


def test_json_columns_round_trip_vietnamese(store):
    record = article(
        1,
        images=[
            {"url": "https://bhd.1cdn.vn/a.jpg", "caption": "Nghệ nhân làm bánh gai Ninh Giang"},
            {"url": "https://bhd.1cdn.vn/b.jpg", "caption": None},
        ],
        related=[{"url": "https://baohaiduong.vn/xa-hoi/x-1", "title": "Xứ Đông “đổi mới”"}],
        media=[{"url": "https://media.baohaiduong.vn/a.mp3", "kind": "audio"}],
        tags=["Thể thao", "Bóng đá – V.League"],
        provenance={"title": "structured:jsonld", "images": "fallback:trafilatura"},
    )
    write(store, record)
    row = store.get_article(record["url"])
    for field in ("images", "related", "media", "tags", "provenance"):
        assert row[field] == record[field], field
    assert "modified_at" not in row  # absent on the page, absent in the record


def test_raw_page_kept_compressed(store):
    html = ("<p>Nội dung lặp lại</p>" * 200).encode()
    write(store, article(1, _raw_html=html))
    [page] = list(store.iter_raw_pages())
    assert page == (
        article(1)["url"],
        article(1)["_fetched_url"],
        "2021-01-22T11:00:00+00:00",
        html,
    )
    size, stored = store.query("SELECT size, html FROM raw_pages")[0]
    assert size == len(html) and len(bytes(stored)) < len(html) // 5


def test_bad_record_in_batch_costs_only_itself(store, caplog):
    bad = article(2, published_at="hôm qua")
    with caplog.at_level(logging.ERROR):
        outcomes = store.write_batch([article(1), bad, article(3)], "run-1")
    assert outcomes == ["new", "error", "new"]
    assert store.count_articles() == 2
    assert bad["url"] in caplog.text


@pytest.mark.parametrize(
    "batch",
    [
        pytest.param(
            [article(1), article(2, published_at="hôm qua")], id="batch-retried-one-by-one"
        ),
        pytest.param([article(2, published_at="hôm qua")], id="single-record-batch"),
    ],
)
def test_write_failure_keeps_its_reason(store, batch):
    results = store.write_batch_results(batch, "run-1")
    failed = results[-1]
    assert failed.outcome == "error"
    assert failed.reason.startswith("store write failed: ValueError: ")
    assert "hôm qua" in failed.reason
    assert all(r.reason is None for r in results[:-1])


def test_migrations_are_idempotent(store_target):
    first = open_store(store_target)
    version = first.schema_version()
    first.close()
    again = open_store(store_target)
    assert again.migrate() == []
    assert again.schema_version() == version >= 1
    assert again.query("SELECT COUNT(*) FROM schema_migrations")[0][0] == version
    again.close()


def test_integrity_check_ok(store, store_target):
    write(store, *(article(n) for n in range(1, 6)))
    assert store.integrity_check() == "ok"
    if store.dialect == "sqlite":
        with sqlite3.connect(store_target) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_second_run_lock_raises_at_once(store, store_target):
    other = open_store(store_target)
    try:
        with store.run_lock():
            started = time.monotonic()
            with pytest.raises(StoreLocked, match="another newsbot run holds the store lock"):
                with other.run_lock():
                    pass
            assert time.monotonic() - started < 5  # "at once": no waiting on the holder
        with other.run_lock():  # released with the first holder
            pass
    finally:
        other.close()


def test_run_lifecycle(store):
    assert store.last_run() is None
    store.start_run("20240101T000000Z-aaaaaa", "baohaiduong", {"refresh": "recent"})
    run = store.last_run("baohaiduong")
    assert (run["status"], run["args"], run["finished_at"]) == (
        "running",
        {"refresh": "recent"},
        None,
    )
    store.finish_run(
        "20240101T000000Z-aaaaaa",
        "finished",
        {"new": 2},
        {"title": 1.0},
        {"title": {"layout:legacy": 2}},
        [{"url": "https://baohaiduong.vn/x-1", "reason": "HTTP 500"}],
    )
    run = store.last_run()
    assert run["status"] == "finished" and run["finished_at"]
    assert run["counts"] == {"new": 2}
    assert run["provenance"] == {"title": {"layout:legacy": 2}}
    assert run["errors"] == [{"url": "https://baohaiduong.vn/x-1", "reason": "HTTP 500"}]
    assert store.last_run("other-spider") is None


def test_known_articles_and_related_frontier(store):
    write(store, article(1), article(2, related=[{"url": article(1)["url"], "title": "bài 1"}]))
    known = store.known_articles("baohaiduong")
    assert set(known) == {article(1)["url"], article(2)["url"]}
    assert known[article(1)["url"]] == (
        "150101",
        "2021-01-22T17:11:16+07:00",
        "2021-01-22T11:00:00+00:00",
        article(1)["url"],
        "2021-01-22T11:00:00+00:00",
        (),  # no aliases
    )
    # article(1)'s related link is not stored; article(2)'s points at a stored article.
    assert store.related_frontier("baohaiduong") == [
        "https://baohaiduong.vn/xa-hoi/tin-lien-quan-150001"
    ]
    assert store.known_articles("other") == {}


@pytest.mark.parametrize(
    "query, expected",
    [
        pytest.param({}, [4, 3, 2, 1], id="all-newest-first"),
        pytest.param({"newest_first": False}, [1, 2, 3, 4], id="oldest-first"),
        pytest.param({"limit": 2}, [4, 3], id="limit"),
        pytest.param({"since": "2021-01-21"}, [4, 3, 2], id="since-local-date"),
        pytest.param({"until": "2021-01-21"}, [2, 1], id="until-date-includes-the-day"),
        pytest.param({"since": "2021-01-21T23:30:00"}, [4, 3], id="since-naive-is-local-time"),
        pytest.param({"since": "2021-01-21T16:30:00+00:00"}, [4, 3], id="since-instant-in-utc"),
        pytest.param({"section": "Kinh tế"}, [3, 1], id="section"),
        pytest.param({"include_duplicates": False}, [4, 2, 1], id="without-duplicates"),
    ],
)
def test_iter_articles_filters(store, query, expected):
    dates = {
        1: "2021-01-20T08:00:00+07:00",
        2: "2021-01-21T23:00:00+07:00",
        3: "2021-01-22T00:30:00+07:00",
        4: "2021-01-23T09:00:00+07:00",
    }
    records = []
    for n, published in dates.items():
        record = article(n, published_at=published, body=f"Bài số {n} hoàn toàn khác {n * 7}.")
        record["section"] = "Kinh tế" if n in (1, 3) else "Chính trị"
        records.append(record)
    store.write_batch(records[:2], "run-1")
    store.write_batch([dict(records[2], duplicate_of=records[0]["url"]), records[3]], "run-1")
    got = [int(r["source_id"][-2:]) for r in store.iter_articles(**query)]
    assert got == expected


def test_known_looks_up_only_the_keys_asked_for(store):
    write(store, article(1), article(2), article(3))
    other_site = article(4, site="other", source_id="150101", url="https://other.invalid/a-1")
    write(store, other_site)
    found = store.known(
        "baohaiduong",
        urls=[article(1)["url"], "https://baohaiduong.vn/never-stored-1"],
        source_ids=["150102", "150101", "999"],
    )
    assert sorted(k.url for k in found) == [article(1)["url"], article(2)["url"]]
    by_url = {k.url: k for k in found}
    assert by_url[article(2)["url"]].source_id == "150102"
    assert by_url[article(1)["url"]].published_at == "2021-01-22T17:11:16+07:00"
    assert store.known("baohaiduong") == []
    assert store.count_known("baohaiduong") == 3 and store.count_known("other") == 1


def test_iter_known_is_a_bounded_window(store):
    write(store, article(1, published_at="2021-01-01T08:00:00+07:00"))
    write(store, article(2, published_at="2021-02-01T08:00:00+07:00"))
    recent = list(store.iter_known("baohaiduong", published_since="2021-01-15T00:00:00+00:00"))
    assert [k.url for k in recent] == [article(2)["url"]]
    assert [k.url for k in store.iter_known("baohaiduong")] == [
        article(2)["url"],
        article(1)["url"],
    ]


def test_prune_drops_old_raw_pages_and_finished_runs_only(store):
    write(store, article(1, _fetched_at="2021-01-01T00:00:00+00:00"))
    write(store, article(2, _fetched_at="2024-06-01T00:00:00+00:00"), run_id="run-2")
    store.start_run("old-finished", "baohaiduong", {})
    store.finish_run("old-finished", "finished", {}, {}, {}, [])
    store.start_run("old-running", "baohaiduong", {})
    assert store.prune("2022-01-01T00:00:00+00:00") == {"raw_pages": 1, "runs": 0}
    assert [p.url for p in store.iter_raw_pages()] == [article(2)["url"]]
    # Both runs started "now": a cut after now prunes the finished one, never the running one.
    assert store.prune("2999-01-01T00:00:00+00:00") == {"raw_pages": 1, "runs": 1}
    assert [r["run_id"] for r in store.recent_runs()] == ["old-running"]
    assert store.count_articles() == 2 and len(store.versions(article(1)["url"])) == 1


def test_dead_links_wait_longer_after_each_failure(store):
    from datetime import UTC, datetime, timedelta

    gone = "https://baohaiduong.vn/xa-hoi/bai-da-xoa-150099"
    start = datetime(2024, 5, 1, tzinfo=UTC)
    store.mark_dead_links("baohaiduong", [(gone, "HTTP 404")], now=start, days=1)
    assert store.dead_links("baohaiduong", start + timedelta(hours=23)) == {gone}
    assert store.dead_links("baohaiduong", start + timedelta(days=1, hours=1)) == set()
    assert store.dead_links("other", start) == set()
    again = start + timedelta(days=2)
    store.mark_dead_links("baohaiduong", [(gone, "HTTP 410")], now=again, days=1)
    assert store.dead_links("baohaiduong", again + timedelta(days=1, hours=12)) == {gone}
    assert store.dead_links("baohaiduong", again + timedelta(days=2, hours=1)) == set()


def test_iter_dated_ids(store):
    write(store, article(1, published_at="2021-01-01T08:00:00+07:00"))
    write(store, article(2, published_at="2021-03-01T08:00:00+07:00", body="Bài khác hẳn số 2."))
    write(store, article(3, published_at="2021-05-01T08:00:00+07:00", body="Bài khác hẳn số 3."))
    got = sorted(
        store.iter_dated_ids("baohaiduong", before="2021-02-01T00:00:00+00:00", after="2021-04-01")
    )
    assert got == [("150101", "2021-01-01T08:00:00+07:00"), ("150103", "2021-05-01T08:00:00+07:00")]
    assert list(store.iter_dated_ids("baohaiduong")) == []


def test_an_edit_seen_under_two_urls_in_one_batch_is_one_new_version(store, caplog):
    write(store, article(1))
    edited = {
        "body": article(1)["body"] + "\n\nĐoạn bổ sung.",
        "_fetched_at": "2021-01-23T00:00:00+00:00",
    }
    other_url = "https://baohaiduong.vn/phat-hanh-so-dac-biet-150101.html"
    with caplog.at_level(logging.WARNING):
        outcomes = write(store, article(1, **edited), article(1, url=other_url, **edited))
    assert outcomes == ["updated", "unchanged"]
    assert "retrying one by one" not in caplog.text  # decided right the first time
    assert [v["version"] for v in store.versions(article(1)["url"])] == [1, 2]
