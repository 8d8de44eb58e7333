"""``python -m replica serve`` starts a replica, prints its origin, stops on a signal."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

from replica.__main__ import build_parser
from replica.server import LOOP_A, FaultConfig, ReplicaProcess


def test_serve_prints_origin_and_serves_until_terminated(tmp_path):
    truth = tmp_path / "truth.jsonl"
    proc = subprocess.Popen(
        [sys.executable, "-m", "replica", "serve", "--articles", "20", "--seed", "3"]
        + ["--faults", "none", "--crawl-delay", "0.25", "--ground-truth", str(truth)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline().strip()
        m = re.fullmatch(r"replica serving 20 articles at (http://127\.0\.0\.1:\d+)", line)
        assert m, line
        with urllib.request.urlopen(m.group(1) + "/robots.txt", timeout=10) as resp:
            assert "Crawl-delay: 0.25" in resp.read().decode()
        assert len([json.loads(x) for x in truth.read_text().splitlines()]) == 20
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0


def test_serve_onecms_prints_both_origins_and_the_crawl_that_reads_them(tmp_path):
    truth = tmp_path / "truth.jsonl"
    proc = subprocess.Popen(
        [sys.executable, "-m", "replica", "serve-onecms", "--articles", "12", "--days", "3"]
        + ["--crawl-delay", "0.5", "--ground-truth", str(truth)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline().strip()
        m = re.fullmatch(
            r"OneCMS edition serving (baohaiphong\.vn=(http://127\.0\.0\.1:\d+),"
            r"baohaiduong\.vn=(http://127\.0\.0\.1:\d+))",
            line,
        )
        assert m, line
        crawl = proc.stdout.readline().strip()
        assert crawl == (
            "crawl it: scrapy crawl baohaiduong -s NEWSBOT_HOST=baohaiphong.vn"
            f" -s NEWSBOT_ORIGINS={m.group(1)}"
        )
        with urllib.request.urlopen(m.group(2) + "/robots.txt", timeout=10) as resp:
            assert "Crawl-delay: 0.5" in resp.read().decode()
        records = [json.loads(x) for x in truth.read_text().splitlines()]
        assert records and all(r["url"].startswith("https://baohaiphong.vn/") for r in records)
        # The old domain answers a migrated article's old path with a 301 to the new host.
        old = next(r["aliases"][0] for r in records if r.get("aliases"))
        path = "/" + old.split("/", 3)[3]

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        opener = urllib.request.build_opener(NoRedirect)
        with pytest.raises(urllib.error.HTTPError) as moved:
            opener.open(m.group(3) + path, timeout=10)
        assert moved.value.code == 301
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0


@pytest.mark.parametrize(
    ("spec", "enabled"),
    [
        pytest.param("all", FaultConfig.all().enabled, id="all"),
        pytest.param("none", (), id="none"),
        pytest.param("error_burst,slow", ("error_burst", "slow"), id="list"),
        pytest.param("rate-limit", ("rate_limit",), id="dash-spelling"),
    ],
)
def test_fault_flags(spec, enabled):
    args = build_parser().parse_args(["serve", "--faults", spec])
    assert args.faults.enabled == enabled


def test_unknown_fault_is_an_error():
    with pytest.raises(SystemExit):
        build_parser().parse_args(["serve", "--faults", "earthquake"])


def test_replica_process_serves_from_a_child_process():
    with ReplicaProcess(articles=12, seed=4, faults="redirects") as child:
        with urllib.request.urlopen(child.origin + "/", timeout=10) as resp:
            assert f'href="{LOOP_A}"'.encode() in resp.read()
        proc = child._proc
    assert proc is not None and proc.returncode == 0
