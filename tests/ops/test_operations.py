"""Operations: deploy files that systemd and logrotate accept, the progress line, the
backfill plan, and killed runs marked aborted by the next run."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from newsbot.progress import progress_line
from newsbot.store import open_store
from replica.crawl import LOOPBACK_SETTINGS
from replica.server import Replica
from tests.spiders.crawling import ROOT, run_crawl

DEPLOY = ROOT / "deploy"
BIN = Path(sys.executable).parent


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze missing")
def test_systemd_units_verify(tmp_path):
    # verify checks that ExecStart exists and that the instance name resolves: point
    # the unit at this checkout's venv, as an install at /srv/newsbot would be.
    for name in ("newsbot@.service", "newsbot@.timer"):
        text = (DEPLOY / "systemd" / name).read_text()
        text = text.replace("/srv/newsbot/.venv/bin", str(BIN)).replace("/srv/newsbot", str(ROOT))
        text = re.sub(r"^(User|Group)=.*$", "", text, flags=re.M)
        (tmp_path / name).write_text(text)
        instance = name.replace("@", "@baohaiduong")
        (tmp_path / instance).symlink_to(tmp_path / name)
    proc = subprocess.run(
        ["systemd-analyze", "verify", "--man=no"]
        + ["newsbot@baohaiduong.service", "newsbot@baohaiduong.timer"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env={"SYSTEMD_UNIT_PATH": f"{tmp_path}:", "PATH": "/usr/bin:/bin:/usr/sbin:/sbin"},
    )
    # Warnings (an unknown key, say) do not change the exit status: any line naming
    # our units is a problem.
    problems = [line for line in (proc.stdout + proc.stderr).splitlines() if "newsbot" in line]
    assert proc.returncode == 0 and not problems, proc.stdout + proc.stderr


@pytest.mark.skipif(shutil.which("systemctl") is None, reason="systemctl missing")
def test_systemctl_enable_accepts_the_timer(tmp_path):
    units = tmp_path / "etc" / "systemd" / "system"
    units.mkdir(parents=True)
    for name in ("newsbot@.service", "newsbot@.timer"):
        shutil.copy(DEPLOY / "systemd" / name, units / name)
    # --root works on a directory tree, with no running systemd (as in CI).
    proc = subprocess.run(
        ["systemctl", f"--root={tmp_path}", "enable", "newsbot@baohaiduong.timer"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert (units / "timers.target.wants" / "newsbot@baohaiduong.timer").is_symlink(), proc.stderr


def test_systemd_and_cron_agree_on_exit_75():
    service = (DEPLOY / "systemd" / "newsbot@.service").read_text()
    assert re.search(r"^SuccessExitStatus=75$", service, flags=re.M)
    cron = (DEPLOY / "cron" / "newsbot.cron").read_text()
    crawl = next(line for line in cron.splitlines() if "scrapy crawl" in line)
    # Run the cron line's status logic on each exit code a crawl can return.
    tail = crawl.split("; s=$?; ", 1)[1]
    for status, complains in ((0, False), (75, False), (1, True), (2, True)):
        out = subprocess.run(
            ["sh", "-c", f"(exit {status}); s=$?; {tail}"], capture_output=True, text=True
        ).stdout
        assert bool(out.strip()) is complains, (status, out)


@pytest.mark.skipif(shutil.which("logrotate") is None, reason="logrotate is not installed")
def test_logrotate_example_parses(tmp_path):
    conf = tmp_path / "newsbot"
    logs = tmp_path / "log"
    logs.mkdir()
    (logs / "baohaiduong.log").write_text("x\n")
    text = (DEPLOY / "logrotate" / "newsbot").read_text()
    conf.write_text(text.replace("/var/log/newsbot", str(logs)).replace("su newsbot newsbot", ""))
    proc = subprocess.run(
        ["logrotate", "-d", "-s", str(tmp_path / "state"), str(conf)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert "baohaiduong.log" in proc.stderr and "error" not in proc.stderr.lower(), proc.stderr


@pytest.mark.parametrize(
    ("stats", "elapsed", "queue", "total", "expected"),
    [
        (
            {"response_received_count": 120, "newsbot/stored/new": 90},
            60.0,
            40,
            None,
            "progress: 120 pages (120/min), articles new 90, unchanged 0, updated 0,"
            " failed 0; queue 40",
        ),
        (
            {"response_received_count": 60, "newsbot/article_pages": 50, "newsbot/dropped/x": 2},
            100.0,
            None,
            1050,
            "progress: 60 pages (36/min), articles new 0, unchanged 0, updated 0, failed 2;"
            " 50/1050 articles, ETA 33 min",
        ),
        (
            {"newsbot/article_pages": 10},
            10.0,
            0,
            10,
            "progress: 0 pages (0/min), articles new 0, unchanged 0, updated 0, failed 0;"
            " queue 0; 10/10 articles",
        ),
    ],
    ids=["no-total-no-eta", "backfill-total-gives-eta", "done-no-eta"],
)
def test_progress_line(stats, elapsed, queue, total, expected):
    assert progress_line(stats, elapsed, queue, total) == expected


@pytest.mark.e2e
def test_killed_run_is_marked_aborted_by_the_next(replica_factory, tmp_path):
    replica = replica_factory(articles=20, seed=5)
    db = tmp_path / "store.db"
    first = run_crawl(replica.origin, db, tmp_path / "first")
    assert first.returncode == 0, first.stderr[-2000:]
    store = open_store(str(db))
    store.start_run("20990101T000000Z-dead00", "baohaiduong", {})  # killed: never finished
    store.close()
    result = run_crawl(replica.origin, db, tmp_path / "work")
    assert result.returncode == 0, result.stderr[-2000:]
    # Marked aborted, it still counts as the previous run, which did not finish.
    assert "previous run of baohaiduong INCOMPLETE" in result.stderr, result.stderr[-3000:]
    store = open_store(str(db))
    try:
        runs = {r["run_id"]: r["status"] for r in store.recent_runs("baohaiduong")}
    finally:
        store.close()
    assert runs.pop("20990101T000000Z-dead00") == "aborted"
    assert list(runs.values()) == ["finished", "finished"]


@pytest.mark.e2e
def test_backfill_plans_from_the_sitemaps_then_crawls_with_an_eta(tmp_path):
    since = "2023-01-01"
    db = tmp_path / "store.db"
    with Replica(150, 7, crawl_delay=0.05) as replica:
        truth = replica.ground_truth()
        settings = {**LOOPBACK_SETTINGS, "NEWSBOT_PROGRESS_INTERVAL": "0.5"}
        settings.update(
            NEWSBOT_ORIGIN=replica.origin,
            NEWSBOT_STORE=str(db),
            NEWSBOT_FEEDS_DIR=str(tmp_path / "feeds"),
        )
        flags = [x for k, v in settings.items() for x in ("-s", f"{k}={v}")]
        command = [str(BIN / "newsbot"), "backfill", "--site", "baohaiduong", "--since", since]
        plan = subprocess.run(
            [*command, "--plan", *flags], cwd=ROOT, capture_output=True, text=True, timeout=120
        )
        assert plan.returncode == 0, plan.stderr
        planned_requests = len(replica.request_log)
        crawl = subprocess.run(
            [*command, *flags], cwd=ROOT, capture_output=True, text=True, timeout=300
        )
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    planned = int(re.search(r"to fetch (\d+)", plan.stdout).group(1))
    hidden = set(replica.hidden_ids)
    newer = [t for t in truth if t["published_at"][:10] >= since]
    listed = [t for t in newer if t["source_id"] not in hidden]
    # lastmod is on or after publication: the plan counts at least every sitemap
    # article published since the day, and never more than the portal has. (Articles
    # only reachable through related links are in no sitemap; the crawl finds them.)
    assert len(listed) <= planned <= len(truth), plan.stdout
    assert len(listed) < len(newer)  # the replica does hide some
    assert "at one request per 0.05 s to the host" in plan.stdout, plan.stdout
    assert planned_requests <= 3  # robots.txt and the sitemap(s): no article fetched
    assert crawl.stdout.startswith(plan.stdout.splitlines()[0])
    progress = rf"progress: .*; \d+/{planned} articles"
    assert re.search(progress, crawl.stderr), crawl.stderr[-3000:]
    store = open_store(str(db))
    try:
        stored = {r["url"] for r in store.iter_articles()}
    finally:
        store.close()
    assert {t["url"] for t in listed} <= stored


@pytest.mark.e2e
def test_backfill_plans_from_the_host_the_crawl_starts_from(tmp_path):
    from replica.onecms import NEW, OneCMSReplica

    with OneCMSReplica(20, 3, days=4) as replica:
        settings = {
            "NEWSBOT_HOST": "baohaiphong.vn",
            "NEWSBOT_ORIGINS": replica.origins_setting,
            "NEWSBOT_STORE": str(tmp_path / "store.db"),
            "NEWSBOT_POLITE": "False",
        }
        flags = [x for k, v in settings.items() for x in ("-s", f"{k}={v}")]
        plan = subprocess.run(
            [str(BIN / "newsbot"), "backfill", "--site", "baohaiduong", "--since", "2000-01-01"]
            + ["--plan", *flags],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        asked = replica.requests()
    assert plan.returncode == 0, plan.stderr
    # The day files of baohaiphong.vn, never the old domain's sitemap.
    assert asked and {e.domain for e in asked} == {NEW}, asked
    assert any(e.path == "/sitemap.xml" for e in asked)
    # Articles only (the day files and the section sitemap name section pages too);
    # an article the replica hides from its sitemaps is the crawl's to find.
    planned = int(re.search(r"to fetch (\d+)", plan.stdout).group(1))
    truth = len(replica.ground_truth())
    assert truth * 0.9 <= planned <= truth, plan.stdout


def test_backfill_exits_2_on_a_store_it_cannot_open(tmp_path):
    not_a_store = tmp_path / "notes.txt"
    not_a_store.write_text("not a database\n" * 200)
    proc = subprocess.run(
        [str(BIN / "newsbot"), "backfill", "--site", "baohaiduong", "--since", "2024-01-01"]
        + ["--plan", "-s", f"NEWSBOT_STORE={not_a_store}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("\n") == 1 and "cannot open the store" in proc.stderr
