"""``make bench`` part: the shared frontier, one worker against two, on one replica.

Both crawls run on the scrapy-redis frontier (Redis at 127.0.0.1:6379, a key prefix
of their own, deleted after) into a fresh PostgreSQL database each, against a replica
in its own process (so the server does not share a worker's GIL), politeness off.
A crawl's time is from starting the workers until the last one exits, less the idle
time a fleet worker waits before it closes. The number to read is the speed-up.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
REDIS = os.environ.get("NEWSBOT_TEST_REDIS", "redis://127.0.0.1:6379/0")
IDLE = 1.0
SETTINGS = {
    "AUTOTHROTTLE_ENABLED": "False",
    "DOWNLOAD_DELAY": "0",
    "CONCURRENT_REQUESTS": "32",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "32",
    "NEWSBOT_POLITE": "False",
    "LOG_LEVEL": "WARNING",
    "MAX_IDLE_TIME_BEFORE_CLOSE": str(IDLE),
    "NEWSBOT_FLEET_POLL": "0.2",
    "NEWSBOT_FLEET_HEARTBEAT": "0.5",
    "NEWSBOT_FLEET_HEARTBEAT_TTL": "0.9",
    "NEWSBOT_PUBLISH": "False",
}


def _fleet_crawl(origin: str, dsn: str, workers: int, work: Path) -> dict[str, Any]:
    from replica.crawl import crawl_command

    prefix = f"newsbot-bench-{secrets.token_hex(4)}"
    procs = []
    start = time.perf_counter()
    for n in range(workers):
        settings = {
            **SETTINGS,
            "NEWSBOT_FRONTIER": REDIS,
            "NEWSBOT_FRONTIER_PREFIX": prefix,
            "NEWSBOT_WORKER": f"w{n}",
        }
        cmd = crawl_command(origin, dsn, work / f"w{n}", settings=settings)
        (work / f"w{n}").mkdir(parents=True, exist_ok=True)
        err = (work / f"w{n}" / "stderr.log").open("w")
        procs.append((subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err), n))
    for proc, n in procs:
        if proc.wait(timeout=1800) != 0:
            log = (work / f"w{n}" / "stderr.log").read_text()[-2000:]
            raise RuntimeError(f"fleet worker {n} failed ({proc.returncode}): {log}")
    elapsed = time.perf_counter() - start - IDLE
    _clean_redis(prefix)
    from newsbot.store import open_store

    store = open_store(dsn)
    try:
        (stored,) = store.query("SELECT COUNT(*) FROM articles")[0]
    finally:
        store.close()
    return {"workers": workers, "stored": int(stored), "crawl_s": round(elapsed, 2)}


def _clean_redis(prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(REDIS)
    keys = list(client.scan_iter(match=f"{prefix}:*"))
    if keys:
        client.delete(*keys)
    client.close()


def bench_fleet(articles: int, pg_dsn: Any, drop_pg: Any) -> dict[str, Any]:
    """One worker, then two, each into a fresh database. ``pg_dsn()`` makes one."""
    try:
        import redis

        redis.Redis.from_url(REDIS, socket_connect_timeout=3).ping()
    except Exception as exc:  # noqa: BLE001 - a bench without Redis says so and goes on
        return {"skipped": f"Redis not reachable at {REDIS}: {exc}"}
    from replica.server import ReplicaProcess

    out: dict[str, Any] = {"articles": articles}
    with ReplicaProcess(articles, seed=1) as replica, tempfile.TemporaryDirectory() as tmp:
        for workers in (1, 2):
            dsn = pg_dsn()
            if dsn is None:
                return {"skipped": "PostgreSQL not reachable on 127.0.0.1:5432"}
            try:
                run = _fleet_crawl(replica.origin, dsn, workers, Path(tmp) / f"fleet{workers}")
            finally:
                drop_pg(dsn)
            run["articles_per_s"] = round(run["stored"] / run["crawl_s"], 1)
            out[f"workers_{workers}"] = run
    out["speedup"] = round(
        out["workers_2"]["articles_per_s"] / out["workers_1"]["articles_per_s"], 2
    )
    out["cpus"] = os.cpu_count()
    return out


if __name__ == "__main__":  # python -m benchmarks.fleet [articles]
    from benchmarks.run import _drop_pg, _pg_dsn

    print(bench_fleet(int(sys.argv[1]) if len(sys.argv) > 1 else 1000, _pg_dsn, _drop_pg))
