"""Issue 11 finding 2: a crash during publish must not lose by-date files for good.

Ten runs are each killed (SIGKILL) at a random moment while they publish, then one
normal run publishes: every stored article must be in exactly one by-date file (the one
of its day, as the store holds it) and every feed must parse. Before the completion
marker, a publish killed after it wrote the run file left the touched days unbuilt
forever, since the run file's existence meant "published".
"""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import textwrap
import time
from collections import Counter
from pathlib import Path

import pytest
from lxml import etree

from newsbot.feeds.publish import partition_records
from newsbot.feeds.selection import local_date
from newsbot.record import public_view
from newsbot.store import open_store
from tests.services import pg_dsn_or_skip

from .conftest import make_article

ROOT = Path(__file__).resolve().parents[2]

# One crawl run as the pipelines make it: the run row, its records in one batch, then the
# publish (timed), then the run's end. "publishing" tells the test when to start its clock.
RUN = """
    import json, sys, time
    from newsbot.feeds.publish import publish_run
    from newsbot.store import open_store

    store_path, feeds_dir, run_id, records_file = sys.argv[1:5]
    records = json.loads(open(records_file, encoding="utf-8").read())
    store = open_store(store_path)
    store.start_run(run_id, "baohaiduong", {})
    store.write_batch(records, run_id)
    print("publishing", flush=True)
    started = time.monotonic()
    report = publish_run(store, run_id, feeds_dir)
    store.finish_run(run_id, "finished", {}, {}, {}, [])
    print("done", time.monotonic() - started, report.get("complete", True), flush=True)
"""


def article(n: int, rng: random.Random, **overrides) -> dict:
    """Article n on one of 60 days, at a random hour (some near local midnight)."""
    day, hour = rng.randrange(60), rng.choice([0, 1, 6, 12, 16, 17, 23])
    record = make_article(
        n,
        published_at=f"2024-{8 + day // 30:02d}-{1 + day % 30:02d}T{hour:02d}:{n % 60:02d}:00+07:00",
        section=rng.choice(["Xã hội", "Thể thao", "Khoa học - Giáo dục", "Kinh tế"]),
        title=f"Bài {n}: {rng.random()}",
        body=f"Nội dung bài {n}.\n\n{rng.random()}",
        **overrides,
    )
    for key in ("content_hash", "version", "first_seen_at", "last_seen_at", "duplicate_of"):
        record.pop(key)
    return record


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.services),
    ]
)
def store_target(request, tmp_path):
    """Where the runs store: the publish must catch up the same way on either engine."""
    if request.param == "sqlite":
        yield str(tmp_path / "newsbot.db")
        return
    dsn, drop = pg_dsn_or_skip("newsbot_publish_crash")
    try:
        yield dsn
    finally:
        drop()


def crawl_and_publish(
    tmp_path: Path, store: str, run_id: str, records: list[dict]
) -> subprocess.Popen:
    batch = tmp_path / f"{run_id}.json"
    batch.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    return subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(RUN),
            store,
            str(tmp_path / "feeds"),
            run_id,
            str(batch),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )


def finish(proc: subprocess.Popen) -> float:
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode == 0, out
    done = [line.split() for line in out.splitlines() if line.startswith("done")]
    assert done and done[0][2] == "True", out
    return float(done[0][1])


def test_ten_sigkills_during_publish_lose_no_by_date_file(tmp_path, store_target):
    rng = random.Random(11)
    feeds = tmp_path / "feeds"
    # A first run stores 300 articles over 60 days and publishes completely.
    stored = [article(n, rng) for n in range(300)]
    duration = finish(crawl_and_publish(tmp_path, store_target, "run-00", stored))
    next_n, killed = 300, 0
    for round_ in range(1, 11):
        # Each run adds 20 articles and edits 10 stored ones (a new text, same day).
        records = [article(next_n + i, rng) for i in range(20)]
        next_n += 20
        for old in rng.sample(stored, 10):
            records.append({**old, "body": f"{old['body']}\n\nSửa lần {round_}."})
        stored += records[:20]
        proc = crawl_and_publish(tmp_path, store_target, f"run-{round_:02d}", records)
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "publishing"
        time.sleep(rng.uniform(0, duration))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            killed += 1
        out, _ = proc.communicate(timeout=120)
        if proc.returncode == 0:  # the publish was quicker than the draw: time the next
            duration = float(next(line.split()[1] for line in out.splitlines() if "done" in line))
    assert killed >= 5, f"only {killed} of 10 runs were killed while publishing"

    # Then a normal run, with nothing new.
    finish(crawl_and_publish(tmp_path, store_target, "run-11", []))

    with open_store(store_target) as store:
        articles = list(store.iter_articles(include_duplicates=True))
        days = {local_date(r["published_at"]) for r in articles}
        expected = {
            f"{day.isoformat()}.jsonl": [
                json.dumps(public_view(r), sort_keys=True) for r in partition_records(store, day)
            ]
            for day in days
        }
    assert len(articles) == 500
    seen = Counter()
    got = {}
    for path in sorted((feeds / "by-date").glob("*.jsonl")):
        lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        seen.update(r["url"] for r in lines)
        got[path.name] = [json.dumps(r, sort_keys=True) for r in lines]
    assert set(seen) == {r["url"] for r in articles}, "stored articles missing from by-date/"
    assert set(seen.values()) == {1}, "an article is in two by-date files"
    assert got == expected, "a by-date file is not the store's day"

    index = json.loads((feeds / "index.json").read_text(encoding="utf-8"))
    listed = [index["all"]["atom"], index["all"]["json"]]
    for site in index["sites"].values():
        listed += [site["all"]["atom"], site["all"]["json"]]
        listed += [f for pair in site["sections"].values() for f in pair.values()]
    assert len(listed) == 2 + 2 + 2 * 4
    for name in listed:
        path = feeds / name
        if name.endswith(".atom"):
            assert etree.parse(str(path)).getroot().tag == "{http://www.w3.org/2005/Atom}feed"
        else:
            assert json.loads(path.read_text(encoding="utf-8"))["items"]
    newest = max(articles, key=lambda r: (r["published_at"], r["url"]))
    assert (
        json.loads((feeds / "all.json").read_text(encoding="utf-8"))["items"][0]["id"]
        == (newest["url"])
    )
