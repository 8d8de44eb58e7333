"""Issue 11 finding 10: nothing pruned old run files; prune_run_files and newsbot prune."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from newsbot.feeds.prune import prune_run_files
from newsbot.feeds.state import PublishState, write_state

ROOT = Path(__file__).resolve().parents[2]
DAY = 86400


def run_files(feeds: Path, ages: dict[str, float]) -> None:
    now = time.time()
    (feeds / "runs").mkdir(parents=True)
    for run_id, days in ages.items():
        path = feeds / "runs" / f"{run_id}.jsonl"
        path.write_text('{"url": "u"}\n', encoding="utf-8")
        os.utime(path, (now - days * DAY, now - days * DAY))


def test_old_run_files_are_pruned_and_recent_or_busy_ones_kept(tmp_path):
    feeds = tmp_path / "feeds"
    run_files(feeds, {"old": 40, "older": 400, "recent": 2, "busy-old": 40})
    write_state(feeds, PublishState(complete={"recent"}, seen={"busy-old"}))
    (feeds / "by-date").mkdir()
    (feeds / "by-date" / "2020-01-01.jsonl").write_text("{}\n")
    os.utime(feeds / "by-date" / "2020-01-01.jsonl", (0, 0))

    assert [p.name for p in prune_run_files(feeds, older_than_days=30, dry_run=True)] == [
        "old.jsonl",
        "older.jsonl",
    ]
    assert len(list((feeds / "runs").iterdir())) == 4, "a dry run deletes nothing"

    removed = prune_run_files(feeds, older_than_days=30)

    assert sorted(p.name for p in removed) == ["old.jsonl", "older.jsonl"]
    assert sorted(p.name for p in (feeds / "runs").iterdir()) == ["busy-old.jsonl", "recent.jsonl"]
    assert (feeds / "by-date" / "2020-01-01.jsonl").exists(), "partitions are never pruned"


def test_nothing_to_prune_and_bad_age(tmp_path):
    assert prune_run_files(tmp_path / "absent") == []
    with pytest.raises(ValueError):
        prune_run_files(tmp_path, older_than_days=-1)


def test_newsbot_prune_command(tmp_path):
    feeds = tmp_path / "feeds"
    run_files(feeds, {"a": 10, "b": 1})
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "newsbot.cli",
            "prune",
            "--feeds-dir",
            str(feeds),
            "--runs-older-than",
            "5",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (proc.returncode, proc.stderr) == (0, "")
    report = json.loads(proc.stdout)
    assert report["run_files"] == 1 and report["removed"] == [str(feeds / "runs" / "a.jsonl")]
    assert [p.name for p in (feeds / "runs").iterdir()] == ["b.jsonl"]


def test_newsbot_prune_store_older_than_deletes_old_raw_pages_only_on_request(tmp_path, capsys):
    import argparse

    from newsbot.feeds.prune import add_prune_arguments, run_prune
    from newsbot.store import open_store

    db = tmp_path / "newsbot.db"
    with open_store(db) as store:
        store.save_raw_pages(
            [
                {
                    "url": f"https://baohaiduong.vn/a-{n}.html",
                    "_fetched_at": at,
                    "_raw_html": b"<p>x",
                }
                for n, at in enumerate(["2020-01-01T00:00:00+00:00", "2999-01-01T00:00:00+00:00"])
            ]
        )
    parser = argparse.ArgumentParser()
    add_prune_arguments(parser)

    def prune(*argv):
        args = parser.parse_args(
            ["--feeds-dir", str(tmp_path / "feeds"), "--store", str(db), *argv]
        )
        return run_prune(args), json.loads(capsys.readouterr().out)

    status, report = prune()
    assert (status, "store" in report) == (0, False)
    # A dry run says what would go from the store, and deletes nothing.
    status, report = prune("--store-older-than", "90", "--dry-run")
    assert status == 0 and report["store"] == {"raw_pages": 1, "runs": 0}
    with open_store(db) as store:
        assert len(list(store.iter_raw_pages())) == 2
    status, report = prune("--store-older-than", "90")
    assert status == 0 and report["store"]["raw_pages"] == 1
    with open_store(db) as store:
        assert [p.url for p in store.iter_raw_pages()] == ["https://baohaiduong.vn/a-1.html"]


def test_newsbot_prune_dry_run_fails_on_a_store_it_cannot_read(tmp_path, capsys):
    import argparse

    from newsbot.feeds.prune import add_prune_arguments, run_prune

    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"x" * 100)
    parser = argparse.ArgumentParser()
    add_prune_arguments(parser)
    for extra in ([], ["--dry-run"]):
        args = parser.parse_args(
            ["--feeds-dir", str(tmp_path / "feeds"), "--store", str(garbage)]
            + ["--store-older-than", "1", *extra]
        )
        assert run_prune(args) == 2, extra
        assert "newsbot prune:" in capsys.readouterr().err
    assert garbage.read_bytes() == b"x" * 100
