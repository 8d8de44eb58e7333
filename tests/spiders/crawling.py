"""Running a real ``scrapy crawl`` against a replica, in a subprocess (Twisted's
reactor cannot restart in one process), and reading what it left behind."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]

#: Loopback is fast and the replica is ours: no politeness waits, quick retries.
FAST = {
    "AUTOTHROTTLE_ENABLED": "False",
    "DOWNLOAD_DELAY": "0",
    "CONCURRENT_REQUESTS": "16",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
    "NEWSBOT_RETRY_BACKOFF": "0.05",
    "NEWSBOT_RETRY_AFTER_MAX": "1",
    "DOWNLOAD_TIMEOUT": "10",
    "LOG_LEVEL": "INFO",
}

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


@dataclass
class CrawlResult:
    returncode: int
    stdout: str
    stderr: str
    summary: dict[str, Any]

    def stat(self, key: str, default: Any = 0) -> Any:
        return self.summary.get("stats", {}).get(key, default)


def crawl_command(
    origin: str, store: str, workdir: Path, *args: str, settings: dict[str, str] | None = None
) -> list[str]:
    cmd = [
        sys.executable,
        "-m",
        "scrapy",
        "crawl",
        "baohaiduong",
        "-s",
        f"NEWSBOT_ORIGIN={origin}",
        "-s",
        f"NEWSBOT_STORE={store}",
        "-s",
        f"NEWSBOT_FEEDS_DIR={workdir / 'feeds'}",
        "-s",
        f"NEWSBOT_SUMMARY_FILE={workdir / 'summary.json'}",
    ]
    for key, value in {**FAST, **(settings or {})}.items():
        cmd += ["-s", f"{key}={value}"]
    for arg in args:
        cmd += ["-a", arg]
    return cmd


def run_crawl(
    origin: str,
    store: str,
    workdir: Path,
    *args: str,
    settings: dict[str, str] | None = None,
    timeout: float = 300,
) -> CrawlResult:
    workdir.mkdir(parents=True, exist_ok=True)
    summary_path = workdir / "summary.json"
    summary_path.unlink(missing_ok=True)
    proc = subprocess.run(
        crawl_command(origin, store, workdir, *args, settings=settings),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    summary = json.loads(summary_path.read_text()) if summary_path.exists() else {}
    return CrawlResult(proc.returncode, proc.stdout, proc.stderr, summary)


def stored_articles(store_target: str) -> list[dict[str, Any]]:
    from newsbot.store import open_store

    store = open_store(store_target)
    try:
        return list(store.iter_articles(include_duplicates=True))
    finally:
        store.close()


def field_differences(expected: list[dict[str, Any]], got: list[dict[str, Any]]) -> list[str]:
    """Human-readable differences between ground truth and stored records."""
    by_url = {r["url"]: r for r in got}
    problems = []
    for exp in expected:
        rec = by_url.get(exp["url"])
        if rec is None:
            problems.append(f"missing {exp['url']}")
            continue
        for key in CONTRACT:
            if exp.get(key) != rec.get(key):
                problems.append(
                    f"{exp['url']}: {key}: expected {exp.get(key)!r:.120} got {rec.get(key)!r:.120}"
                )
    return problems
