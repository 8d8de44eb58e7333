"""``make bench`` part: the shared frontier, one worker against two, on one replica.

Both crawls run on the scrapy-redis frontier (Redis at 127.0.0.1:6379, a key prefix
of their own, deleted after) into a fresh PostgreSQL database each, against a fresh
replica in its own process (so the server does not share a worker's GIL, and neither
crawl finds the other's pages already rendered), politeness off. A crawl's time is
from starting the workers until the last one exits, less the idle time a fleet worker
waits before it closes. The number to read is the speed-up; the spiders' speed-up
leaves the processes' starts and ends out (first spider opened to last one done).

Next to it the bench says what this machine allows: the CPU seconds each part spends
per stored article (the workers, from ``wait4``; the replica and this database's
PostgreSQL backends, from ``/proc``; Redis, from its ``INFO cpu``, which counts every
client of the server), and the speed-up the cores could give at most if every part
kept those costs. With ``w`` the CPU the workers spend per article (a worker runs on
one core at a time: Python) and ``t`` that of every part together (workers, replica,
PostgreSQL, Redis), ``n`` workers on ``c`` cores store at most ``min(n / w, c / t)``
articles a second, so::

    ceiling = min(2 / w2, c / t2) / min(1 / w1, c / t1)

with the costs of the two-worker and the one-worker crawl. Each worker also pays a
start (imports, opening the store, reading its state) and an end; a tiny crawl
measures that, and the *long-crawl ceiling* leaves it out: ``min(2, c * w / t)`` with
the per-article costs alone, what a backfill of many thousand articles could reach.
Two workers double the rate only when the replica, the database and Redis together
cost no more per article than the cores left over; here they share the same two.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from benchmarks.run import LOOPBACK_SETTINGS

ROOT = Path(__file__).resolve().parents[1]
REDIS = os.environ.get("NEWSBOT_TEST_REDIS", "redis://127.0.0.1:6379/0")
IDLE = 1.0
SETTINGS = {
    **LOOPBACK_SETTINGS,  # politeness off on loopback, as the one-process crawl bench
    "MAX_IDLE_TIME_BEFORE_CLOSE": str(IDLE),
    "NEWSBOT_FLEET_POLL": "0.2",
    "NEWSBOT_FLEET_HEARTBEAT": "0.5",
    "NEWSBOT_FLEET_HEARTBEAT_TTL": "2",
    "NEWSBOT_PUBLISH": "False",
}
_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


# --- CPU accounting -------------------------------------------------------------------


def proc_cpu(pid: int) -> float | None:
    """CPU seconds (user + system) a live process has used, or None when it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICK  # utime, stime (fields 14, 15)


def machine_busy() -> float:
    """CPU seconds all cores have been busy since boot (not idle, not iowait)."""
    first = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    ticks = [int(v) for v in first[:8]]
    return (sum(ticks) - ticks[3] - ticks[4]) / _TICK


def redis_cpu(client: Any) -> float:
    info = client.info("cpu")
    return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])


class BackendMeter:
    """CPU of the PostgreSQL backends serving one database, sampled while they live.

    A backend is a process of the server named ``postgres: <user> <db> ...``; it ends
    with its connection, so its last sample (every ``every`` seconds) is what counts.
    """

    def __init__(self, database: str, every: float = 0.2) -> None:
        self.marker = f" {database} "
        self.every = every
        self.seen: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            pid = int(entry.name)
            if pid not in self.seen:
                try:
                    cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
                except OSError:
                    continue
                if not (cmd.startswith("postgres: ") and self.marker in cmd):
                    continue
            cpu = proc_cpu(pid)
            if cpu is not None:
                self.seen[pid] = cpu

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self._sample()

    def __enter__(self) -> BackendMeter:
        self._sample()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()

    @property
    def cpu(self) -> float:
        return sum(self.seen.values())


def _wait(proc: subprocess.Popen, timeout: float) -> float:
    """Wait for a worker; its CPU seconds (its own and its threads', from wait4)."""
    deadline = time.monotonic() + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            proc.returncode = os.waitstatus_to_exitcode(status)
            return usage.ru_utime + usage.ru_stime
        if time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"fleet worker {proc.pid} did not finish in {timeout} s")
        time.sleep(0.05)


# --- the crawls -----------------------------------------------------------------------


def _fleet_crawl(
    replica: Any, dsn: str, workers: int, work: Path, redis: Any, extra: dict[str, str]
) -> dict[str, Any]:
    from replica.crawl import crawl_command

    prefix = f"newsbot-bench-{secrets.token_hex(4)}"
    database = dsn.rsplit("/", 1)[1]
    procs = []
    replica_pid = replica._proc.pid
    replica_before = proc_cpu(replica_pid) or 0.0
    redis_before = redis_cpu(redis)
    busy_before = machine_busy()
    with BackendMeter(database) as pg:
        start = time.perf_counter()
        for n in range(workers):
            settings = {
                **SETTINGS,
                **extra,
                "NEWSBOT_FRONTIER": REDIS,
                "NEWSBOT_FRONTIER_PREFIX": prefix,
                "NEWSBOT_WORKER": f"w{n}",
            }
            cmd = crawl_command(replica.origin, dsn, work / f"w{n}", settings=settings)
            (work / f"w{n}").mkdir(parents=True, exist_ok=True)
            err = (work / f"w{n}" / "stderr.log").open("w")
            procs.append(
                (subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err), n)
            )
        worker_cpu = 0.0
        for proc, n in procs:
            worker_cpu += _wait(proc, 1800)
            if proc.returncode != 0:
                log = (work / f"w{n}" / "stderr.log").read_text()[-2000:]
                raise RuntimeError(f"fleet worker {n} failed ({proc.returncode}): {log}")
        wall = time.perf_counter() - start
    busy = machine_busy() - busy_before
    elapsed = wall - IDLE
    cpu = {
        "worker": worker_cpu,
        "replica": (proc_cpu(replica_pid) or 0.0) - replica_before,
        "postgresql": pg.cpu,
        "redis": redis_cpu(redis) - redis_before,
    }
    _clean_redis(prefix)
    from newsbot.store import open_store

    store = open_store(dsn)
    try:
        (stored,) = store.query("SELECT COUNT(*) FROM articles")[0]
    finally:
        store.close()
    stored = int(stored)
    ours = sum(cpu.values())
    # The crawl alone, without the processes' starts and ends: from the first spider's
    # opening to the last one's running out of work (its close less the idle wait).
    import json
    from datetime import datetime

    stats = [json.loads((work / f"w{n}" / "summary.json").read_text())["stats"] for _, n in procs]
    opened = min(datetime.fromisoformat(s["start_time"]) for s in stats)
    closed = max(datetime.fromisoformat(s["finish_time"]) for s in stats)
    span = max((closed - opened).total_seconds() - IDLE, 1e-3)
    logs = [(work / f"w{n}" / "stderr.log").read_text() for _, n in procs]
    requests = sum(
        json.loads((work / f"w{n}" / "summary.json").read_text())["requests"] for _, n in procs
    )
    return {
        "workers": workers,
        "stored": stored,
        "crawl_s": round(elapsed, 2),
        "articles_per_s": round(stored / elapsed, 1),
        # A sound fleet run: one run (no worker taken for dead), each page fetched once.
        "requests": requests,
        "runs_abandoned": sum(log.count("was abandoned by its workers") for log in logs),
        "spiders_s": round(span, 2),
        "spiders_articles_per_s": round(stored / span, 1),
        "cpu_ms_per_article": {k: round(1000 * v / max(stored, 1), 2) for k, v in cpu.items()},
        # Cores this crawl kept busy (its own processes), and the rest of the machine's
        # load meanwhile (other programs on a shared machine).
        "cores_busy": round(ours / wall, 2),
        "other_cores_busy": round(max(0.0, busy - ours) / wall, 2),
    }


def _clean_redis(prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(REDIS)
    keys = list(client.scan_iter(match=f"{prefix}:*"))
    if keys:
        client.delete(*keys)
    client.close()


def _bound(run: dict[str, Any], cores: int, less_ms: float = 0.0) -> float:
    """Articles per ms the run's workers and the cores allow at most (module docstring);
    ``less_ms``: worker CPU per article to leave out (the workers' starts)."""
    per = run["cpu_ms_per_article"]
    w = max(per["worker"] - less_ms, 1e-9)
    t = max(sum(per.values()) - less_ms, 1e-9)
    return min(run["workers"] / w, cores / t)


def ceiling(one: dict[str, Any], two: dict[str, Any], cores: int) -> float:
    """The speed-up two workers could reach at most on ``cores`` idle cores, each part
    keeping the CPU it spent per article in the crawls ``one`` and ``two``."""
    return round(_bound(two, cores) / _bound(one, cores), 2)


def long_ceiling(one: dict[str, Any], start_cpu_s: float, cores: int) -> float:
    """The same with the workers' starts left out: per-article costs alone."""
    less = 1000 * start_cpu_s / max(one["stored"], 1)
    two = {**one, "workers": 2}
    return round(_bound(two, cores, less) / _bound(one, cores, less), 2)


def _start_cost(pg_dsn: Any, drop_pg: Any, client: Any, work: Path) -> float:
    """CPU seconds of one worker's start and end: a crawl of a 10-article replica."""
    from replica.server import ReplicaProcess

    dsn = pg_dsn()
    try:
        with ReplicaProcess(10, seed=1) as replica:
            run = _fleet_crawl(replica, dsn, 1, work, client, {})
    finally:
        drop_pg(dsn)
    return run["cpu_ms_per_article"]["worker"] * run["stored"] / 1000


def bench_fleet(
    articles: int, pg_dsn: Any, drop_pg: Any, extra: dict[str, str] | None = None
) -> dict[str, Any]:
    """One worker, then two, each into a fresh database. ``pg_dsn()`` makes one."""
    try:
        import redis

        client = redis.Redis.from_url(REDIS, socket_connect_timeout=3)
        client.ping()
    except Exception as exc:  # noqa: BLE001 - a bench without Redis says so and goes on
        return {"skipped": f"Redis not reachable at {REDIS}: {exc}"}
    from replica.server import ReplicaProcess

    out: dict[str, Any] = {"articles": articles}
    with tempfile.TemporaryDirectory() as tmp:
        for workers in (1, 2):
            dsn = pg_dsn()
            if dsn is None:
                return {"skipped": "PostgreSQL not reachable on 127.0.0.1:5432"}
            try:
                with ReplicaProcess(articles, seed=1) as replica:
                    run = _fleet_crawl(
                        replica, dsn, workers, Path(tmp) / f"fleet{workers}", client, extra or {}
                    )
            finally:
                drop_pg(dsn)
            out[f"workers_{workers}"] = run
    one, two = out["workers_1"], out["workers_2"]
    cores = os.cpu_count() or 1
    out["speedup"] = round(two["articles_per_s"] / one["articles_per_s"], 2)
    out["spiders_speedup"] = round(two["spiders_articles_per_s"] / one["spiders_articles_per_s"], 2)
    out["cpus"] = cores
    out["ceiling"] = ceiling(one, two, cores)
    with tempfile.TemporaryDirectory() as tmp:
        out["worker_start_cpu_s"] = round(_start_cost(pg_dsn, drop_pg, client, Path(tmp)), 2)
    out["long_crawl_ceiling"] = long_ceiling(one, out["worker_start_cpu_s"], cores)
    out["load_1m"] = round(os.getloadavg()[0], 2)
    client.close()
    return out


def describe(fleet: dict[str, Any]) -> str:
    """One line: what this machine allows, and why."""
    per = fleet["workers_1"]["cpu_ms_per_article"]
    parts = ", ".join(f"{k} {v} ms" for k, v in per.items())
    return (
        f"ceiling on this machine: {fleet['ceiling']}x, {fleet['long_crawl_ceiling']}x for a "
        f"long crawl (cores {fleet['cpus']}, CPU per article: {parts}; "
        f"a worker's start {fleet['worker_start_cpu_s']} s)"
    )


if __name__ == "__main__":  # python -m benchmarks.fleet [articles] [SETTING=value ...]
    from benchmarks.run import _drop_pg, _pg_dsn

    extra = dict(a.split("=", 1) for a in sys.argv[2:])
    result = bench_fleet(int(sys.argv[1]) if len(sys.argv) > 1 else 1000, _pg_dsn, _drop_pg, extra)
    import json

    print(json.dumps(result, indent=1))
    if "skipped" not in result:
        print(f"speed-up {result['speedup']}x; {describe(result)}")
