"""publish_run, and the PublishPipeline calling it, on a real store written by its own write path."""

import json
import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path

import pytest
from lxml import etree

from newsbot.feeds.publish import publish_run
from newsbot.record import SCHEMA_VERSION
from newsbot.store import open_store
from tests.services import pg_dsn_or_skip

from .conftest import make_article

NS = {"a": "http://www.w3.org/2005/Atom"}
ROOT = Path(__file__).resolve().parents[2]


def incoming(n: int, **overrides):
    """Article n as the pipelines hand it to the store (no store bookkeeping yet)."""
    record = make_article(n, **overrides)
    for key in ("content_hash", "version", "first_seen_at", "last_seen_at", "duplicate_of"):
        record.pop(key)
    if overrides.get("duplicate_of"):
        record["duplicate_of"] = overrides["duplicate_of"]
    record["_fetched_at"] = "2024-10-06T01:00:00+00:00"
    record["_raw_html"] = b"<html>not published</html>"
    return record


def run(store, run_id, records, spider="baohaiduong"):
    store.start_run(run_id, spider, {})
    outcomes = store.write_batch(records, run_id)
    assert "error" not in outcomes
    return outcomes


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def atom_ids(path: Path) -> list[str]:
    return etree.parse(str(path)).xpath("a:entry/a:id/text()", namespaces=NS)


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.services),
    ]
)
def store(request, tmp_path):
    """A real store on each engine; publishing must not depend on which."""
    if request.param == "sqlite":
        store = open_store(tmp_path / "newsbot.db")
        yield store
        store.close()
        return
    dsn, drop = pg_dsn_or_skip("newsbot_feeds")
    store = open_store(dsn)
    try:
        yield store
    finally:
        store.close()
        drop()


def partitions(feeds: Path) -> dict[str, list[str]]:
    return {
        p.name: [r["url"] for r in read_jsonl(p)] for p in sorted(feeds.glob("by-date/*.jsonl"))
    }


def test_two_publishes(store, tmp_path):
    feeds = tmp_path / "feeds"
    url = {n: make_article(n)["url"] for n in range(40)}
    # Day 4: articles 0-15 (08:00-23:00); 16 is 00:00 on the 5th (+07:00), still the 4th in UTC.
    first = [incoming(n) for n in range(17)]
    first += [incoming(n, section="Thể thao") for n in (20, 21)]
    first.append(incoming(22, duplicate_of=url[1]))
    run(store, "run-1", first)

    report = publish_run(store, "run-1", feeds)

    assert report["rebuilt_all"] is True
    assert report["run_file"] == {"path": str(feeds / "runs" / "run-1.jsonl"), "count": 20}
    run_records = read_jsonl(feeds / "runs" / "run-1.jsonl")
    assert {r["url"] for r in run_records} == {url[n] for n in [*range(17), 20, 21, 22]}
    assert not any(k.startswith("_") for r in run_records for k in r)
    assert partitions(feeds) == {
        "2024-10-04.jsonl": [url[n] for n in range(16)],
        "2024-10-05.jsonl": [url[16], url[20], url[21], url[22]],
    }
    assert atom_ids(feeds / "all.atom") == [url[n] for n in (21, 20, *range(16, -1, -1))]
    assert atom_ids(feeds / "baohaiduong" / "the-thao.atom") == [url[21], url[20]]
    assert atom_ids(feeds / "baohaiduong" / "xa-hoi.atom") == [url[n] for n in range(16, -1, -1)]
    assert atom_ids(feeds / "baohaiduong" / "all.atom") == atom_ids(feeds / "all.atom")
    all_json = json.loads((feeds / "all.json").read_text(encoding="utf-8"))
    assert [i["id"] for i in all_json["items"]] == atom_ids(feeds / "all.atom")
    index = json.loads((feeds / "index.json").read_text(encoding="utf-8"))
    assert index["sites"] == {
        "baohaiduong": {
            "folder": "baohaiduong",
            "all": {"atom": "baohaiduong/all.atom", "json": "baohaiduong/all.json"},
            "sections": {
                "Thể thao": {
                    "atom": "baohaiduong/the-thao.atom",
                    "json": "baohaiduong/the-thao.json",
                },
                "Xã hội": {"atom": "baohaiduong/xa-hoi.atom", "json": "baohaiduong/xa-hoi.json"},
            },
        }
    }
    assert index["all"] == {"atom": "all.atom", "json": "all.json"}
    assert index["schema_version"] == SCHEMA_VERSION
    assert index["last_run"] == {"id": "run-1", "path": "runs/run-1.jsonl", "count": 20}

    # Run 2: a new article on the 5th, an edit of article 3 (the 4th); nothing else.
    untouched = (feeds / "baohaiduong" / "the-thao.atom").stat().st_mtime_ns
    run(store, "run-2", [incoming(23), incoming(3, body="Nội dung đã sửa.\n\nĐoạn mới.")])
    report = publish_run(store, "run-2", feeds)

    assert report["rebuilt_all"] is False
    assert [r["url"] for r in read_jsonl(feeds / "runs" / "run-2.jsonl")] == [url[23], url[3]]
    assert [p["date"] for p in report["partitions"]] == ["2024-10-04", "2024-10-05"]
    days = partitions(feeds)
    assert days["2024-10-05.jsonl"] == [url[16], url[20], url[21], url[22], url[23]]
    counted = Counter(u for urls in days.values() for u in urls)
    assert set(counted.values()) == {1}, "an article is in two partitions or twice in one"
    assert len(counted) == 21
    edited = next(
        r for r in read_jsonl(feeds / "by-date" / "2024-10-04.jsonl") if r["url"] == url[3]
    )
    assert (edited["version"], edited["body"]) == (2, "Nội dung đã sửa.\n\nĐoạn mới.")
    assert atom_ids(feeds / "all.atom")[0] == url[23]
    assert url[22] not in atom_ids(feeds / "all.atom")
    assert (feeds / "baohaiduong" / "the-thao.atom").stat().st_mtime_ns == untouched
    # The first run's file is history: left as it was.
    assert len(read_jsonl(feeds / "runs" / "run-1.jsonl")) == 20


def test_empty_run_writes_no_run_file_and_no_feed(store, tmp_path):
    feeds = tmp_path / "feeds"
    run(store, "run-1", [incoming(n) for n in range(3)])
    publish_run(store, "run-1", feeds)
    run(store, "run-2", [incoming(n) for n in range(3)])  # unchanged re-crawl

    report = publish_run(store, "run-2", feeds)

    assert report["run_file"] == {"path": None, "count": 0}
    assert not (feeds / "runs" / "run-2.jsonl").exists()
    assert sorted(p.name for p in (feeds / "runs").iterdir()) == ["run-1.jsonl"]
    assert report["partitions"] == [] and report["feeds"] == []
    index = json.loads((feeds / "index.json").read_text(encoding="utf-8"))
    assert index["last_run"] == {"id": "run-2", "path": None, "count": 0}


def test_missing_feed_file_triggers_full_rebuild(store, tmp_path):
    feeds = tmp_path / "feeds"
    run(store, "run-1", [incoming(1), incoming(2, section="Thể thao")])
    publish_run(store, "run-1", feeds)
    (feeds / "baohaiduong" / "the-thao.json").unlink()
    run(store, "run-2", [incoming(3)])

    report = publish_run(store, "run-2", feeds)

    assert report["rebuilt_all"] is True
    feed = json.loads((feeds / "baohaiduong" / "the-thao.json").read_text(encoding="utf-8"))
    assert [i["id"] for i in feed["items"]] == [make_article(2)["url"]]


def test_feed_limit(store, tmp_path):
    run(store, "run-1", [incoming(n) for n in range(12)])
    publish_run(store, "run-1", tmp_path, limit=5)
    assert atom_ids(tmp_path / "all.atom") == [make_article(n)["url"] for n in range(11, 6, -1)]
    assert len(atom_ids(tmp_path / "baohaiduong" / "xa-hoi.atom")) == 5


# A real crawl: a spider yielding stored-shaped items, a store pipeline that only writes in
# close_spider (the worst case for ordering), and PublishPipeline.
CRAWL = """
    import json, sys
    from scrapy import Spider
    from scrapy.crawler import CrawlerProcess
    from newsbot.store import open_store

    records, store_path, feeds_dir, fatal = json.loads(sys.argv[1]), *sys.argv[2:5]

    class RecordsSpider(Spider):
        name = "records"

        async def start(self):
            for record in records:
                yield record

    class LateStorePipeline:
        def __init__(self, crawler):
            self.crawler, self.batch = crawler, []

        @classmethod
        def from_crawler(cls, crawler):
            return cls(crawler)

        def open_spider(self):
            self.crawler.stats.set_value("newsbot/run_id", "run-42")
            if fatal:
                self.crawler.stats.set_value("newsbot/fatal", "store is read-only")

        def process_item(self, item):
            self.batch.append(item)
            return item

        def close_spider(self):
            store = open_store(store_path)
            store.start_run("run-42", "records", {})
            store.write_batch(self.batch, "run-42")
            store.close()

    process = CrawlerProcess(settings={
        "ITEM_PIPELINES": {
            LateStorePipeline: 400,
            "newsbot.pipelines.PublishPipeline": 900,
        },
        "NEWSBOT_STORE": store_path,
        "NEWSBOT_FEEDS_DIR": feeds_dir,
        "NEWSBOT_FEEDS_LIMIT": 2,
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": "INFO",
    })
    process.crawl(RecordsSpider)
    process.start()
"""


@pytest.mark.parametrize(
    "fatal", [pytest.param("", id="normal-run"), pytest.param("1", id="fatal-run-skips")]
)
def test_pipeline_publishes_after_store_pipeline_closed(tmp_path, fatal):
    records = [incoming(n) for n in range(3)]
    for record in records:
        del record["_raw_html"]
    feeds = tmp_path / "feeds"
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            textwrap.dedent(CRAWL),
            json.dumps(records),
            str(tmp_path / "newsbot.db"),
            str(feeds),
            fatal,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    if fatal:
        assert not feeds.exists()
        skipped = [line for line in proc.stderr.splitlines() if "Feeds not published" in line]
        assert len(skipped) == 1 and "store is read-only" in skipped[0]
        return
    assert len(read_jsonl(feeds / "runs" / "run-42.jsonl")) == 3
    assert atom_ids(feeds / "all.atom") == [make_article(n)["url"] for n in (2, 1)]
    assert "'newsbot/published_records': 3" in proc.stderr


def test_pipeline_off_is_not_loaded():
    from scrapy.exceptions import NotConfigured
    from scrapy.utils.test import get_crawler

    from newsbot.pipelines.publish import PublishPipeline

    with pytest.raises(NotConfigured):
        PublishPipeline.from_crawler(get_crawler(settings_dict={"NEWSBOT_PUBLISH": False}))


def test_pipeline_reports_publish_failure_in_stats(tmp_path):
    from scrapy.utils.test import get_crawler

    from newsbot.pipelines.publish import PublishPipeline

    store = tmp_path / "newsbot.db"
    with open_store(store) as s:
        s.write_batch([incoming(1)], "run-1")
    blocker = tmp_path / "feeds"
    blocker.write_text("a file where the feeds directory should be")
    crawler = get_crawler(
        settings_dict={"NEWSBOT_STORE": str(store), "NEWSBOT_FEEDS_DIR": str(blocker)}
    )
    pipeline = PublishPipeline.from_crawler(crawler)
    item = {"url": "u"}
    assert pipeline.process_item(item) is item
    crawler.stats.set_value("newsbot/run_id", "run-1")

    assert pipeline.publish() is None
    assert crawler.stats.get_value("newsbot/publish_error").startswith(
        ("FileExistsError", "NotADirectoryError")
    )


@pytest.mark.parametrize(
    ("status", "had_run_file"),
    [
        pytest.param(None, False, id="killed-run-left-running"),
        pytest.param("shutdown", False, id="interrupted-run-never-published"),
        pytest.param("finished", False, id="finished-run-whose-publish-failed"),
        pytest.param(None, True, id="publish-killed-after-the-run-file"),
    ],
)
def test_unpublished_earlier_run_is_published_along(store, tmp_path, status, had_run_file):
    feeds = tmp_path / "feeds"
    url = {n: make_article(n)["url"] for n in range(30)}
    run(store, "r0", [incoming(1)])
    publish_run(store, "r0", feeds)
    # r1 stores an article on the 4th and one on the 5th, then dies (SIGKILL: no publish,
    # or a publish killed right after it wrote the run file).
    run(store, "r1", [incoming(2), incoming(20, section="Thể thao")])
    if status:
        store.finish_run("r1", status, {}, {}, {}, [])
    r1_file = feeds / "runs" / "r1.jsonl"
    if had_run_file:
        r1_file.write_bytes(b'{"url": "as published then"}\n')
    run(store, "r2", [incoming(3)])

    report = publish_run(store, "r2", feeds)

    if had_run_file:
        # Written whole by the killed publish: kept as history, not rewritten.
        assert report["recovered_runs"] == []
        assert read_jsonl(r1_file) == [{"url": "as published then"}]
    else:
        assert report["recovered_runs"] == [{"run_id": "r1", "path": str(r1_file), "count": 2}]
        assert [r["url"] for r in read_jsonl(r1_file)] == [url[20], url[2]]
    # Either way every day r1 touched is built: the run file does not mean "published".
    assert partitions(feeds) == {
        "2024-10-04.jsonl": [url[1], url[2], url[3]],
        "2024-10-05.jsonl": [url[20]],
    }
    assert atom_ids(feeds / "baohaiduong" / "the-thao.atom") == [url[20]]
    assert [r["url"] for r in read_jsonl(feeds / "runs" / "r2.jsonl")] == [url[3]]
    assert report["complete"] is True
    # The next publish finds r1 published and leaves it alone.
    run(store, "r3", [])
    again = publish_run(store, "r3", feeds)
    assert again["recovered_runs"] == [] and again["partitions"] == []


LONG_SECTION = "Chuyên mục " + "rất dài " * 40  # a slug of about 340 characters


def test_long_section_name_and_section_named_index_publish_every_feed(store, tmp_path):
    feeds = tmp_path / "feeds"
    run(
        store,
        "run-1",
        [
            incoming(1, section=LONG_SECTION),
            incoming(2, section="Index"),
            incoming(3, section="index"),
            incoming(4),
        ],
    )

    report = publish_run(store, "run-1", feeds)

    assert (report["errors"], report["complete"]) == ([], True)
    index = json.loads((feeds / "index.json").read_text(encoding="utf-8"))
    sections = index["sites"]["baohaiduong"]["sections"]
    assert set(sections) == {LONG_SECTION, "Index", "index", "Xã hội"}
    files = [f for pair in sections.values() for f in pair.values()]
    assert len(set(files)) == len(files) == 8, "two sections share a feed file"
    for name in files:
        assert len(Path(name).name) <= 85
        assert Path(name).name not in ("index.json", "all.json", "all.atom")
        assert atom_ids(feeds / name) if name.endswith(".atom") else (feeds / name).is_file()
    assert atom_ids(feeds / sections[LONG_SECTION]["atom"]) == [make_article(1)["url"]]
    assert "items" not in index, "index.json was overwritten by a section's JSON Feed"


def test_unwritable_feed_is_reported_and_stops_no_other(store, tmp_path):
    feeds = tmp_path / "feeds"
    url = {n: make_article(n)["url"] for n in range(10)}
    run(store, "run-1", [incoming(1), incoming(2, section="Thể thao")])
    publish_run(store, "run-1", feeds)
    blocked = feeds / "baohaiduong" / "the-thao.atom"
    blocked.unlink()
    blocked.mkdir()  # the file system refuses this one feed file
    run(store, "run-2", [incoming(3, section="Thể thao"), incoming(4), incoming(5)])

    report = publish_run(store, "run-2", feeds)

    assert report["complete"] is False
    assert [e["path"] for e in report["errors"]] == [str(blocked)]
    assert atom_ids(feeds / "all.atom")[0] == url[5]
    assert atom_ids(feeds / "baohaiduong" / "xa-hoi.atom")[:2] == [url[5], url[4]]
    index = json.loads((feeds / "index.json").read_text(encoding="utf-8"))
    assert index["last_run"]["id"] == "run-2"
    assert index["errors"][0]["path"] == "baohaiduong/the-thao.atom"
    state = json.loads((feeds / ".publish-state.json").read_text(encoding="utf-8"))
    assert state["last_run"] == "run-1", "an incomplete publish must not be marked complete"

    # Once the file system takes it again, the next run (with nothing new) catches up.
    blocked.rmdir()
    run(store, "run-3", [])
    report = publish_run(store, "run-3", feeds)
    assert (report["errors"], report["complete"]) == ([], True)
    assert atom_ids(blocked) == [url[3], url[2]]
    assert "errors" not in json.loads((feeds / "index.json").read_text(encoding="utf-8"))


def test_pipeline_exits_non_zero_when_a_feed_fails(tmp_path):
    from scrapy.utils.test import get_crawler

    from newsbot.pipelines.publish import PublishPipeline

    store, feeds = tmp_path / "newsbot.db", tmp_path / "feeds"
    with open_store(store) as s:
        run(s, "run-1", [incoming(1)])
    (feeds / "baohaiduong" / "xa-hoi.json").mkdir(parents=True)
    crawler = get_crawler(
        settings_dict={"NEWSBOT_STORE": str(store), "NEWSBOT_FEEDS_DIR": str(feeds)}
    )
    pipeline = PublishPipeline.from_crawler(crawler)
    crawler.stats.set_value("newsbot/run_id", "run-1")

    report = pipeline.publish()

    assert report is not None and len(report["errors"]) == 1
    assert crawler.stats.get_value("newsbot/exit_status") == 1
    assert "xa-hoi.json" in crawler.stats.get_value("newsbot/publish_error")
    assert atom_ids(feeds / "all.atom") == [make_article(1)["url"]]


def test_two_sites_with_one_section_name_get_their_own_feeds(store, tmp_path):
    feeds = tmp_path / "feeds"
    other = {"site": "baonghean", "section": "Kinh tế"}
    run(
        store,
        "run-1",
        [
            incoming(1, section="Kinh tế"),
            incoming(2, url="https://baonghean.vn/bai-2.html", **other),
            incoming(3, url="https://baonghean.vn/bai-3.html", **other),
        ],
    )

    publish_run(store, "run-1", feeds)

    assert atom_ids(feeds / "baohaiduong" / "kinh-te.atom") == [make_article(1)["url"]]
    assert atom_ids(feeds / "baonghean" / "kinh-te.atom") == [
        "https://baonghean.vn/bai-3.html",
        "https://baonghean.vn/bai-2.html",
    ]
    assert atom_ids(feeds / "baonghean" / "all.atom") == atom_ids(
        feeds / "baonghean" / "kinh-te.atom"
    )
    assert len(atom_ids(feeds / "all.atom")) == 3
    index = json.loads((feeds / "index.json").read_text(encoding="utf-8"))
    assert {s: list(e["sections"]) for s, e in index["sites"].items()} == {
        "baohaiduong": ["Kinh tế"],
        "baonghean": ["Kinh tế"],
    }
    title = etree.parse(str(feeds / "baonghean" / "kinh-te.atom")).findtext(
        "a:title", namespaces=NS
    )
    assert title == "baonghean: Kinh tế"

    # An incremental publish touching one site rewrites its feeds, not the other's.
    untouched = (feeds / "baohaiduong" / "kinh-te.atom").stat().st_mtime_ns
    run(store, "run-2", [incoming(4, url="https://baonghean.vn/bai-4.html", **other)])
    report = publish_run(store, "run-2", feeds)
    assert {f["name"] for f in report["feeds"]} == {"all", "baonghean/all", "baonghean/kinh-te"}
    assert atom_ids(feeds / "baonghean" / "kinh-te.atom")[0] == "https://baonghean.vn/bai-4.html"
    assert (feeds / "baohaiduong" / "kinh-te.atom").stat().st_mtime_ns == untouched


def test_feeds_of_the_single_folder_layout_are_replaced(store, tmp_path):
    feeds = tmp_path / "feeds"
    feeds.mkdir()
    # What an earlier newsbot left: section feeds at the top, an index naming them.
    for name in ("xa-hoi.atom", "xa-hoi.json", "all.atom", "all.json"):
        (feeds / name).write_text("old")
    (feeds / "index.json").write_text(json.dumps({"sections": {"Xã hội": "xa-hoi"}}))
    run(store, "run-1", [incoming(1)])

    report = publish_run(store, "run-1", feeds)

    assert report["rebuilt_all"] is True
    assert not (feeds / "xa-hoi.atom").exists() and not (feeds / "xa-hoi.json").exists()
    assert atom_ids(feeds / "all.atom") == atom_ids(feeds / "baohaiduong" / "xa-hoi.atom")
    assert "sections" not in json.loads((feeds / "index.json").read_text(encoding="utf-8"))


def test_reparse_that_moves_an_article_to_another_day_leaves_no_copy_behind(store, tmp_path):
    feeds = tmp_path / "feeds"
    url = {n: make_article(n)["url"] for n in range(5)}
    run(store, "run-1", [incoming(1), incoming(2)])
    publish_run(store, "run-1", feeds)
    assert partitions(feeds) == {"2024-10-04.jsonl": [url[1], url[2]]}
    # A date-parser fix: reparse finds article 1 was published on the 6th.
    store.start_run("rp-1", "reparse", {})
    store.write_batch([incoming(1, published_at="2024-10-06T09:00:00+07:00")], "rp-1")
    store.finish_run("rp-1", "finished", {}, {}, {}, [])
    run(store, "run-2", [])

    publish_run(store, "run-2", feeds)

    assert partitions(feeds) == {
        "2024-10-04.jsonl": [url[2]],
        "2024-10-06.jsonl": [url[1]],
    }


def test_run_of_another_site_still_writing_is_shown_again_until_it_publishes(store, tmp_path):
    feeds = tmp_path / "feeds"
    other = {"site": "baonghean", "section": "Kinh tế"}
    run(store, "a-0", [incoming(1)])
    publish_run(store, "a-0", feeds)
    # b-1 (another site, its own lock) is crawling while a-1 ends and publishes.
    store.start_run("b-1", "baonghean", {})
    store.write_batch([incoming(2, url="https://baonghean.vn/bai-2.html", **other)], "b-1")
    run(store, "a-1", [incoming(3)])
    publish_run(store, "a-1", feeds)
    state = json.loads((feeds / ".publish-state.json").read_text(encoding="utf-8"))
    assert ("b-1" in state["seen"], "b-1" in state["complete"]) == (True, False)
    assert atom_ids(feeds / "baonghean" / "kinh-te.atom") == ["https://baonghean.vn/bai-2.html"]

    # b-1 stores more after a-1's publish, then is killed before publishing itself: the
    # next publish (of either site) shows what it stored since.
    store.write_batch([incoming(4, url="https://baonghean.vn/bai-4.html", **other)], "b-1")
    run(store, "a-2", [])
    publish_run(store, "a-2", feeds)
    assert atom_ids(feeds / "baonghean" / "kinh-te.atom")[0] == "https://baonghean.vn/bai-4.html"
    state = json.loads((feeds / ".publish-state.json").read_text(encoding="utf-8"))
    assert "b-1" in state["seen"], "still possibly writing: shown again next time"

    # A later run of the same site proves b-1 dead: shown once more, then complete.
    run(store, "b-2", [], spider="baonghean")
    store.finish_run("b-2", "finished", {}, {}, {}, [])
    run(store, "a-3", [])
    publish_run(store, "a-3", feeds)
    state = json.loads((feeds / ".publish-state.json").read_text(encoding="utf-8"))
    assert "b-1" in state["complete"] and state["seen"] == []


def test_every_directory_is_durable_before_the_marker_says_published(store, tmp_path, monkeypatch):
    # Directory fsyncs are batched per publish (one per directory, not per file); the
    # completion marker must still come after every one of them.
    from newsbot.feeds import atomic
    from newsbot.feeds.layout import STATE_FILE

    events: list[tuple[str, str]] = []
    real_sync, real_replace = atomic._fsync_directory, atomic.os.replace

    def sync(directory):
        events.append(("sync", str(directory)))
        real_sync(directory)

    def replace(src, dst):
        events.append(("rename", str(dst)))
        real_replace(src, dst)

    monkeypatch.setattr(atomic, "_fsync_directory", sync)
    monkeypatch.setattr(atomic.os, "replace", replace)
    feeds = tmp_path / "feeds"
    run(
        store,
        "r1",
        [incoming(n, published_at=f"2024-10-0{1 + n % 5}T08:00:00+07:00") for n in range(12)],
    )
    report = publish_run(store, "r1", feeds)
    assert report["complete"]
    marker = next(i for i, (kind, path) in enumerate(events) if path.endswith(STATE_FILE))
    renamed = {str(Path(p).parent) for kind, p in events[:marker] if kind == "rename"}
    synced_before = [p for kind, p in events[:marker] if kind == "sync"]
    assert renamed and renamed <= set(synced_before)
    assert len(synced_before) == len(set(synced_before))  # once each, not once per file
    assert len([e for e in events if e[0] == "rename"]) > len(synced_before)
    # The marker's own directory is synced after it.
    assert ("sync", str(feeds)) in events[marker + 1 :]


@pytest.mark.parametrize("edits", [1, 2], ids=["one-edit", "two-edits-before-a-publish"])
def test_edit_that_moves_an_article_to_another_day_leaves_no_copy_behind(store, tmp_path, edits):
    # The portal corrects an article's date: the crawl stores the edit, and the day the
    # article left must be rebuilt without it (not only the day it moved to). With two
    # moves before one publish (the first run's publish failed), both days it left are.
    feeds = tmp_path / "feeds"
    url = {n: make_article(n)["url"] for n in range(5)}
    run(store, "run-1", [incoming(1), incoming(2)])
    publish_run(store, "run-1", feeds)
    assert partitions(feeds) == {"2024-10-04.jsonl": [url[1], url[2]]}
    days = ["2024-10-06", "2024-10-08"][:edits]
    for n, day in enumerate(days, start=2):
        run(store, f"run-{n}", [incoming(1, published_at=f"{day}T09:00:00+07:00")])
        store.finish_run(f"run-{n}", "finished", {}, {}, {}, [])
    last = f"run-{1 + edits}"

    report = publish_run(store, last, feeds)

    assert report["complete"]
    assert partitions(feeds) == {"2024-10-04.jsonl": [url[2]], f"{days[-1]}.jsonl": [url[1]]}
    by_url = Counter(u for urls in partitions(feeds).values() for u in urls)
    assert set(by_url.values()) == {1}  # every stored article in exactly one by-date file
    assert "left_published" not in store.get_article(url[1])  # never part of a record


def test_finding9_an_article_stored_with_a_date_centuries_ahead_does_not_top_the_feeds(
    store, tmp_path
):
    """A record dated 2999 (stored before such dates were refused as wrong) stays in the
    store and in its by-date file, but no feed shows it: it would top them for centuries.
    Both ways of choosing a feed's records: a full rebuild and a run's touched feeds."""
    feeds = tmp_path / "feeds"
    future = incoming(1, published_at="2999-01-01T08:00:00+07:00")
    run(store, "run-1", [incoming(0), future, incoming(2)])
    publish_run(store, "run-1", feeds)  # first publish: a full pass over the store
    url = {n: make_article(n)["url"] for n in range(4)}
    for path in ("all.atom", "baohaiduong/all.atom", "baohaiduong/xa-hoi.atom"):
        assert atom_ids(feeds / path) == [url[2], url[0]], path
    assert [r["url"] for r in read_jsonl(feeds / "by-date" / "2999-01-01.jsonl")] == [url[1]]
    run(store, "run-2", [incoming(3)])
    assert publish_run(store, "run-2", feeds)["rebuilt_all"] is False
    assert atom_ids(feeds / "all.atom") == [url[3], url[2], url[0]]
    assert atom_ids(feeds / "baohaiduong" / "xa-hoi.atom") == [url[3], url[2], url[0]]
