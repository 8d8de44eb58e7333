"""atomic_write: the target is always a complete file, even when the writer is SIGKILLed."""

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from newsbot.feeds import atomic
from newsbot.feeds.atomic import (
    TEMP_SUFFIX,
    atomic_write,
    deferred_directory_syncs,
    sweep_stale_temp_files,
    sync_deferred_directories,
    write_if_changed,
)

ROOT = Path(__file__).resolve().parents[2]


def _start(script: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(script), *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )


def _kill(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL


# The child writes 4 MiB, says so, then blocks: it is killed in the middle of a write.
STALLED_WRITER = """
    import sys, time
    from newsbot.feeds.atomic import atomic_write

    def write(fp):
        fp.write(b"new line of a big feed\\n" * 180_000)
        fp.flush()
        print("writing", flush=True)
        time.sleep(120)

    atomic_write(sys.argv[1], write)
"""


@pytest.mark.parametrize(
    "old",
    [
        pytest.param(b"old complete feed\n", id="replacing-an-existing-file"),
        pytest.param(None, id="first-write-of-a-new-file"),
    ],
)
def test_kill_mid_write_leaves_old_file_or_nothing(tmp_path, old):
    target = tmp_path / "all.atom"
    if old is not None:
        target.write_bytes(old)
    proc = _start(STALLED_WRITER, str(target))
    assert proc.stdout.readline().strip() == "writing"
    # The partial data exists on disk, but only under a hidden temporary name.
    temps = list(tmp_path.glob(f".all.atom.*{TEMP_SUFFIX}"))
    assert len(temps) == 1 and temps[0].stat().st_size > 1_000_000
    _kill(proc)

    if old is None:
        assert not target.exists()
    else:
        assert target.read_bytes() == old
    visible = [p.name for p in tmp_path.iterdir() if not p.name.startswith(".")]
    assert visible == ([] if old is None else ["all.atom"])


# The child rewrites the file over and over, each version self-checking (same tag on
# every line, END marker last); it is killed wherever it happens to be.
REWRITING_WRITER = """
    import sys
    from newsbot.feeds.atomic import atomic_write

    for version in range(1_000_000):
        line = f"v{version:07d}\\n".encode()
        atomic_write(sys.argv[1], line * 200_000 + b"END " + line)
        if version == 3:
            print("rewriting", flush=True)
"""


def test_kill_during_rewrites_leaves_one_complete_version(tmp_path):
    target = tmp_path / "by-date.jsonl"
    proc = _start(REWRITING_WRITER, str(target))
    assert proc.stdout.readline().strip() == "rewriting"
    _kill(proc)

    data = target.read_bytes()
    body, _, end = data.rpartition(b"END ")
    lines = set(body.splitlines())
    assert len(lines) == 1, "a mix of two versions is visible"
    (line,) = lines
    assert end == line + b"\n"
    assert len(body) == len(line + b"\n") * 200_000


def test_failed_write_keeps_old_file_and_removes_temp(tmp_path):
    target = tmp_path / "xa-hoi.json"
    target.write_text("{}", encoding="utf-8")

    def broken(fp):
        fp.write(b'{"items": [')
        raise RuntimeError("renderer crashed")

    with pytest.raises(RuntimeError):
        atomic_write(target, broken)
    assert target.read_text(encoding="utf-8") == "{}"
    assert [p.name for p in tmp_path.iterdir()] == ["xa-hoi.json"]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        pytest.param(b"\x00\xffbytes", b"\x00\xffbytes", id="bytes-verbatim"),
        pytest.param("Hải Dương", "Hải Dương".encode(), id="str-as-utf8"),
        pytest.param(lambda fp: fp.write(b"streamed"), b"streamed", id="write-function"),
    ],
)
def test_content_kinds(tmp_path, content, expected):
    target = tmp_path / "nested" / "dir" / "out.bin"
    assert atomic_write(target, content) == target
    assert target.read_bytes() == expected


def test_existing_mode_is_kept_and_new_file_is_not_private(tmp_path):
    kept = tmp_path / "served.atom"
    kept.write_bytes(b"old")
    os.chmod(kept, 0o640)
    atomic_write(kept, b"new")
    assert kept.stat().st_mode & 0o777 == 0o640

    fresh = tmp_path / "fresh.atom"
    atomic_write(fresh, b"new")
    # mkstemp makes 0600 files; a feed must stay readable by a web server (umask aside).
    umask = os.umask(0)
    os.umask(umask)
    assert fresh.stat().st_mode & 0o777 == 0o666 & ~umask


def test_write_if_changed_leaves_identical_file_alone(tmp_path):
    target = tmp_path / "all.json"
    assert write_if_changed(target, b"one") is True
    os.utime(target, (1_000_000_000, 1_000_000_000))
    assert write_if_changed(target, b"one") is False
    assert target.stat().st_mtime == 1_000_000_000
    assert write_if_changed(target, b"two") is True
    assert target.read_bytes() == b"two"


def test_sweep_removes_only_old_temp_files(tmp_path):
    stale = tmp_path / f".all.atom.abc123{TEMP_SUFFIX}"
    fresh = tmp_path / f".all.json.def456{TEMP_SUFFIX}"
    foreign = tmp_path / ".all.atom.swp"
    for path in (stale, fresh, foreign):
        path.write_bytes(b"partial")
    os.utime(stale, (1_000_000_000, 1_000_000_000))
    os.utime(foreign, (1_000_000_000, 1_000_000_000))

    assert sweep_stale_temp_files(tmp_path) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([fresh.name, foreign.name])
    assert sweep_stale_temp_files(tmp_path / "missing") == 0


def _count_directory_syncs(monkeypatch) -> list[Path]:
    synced: list[Path] = []
    real = atomic._fsync_directory

    def spy(directory):
        synced.append(Path(directory))
        real(directory)

    monkeypatch.setattr(atomic, "_fsync_directory", spy)
    return synced


def test_every_write_syncs_its_directory_outside_a_deferred_block(tmp_path, monkeypatch):
    synced = _count_directory_syncs(monkeypatch)
    for n in range(3):
        atomic_write(tmp_path / f"{n}.txt", b"x")
    assert synced == [tmp_path] * 3


def test_deferred_block_syncs_each_directory_once(tmp_path, monkeypatch):
    synced = _count_directory_syncs(monkeypatch)
    with deferred_directory_syncs():
        for n in range(5):
            atomic_write(tmp_path / "a" / f"{n}.txt", b"x")
            atomic_write(tmp_path / "b" / f"{n}.txt", b"y")
        assert synced == []  # renamed, not yet made durable
        sync_deferred_directories()
        assert sorted(synced) == [tmp_path / "a", tmp_path / "b"]
        atomic_write(tmp_path / "a" / "last.txt", b"z")
    # The block's end syncs what was written since the explicit call, and nothing twice.
    assert synced[2:] == [tmp_path / "a"]
    assert (tmp_path / "b" / "4.txt").read_bytes() == b"y"
    atomic_write(tmp_path / "after.txt", b"x")  # outside the block again: at once
    assert synced[-1] == tmp_path


def test_deferred_block_syncs_even_when_it_fails(tmp_path, monkeypatch):
    synced = _count_directory_syncs(monkeypatch)
    with pytest.raises(RuntimeError), deferred_directory_syncs():
        atomic_write(tmp_path / "done.txt", b"x")
        raise RuntimeError("a later write failed")
    assert synced == [tmp_path]
