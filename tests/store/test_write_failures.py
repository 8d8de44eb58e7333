"""Finding 7 of issue 11: a COMMIT that fails must not break the write path.

The failure is real on both engines: a deferred constraint that is checked only at
COMMIT and fails for one article (PostgreSQL: a deferred constraint trigger that
raises; SQLite: a deferred foreign key a trigger violates), as a full disk or a lost
server would fail a COMMIT. Before the fix, the per-record retry gave two results
for the failing record, the recorder's flush raised ``zip(strict=True)``'s
ValueError, the run row stayed "running", the crawl exited 0 and the items were
logged in full with their raw HTML.
"""

from __future__ import annotations

import logging

from newsbot.pipelines import writer
from newsbot.store import open_store
from newsbot.store.dedup import Deduplicator
from tests.pipelines.running import make_crawler, run_items
from tests.store.factories import article

POISON = "bai-viet-so-3-"


def poison_commits(store, fragment=POISON):
    """Make every COMMIT that holds an article whose URL contains ``fragment`` fail."""
    if store.dialect == "postgresql":
        store.query(
            "CREATE FUNCTION newsbot_test_poison() RETURNS trigger LANGUAGE plpgsql AS $$"
            f" BEGIN IF position('{fragment}' in NEW.url) > 0 THEN"
            " RAISE EXCEPTION 'could not write block: No space left on device'; END IF;"
            " RETURN NULL; END $$"
        )
        store.query(
            "CREATE CONSTRAINT TRIGGER newsbot_test_poison AFTER INSERT ON articles"
            " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION newsbot_test_poison()"
        )
        return
    store.query("PRAGMA foreign_keys = ON")
    store.query("CREATE TABLE poison_parent (url TEXT PRIMARY KEY)")
    store.query(
        "CREATE TABLE poison_child (url TEXT REFERENCES poison_parent (url)"
        " DEFERRABLE INITIALLY DEFERRED)"
    )
    store.query(
        "CREATE TRIGGER poison AFTER INSERT ON articles"
        f" WHEN instr(NEW.url, '{fragment}') > 0"
        " BEGIN INSERT INTO poison_child VALUES (NEW.url); END"
    )


def annotated(store, records):
    dedup = Deduplicator.from_store(store)
    return [dedup.annotate(dict(r)) for r in records]


def distinct(n):
    return article(n, body=f"Bài số {n} có nội dung riêng {n * 13} về tỉnh Hải Dương.")


def test_finding_7_failed_commit_gives_one_result_per_record(store, caplog):
    poison_commits(store)
    records = annotated(store, [distinct(n) for n in range(1, 6)])
    with caplog.at_level(logging.INFO, logger="newsbot"):
        results = store.write_batch_results(records, "run-1")
    assert len(results) == len(records)
    assert [r.outcome for r in results] == ["new", "new", "error", "new", "new"]
    assert results[2].reason.startswith("store write failed: ")
    assert store.count_articles() == 4
    assert store.get_article(records[2]["url"]) is None
    # The connection is usable afterwards: the next batch (without the poisoned one) commits.
    assert store.write_batch(annotated(store, [distinct(7)]), "run-1") == ["new"]
    # Failures are logged by URL and a one-line reason, never with the record's text.
    assert records[2]["url"] in caplog.text
    assert "Đại hội" not in caplog.text and "<html>" not in caplog.text
    assert all("\n" not in r.getMessage() for r in caplog.records)


def test_finding_7_failed_commit_fails_the_run_with_counts_right(store_target, caplog, monkeypatch):
    crawler = make_crawler(store_target, NEWSBOT_STORE_BATCH=5)
    # Poisoned through the store writer's own connection: SQLite enforces foreign keys
    # per connection (a PostgreSQL trigger holds for every connection anyway).
    poisoned = []

    def open_poisoned(target):
        store = open_store(target)
        poison_commits(store)
        poisoned.append(store)
        return store

    monkeypatch.setattr(writer, "open_store", open_poisoned)
    with caplog.at_level(logging.INFO):
        run_items(crawler, [distinct(n) for n in range(1, 8)])
    with open_store(store_target) as store:
        run = store.last_run("baohaiduong")
        assert store.count_articles() == 6
    assert run["status"] == "failed"
    counts = run["counts"]
    assert (counts["new"], counts["store_errors"], counts["seen"]) == (6, 1, 7)
    assert [e["url"] for e in run["errors"]] == [distinct(3)["url"]]
    assert crawler.stats.get_value("newsbot/exit_status") == 1
    assert len(poisoned) == 1  # the batches went through the writer's connection
    ours = [r for r in caplog.records if r.name.startswith("newsbot")]
    assert not any(r.exc_info for r in ours)
    assert not any("<html>" in r.getMessage() or "Đại hội" in r.getMessage() for r in ours)
