"""A writer killed with SIGKILL mid-run: the store stays sound and the run shows as crashed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

from newsbot.store import StoreLocked, open_store

WRITER = textwrap.dedent(
    """
    import sys
    from newsbot.store import StoreLocked, open_store
    from benchmarks.store import synthetic_record
    import random

    store = open_store(sys.argv[1])
    rng = random.Random(1)
    with store.run_lock():
        store.start_run("crashing-run", "baohaiduong", {})
        i = 0
        while True:  # until killed
            store.write_batch([synthetic_record(i + k, rng) for k in range(10)], "crashing-run")
            i += 10
    """
)


def test_sigkill_mid_run_leaves_sound_store(store_target):
    env = dict(os.environ, PYTHONPATH=os.getcwd())
    proc = subprocess.Popen([sys.executable, "-c", WRITER, store_target], env=env)
    try:
        store = open_store(store_target)
        deadline = time.monotonic() + 60
        while store.count_articles() < 50:
            assert proc.poll() is None, "writer died on its own"
            assert time.monotonic() < deadline, "writer made no progress"
            time.sleep(0.05)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert store.integrity_check() == "ok"
    assert store.last_run()["status"] == "running"  # the next run can see the crash
    articles = store.count_articles()
    # Whole batches only: every article has its version row and signature-free write.
    assert articles % 10 == 0
    assert store.query("SELECT COUNT(*) FROM article_versions")[0][0] == articles
    assert store.query("SELECT COUNT(*) FROM raw_pages")[0][0] == articles
    # The dead writer's lock goes with it (PostgreSQL needs a moment to reap its session).
    deadline = time.monotonic() + 10
    while True:
        try:
            with store.run_lock():
                break
        except StoreLocked:
            assert time.monotonic() < deadline, "lock still held after the writer died"
            time.sleep(0.1)
    store.close()
