"""``make demo``: newsbot end to end, offline, against a local replica.

Starts a replica of about 300 articles in a child process, crawls it with the real
spider and pipelines into ``output/demo/`` (store, feeds), prints what came out (articles,
per-field coverage, errors, agreement with the replica's ground truth) and stops the
replica.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from replica.crawl import ROOT, field_differences, run_crawl
from replica.server import ReplicaProcess


def run_demo(articles: int = 300, seed: int = 1, out: str | Path = ROOT / "output" / "demo") -> int:
    from newsbot.store import open_store

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    # A fresh store each time, so the report shows a full crawl (coverage included).
    # Only what the demo itself writes is removed: --out may point anywhere.
    for name in (
        "newsbot.db",
        "newsbot.db-wal",
        "newsbot.db-shm",
        "newsbot.db.lock",
        "summary.json",
        "ground-truth.jsonl",
    ):
        (out / name).unlink(missing_ok=True)
    shutil.rmtree(out / "feeds", ignore_errors=True)
    truth_file = out / "ground-truth.jsonl"
    with ReplicaProcess(articles, seed, ground_truth=truth_file) as replica:
        print(f"replica of baohaiduong.vn with {articles} articles at {replica.origin}")
        print(f"crawling {replica.origin} with the baohaiduong spider ...", flush=True)
        result = run_crawl(
            replica.origin,
            out / "newsbot.db",
            out,
            capture=False,
            settings={"LOG_LEVEL": "WARNING"},
        )
    summary = result.summary
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
    truth = [json.loads(line) for line in truth_file.read_text(encoding="utf-8").splitlines()]
    differences = field_differences(truth, records)
    wrong = {line.removeprefix("missing ").split(": ", 1)[0] for line in differences}
    print(f"records equal to the replica's ground truth: {len(truth) - len(wrong)}/{len(truth)}")
    for line in differences[:5]:
        print(f"  differs: {line}")
    print(
        f"feeds: {out / 'feeds'} (index.json, all.atom, all.json, <site>/<section>.atom, by-date/, runs/)"
    )
    return result.returncode


def run_onecms_demo(
    articles: int = 60, seed: int = 1, out: str | Path = ROOT / "output" / "demo-onecms"
) -> int:
    """The portal today: the OneCMS edition (baohaiphong.vn, old baohaiduong.vn URLs
    answering 301) behind a firewall that answers 10% of requests 403, crawled from
    the new host; then a second run, which reads only what can have changed."""
    from newsbot.store import open_store
    from replica.onecms import NEW, OneCMSReplica

    out = Path(out)
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    with OneCMSReplica(articles, seed, days=10, firewall=0.10) as replica:
        print(
            f"replica of {NEW} (OneCMS) and baohaiduong.vn (301s) with "
            f"{len(replica.edition.stories)} articles at {replica.origins_setting}"
        )
        settings = {
            "LOG_LEVEL": "WARNING",
            "NEWSBOT_HOST": NEW,
            "NEWSBOT_ORIGINS": replica.origins_setting,
        }
        result = run_crawl(replica.origins[NEW], out / "newsbot.db", out, settings=settings)
        log = replica.requests()
        replica.clear_request_log()
        again = run_crawl(replica.origins[NEW], out / "newsbot.db", out, settings=settings)
        second = replica.requests()
        truth = replica.ground_truth()
    store = open_store(out / "newsbot.db")
    try:
        records = list(store.iter_articles())
    finally:
        store.close()
    stats = result.summary.get("stats", {})
    print(
        f"first run: {len(log)} requests, {sum(e.status == 403 for e in log)} answered 403 by "
        f"the firewall ({stats.get('newsbot/firewall_403/retried', 0)} retried, "
        f"{stats.get('newsbot/firewall_403/given_up', 0)} given up), "
        f"{sum(e.status == 301 for e in log)} redirects from the old domain"
    )
    differences = field_differences(truth, records)
    wrong = {line.removeprefix("missing ").split(": ", 1)[0] for line in differences}
    print(f"records equal to the replica's ground truth: {len(truth) - len(wrong)}/{len(truth)}")
    aliased = sum(1 for r in records if r.get("aliases"))
    print(f"store holds {len(records)} articles, {aliased} with their old URL in aliases")
    print(f"second run: {len(second)} requests: " + " ".join(sorted({e.path for e in second})))
    return result.returncode or again.returncode


def add_demo(subparsers: Any) -> None:
    p = subparsers.add_parser("demo", help="crawl a local replica into output/demo and report")
    p.add_argument("--articles", type=int, default=None)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--out", default=None)
    p.add_argument(
        "--edition",
        choices=("legacy", "onecms"),
        default="legacy",
        help="legacy: baohaiduong.vn 2019-2025; onecms: baohaiphong.vn today",
    )
    p.set_defaults(func=_demo)


def _demo(a: Any) -> int:
    if a.edition == "onecms":
        return run_onecms_demo(a.articles or 60, a.seed, a.out or ROOT / "output" / "demo-onecms")
    return run_demo(a.articles or 300, a.seed, a.out or ROOT / "output" / "demo")
