"""RunSummary's peak memory: the crawl's own, not the process that started it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# A parent holding ~300 MB starts a child that reports its peak (the bench starts every
# crawl from the process that holds the replica).
PARENT = """
import subprocess, sys
held = bytearray(300 * 1024 * 1024)
for i in range(0, len(held), 4096):
    held[i] = 1
code = "from newsbot.spiders.summary import peak_rss_mb; print(peak_rss_mb())"
subprocess.run([sys.executable, "-c", code], check=True)
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux's /proc")
def test_peak_rss_is_the_process_own_not_its_parents():
    out = subprocess.run(
        [sys.executable, "-c", PARENT], cwd=ROOT, capture_output=True, text=True, check=True
    )
    peak = float(out.stdout.strip())
    # The child imports newsbot (tens of MB); ru_maxrss would say 300+ here.
    assert 5 < peak < 200, peak
