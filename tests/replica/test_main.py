"""``python -m replica serve`` starts a replica, prints its origin, stops on a signal."""

from __future__ import annotations

import json
import re
import subprocess
import sys
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
