"""Running the real crawler against a replica: shared by ``make demo``, ``make bench``
and the end-to-end tests.

The crawl runs as ``python -m scrapy crawl`` in a child process (Twisted's reactor
cannot be restarted inside one process) and reports through its summary file.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newsbot.record import RECORD_FIELDS

ROOT = Path(__file__).resolve().parents[1]

#: Loopback and a server of our own: no politeness waits, quick retries.
LOOPBACK_SETTINGS: dict[str, str] = {
    "AUTOTHROTTLE_ENABLED": "False",
    "DOWNLOAD_DELAY": "0",
    "CONCURRENT_REQUESTS": "16",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
    "NEWSBOT_RETRY_BACKOFF": "0.05",
    "NEWSBOT_RETRY_AFTER_MAX": "1",
    "DOWNLOAD_TIMEOUT": "10",
}


@dataclass
class CrawlResult:
    returncode: int
    stderr: str
    summary: dict[str, Any] = field(default_factory=dict)

    def stat(self, key: str, default: Any = 0) -> Any:
        return self.summary.get("stats", {}).get(key, default)


def crawl_command(
    origin: str,
    store: str | Path,
    workdir: Path,
    *args: str,
    settings: dict[str, str] | None = None,
    spider: str = "baohaiduong",
) -> list[str]:
    """``scrapy crawl <spider>`` against ``origin``, writing into ``store`` and ``workdir``."""
    cmd = [
        sys.executable, "-m", "scrapy", "crawl", spider,
        "-s", f"NEWSBOT_ORIGIN={origin}",
        "-s", f"NEWSBOT_STORE={store}",
        "-s", f"NEWSBOT_FEEDS_DIR={workdir / 'feeds'}",
        "-s", f"NEWSBOT_SUMMARY_FILE={workdir / 'summary.json'}",
    ]  # fmt: skip
    for key, value in {**LOOPBACK_SETTINGS, **(settings or {})}.items():
        cmd += ["-s", f"{key}={value}"]
    for arg in args:
        cmd += ["-a", arg]
    return cmd


def run_crawl(
    origin: str,
    store: str | Path,
    workdir: Path,
    *args: str,
    settings: dict[str, str] | None = None,
    timeout: float = 600,
    capture: bool = True,
) -> CrawlResult:
    """Run one crawl to the end; its summary is read back from ``workdir``."""
    workdir.mkdir(parents=True, exist_ok=True)
    summary_path = workdir / "summary.json"
    summary_path.unlink(missing_ok=True)
    proc = subprocess.run(
        crawl_command(origin, store, workdir, *args, settings=settings),
        cwd=ROOT,
        stderr=subprocess.PIPE if capture else None,
        text=True,
        timeout=timeout,
    )
    summary = json.loads(summary_path.read_text()) if summary_path.exists() else {}
    return CrawlResult(proc.returncode, proc.stderr or "", summary)


def field_differences(
    expected: list[dict[str, Any]],
    got: list[dict[str, Any]],
    fields: Sequence[str] = RECORD_FIELDS,
) -> list[str]:
    """Where stored records differ from the replica's ground truth, one line each.

    ``fields``: the record fields the ground truth states (all of them for the
    baohaiduong replica; fewer for a portal whose truth gives only some).
    """
    by_url = {r["url"]: r for r in got}
    problems = []
    for exp in expected:
        rec = by_url.get(exp["url"])
        if rec is None:
            problems.append(f"missing {exp['url']}")
            continue
        for key in fields:
            if exp.get(key) != rec.get(key):
                problems.append(
                    f"{exp['url']}: {key}: expected {exp.get(key)!r:.120} got {rec.get(key)!r:.120}"
                )
    return problems
