"""``make demo``: newsbot end to end, offline, against a local replica.

Starts a replica of about 300 articles in a child process, crawls it with the real
spider and pipelines into ``output/demo/`` (store, feeds), prints what came out (articles,
per-field coverage, errors, agreement with the replica's ground truth) and stops the
replica. Run it twice to see an incremental run that finds nothing new.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from newsbot.replica.server import ReplicaProcess

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = (
    "url",
    "source_id",
    "site",
    "section",
    "title",
    "published_at",
    "modified_at",
    "lead",
    "body",
    "author",
    "images",
    "related",
    "media",
    "tags",
    "language",
)


def _crawl(origin: str, out: Path) -> int:
    cmd = [
        sys.executable,
        "-m",
        "scrapy",
        "crawl",
        "baohaiduong",
        "-s",
        f"NEWSBOT_ORIGIN={origin}",
        "-s",
        f"NEWSBOT_STORE={out / 'newsbot.db'}",
        "-s",
        f"NEWSBOT_FEEDS_DIR={out / 'feeds'}",
        "-s",
        f"NEWSBOT_SUMMARY_FILE={out / 'last-run.json'}",
        # Loopback and our own replica: no need to be gentle.
        "-s",
        "AUTOTHROTTLE_ENABLED=False",
        "-s",
        "DOWNLOAD_DELAY=0",
        "-s",
        "CONCURRENT_REQUESTS_PER_DOMAIN=16",
        "-s",
        "LOG_LEVEL=WARNING",
    ]
    print(f"crawling {origin} with the baohaiduong spider ...", flush=True)
    return subprocess.run(cmd, cwd=ROOT).returncode


def _compare(truth_file: Path, records: list[dict[str, Any]]) -> tuple[int, int, list[str]]:
    truth = [json.loads(line) for line in truth_file.read_text(encoding="utf-8").splitlines()]
    by_url = {r["url"]: r for r in records}
    exact, notes = 0, []
    for t in truth:
        got = by_url.get(t["url"])
        bad = [k for k in CONTRACT if got is None or t.get(k) != got.get(k)]
        if not bad:
            exact += 1
        elif len(notes) < 5:
            notes.append(f"{t['url']}: {'missing' if got is None else ', '.join(bad)}")
    return exact, len(truth), notes


def run_demo(articles: int = 300, seed: int = 1, out: str | Path = ROOT / "output" / "demo") -> int:
    from newsbot.store import open_store

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    truth_file = out / "ground-truth.jsonl"
    with ReplicaProcess(articles, seed, ground_truth=truth_file) as replica:
        print(f"replica of baohaiduong.vn with {articles} articles at {replica.origin}")
        status = _crawl(replica.origin, out)
    summary = json.loads((out / "last-run.json").read_text(encoding="utf-8"))
    store = open_store(out / "newsbot.db")
    try:
        run = store.last_run("baohaiduong") or {}
        records = list(store.iter_articles())
    finally:
        store.close()
    counts = run.get("counts") or {}
    print()
    print(f"run {run.get('run_id')}: {run.get('status')}, {summary['requests']} requests")
    print("  " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    print(
        f"store {out / 'newsbot.db'} holds {len(records)} articles "
        f"({sum(1 for r in records if r.get('duplicate_of'))} marked near-duplicate)"
    )
    coverage = run.get("coverage") or {}
    if coverage:
        print(
            "per-field coverage this run: " + ", ".join(f"{k} {v:.0%}" for k, v in coverage.items())
        )
    else:
        print("per-field coverage this run: nothing new was fetched (incremental run)")
    errors = summary.get("errors") or []
    print(f"given up on: {len(errors)}")
    for err in errors[:10]:
        print(f"  {err['url']}: {err['reason']}")
    exact, total, notes = _compare(truth_file, records)
    print(f"records equal to the replica's ground truth: {exact}/{total}")
    for note in notes:
        print(f"  differs: {note}")
    print(f"feeds: {out / 'feeds'} (all.atom, all.json, runs/, by-date/)")
    return status


def add_demo(subparsers: Any) -> None:
    p = subparsers.add_parser("demo", help="crawl a local replica into output/demo and report")
    p.add_argument("--articles", type=int, default=300)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--out", default=str(ROOT / "output" / "demo"))
    p.set_defaults(func=lambda a: run_demo(a.articles, a.seed, a.out))
