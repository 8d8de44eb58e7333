"""scrapyd out of the box: deploy with `scrapyd-deploy`, schedule through `schedule.json`.

A real scrapyd on 127.0.0.1 (a free port, its own directories under tmp), the project
deployed by the real `scrapyd-deploy` from this checkout's scrapy.cfg and packaging,
the spider scheduled against a running replica, and the records found in the store.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from replica.crawl import LOOPBACK_SETTINGS, ROOT
from tests.spiders.crawling import stored_articles

pytest.importorskip("scrapyd", reason="scrapyd is not installed (pip install -e '.[dev]')")
pytestmark = pytest.mark.e2e

BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _call(base: str, endpoint: str, data: dict[str, list[str] | str] | None = None) -> dict:
    body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
    with urllib.request.urlopen(f"{base}/{endpoint}", data=body, timeout=30) as response:
        return json.loads(response.read())


def _wait_until_up(base: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"scrapyd exited {proc.returncode}: {log.read_text()[-2000:]}")
        try:
            if _call(base, "daemonstatus.json").get("status") == "ok":
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"scrapyd did not answer within 30 s: {log.read_text()[-2000:]}")


@pytest.fixture
def scrapyd(tmp_path: Path):
    home = tmp_path / "scrapyd"
    home.mkdir()
    port = _free_port()
    (home / "scrapyd.conf").write_text(
        "[scrapyd]\n"
        "bind_address = 127.0.0.1\n"
        f"http_port = {port}\n"
        f"eggs_dir = {home / 'eggs'}\n"
        f"logs_dir = {home / 'logs'}\n"
        f"dbs_dir = {home / 'dbs'}\n"
        "items_dir =\n"
        "poll_interval = 0.5\n"
        "max_proc = 1\n"
    )
    log = home / "scrapyd.out"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(BIN / "scrapyd")], cwd=home, stdout=out, stderr=subprocess.STDOUT
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, proc, log)
        yield base, home
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_deploy_schedule_and_store(scrapyd, replica_factory, tmp_path):
    base, home = scrapyd
    replica = replica_factory(articles=30, seed=4)
    # scrapyd-deploy reads ~/.scrapy.cfg as well as the project's scrapy.cfg: a target
    # of our own there points it at this scrapyd without editing the checkout.
    user_home = tmp_path / "user"
    user_home.mkdir()
    (user_home / ".scrapy.cfg").write_text(f"[deploy:test]\nurl = {base}/\nproject = newsbot\n")
    env = {**os.environ, "HOME": str(user_home), "XDG_CONFIG_HOME": str(user_home / ".config")}
    deploy = subprocess.run(
        [str(BIN / "scrapyd-deploy"), "test", "-v", "1"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert deploy.returncode == 0, deploy.stdout + deploy.stderr
    assert '"status": "ok"' in deploy.stdout, deploy.stdout + deploy.stderr
    assert "baohaiduong" in _call(base, "listspiders.json?project=newsbot")["spiders"]

    # Absolute paths: a scrapyd job runs in scrapyd's directory, not in the checkout.
    store = tmp_path / "store.db"
    feeds = tmp_path / "feeds"
    settings = {
        **LOOPBACK_SETTINGS,
        "NEWSBOT_ORIGIN": replica.origin,
        "NEWSBOT_STORE": str(store),
        "NEWSBOT_FEEDS_DIR": str(feeds),
    }
    scheduled = _call(
        base,
        "schedule.json",
        {
            "project": "newsbot",
            "spider": "baohaiduong",
            "setting": [f"{k}={v}" for k, v in settings.items()],
        },
    )
    assert scheduled.get("status") == "ok", scheduled
    job = scheduled["jobid"]

    deadline = time.monotonic() + 240
    finished = None
    while time.monotonic() < deadline:
        jobs = _call(base, "listjobs.json?project=newsbot")
        finished = next((j for j in jobs["finished"] if j["id"] == job), None)
        if finished:
            break
        time.sleep(0.5)
    logs = list((home / "logs").rglob(f"{job}.log"))
    job_log = logs[0].read_text() if logs else "(no job log)"
    assert finished is not None, f"job {job} did not finish in 240 s:\n{job_log[-3000:]}"
    assert "unknown argument" not in job_log, job_log[-3000:]

    expected = {r["url"] for r in replica.ground_truth()}
    got = {r["url"] for r in stored_articles(str(store)) if r.get("duplicate_of") is None}
    assert expected and expected <= {r["url"] for r in stored_articles(str(store))}, job_log[-3000:]
    assert got <= expected
    assert (feeds / "index.json").exists()
