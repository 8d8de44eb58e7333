"""Atomic file replacement: a consumer sees the old complete file or the new one, never a part.

Every output of :mod:`newsbot.feeds` goes through :func:`atomic_write`: the bytes go to a
hidden temporary file in the target's directory (same filesystem, so the rename is atomic),
are flushed and fsynced, the temporary file is renamed over the target with ``os.replace``,
and the directory is fsynced so the rename itself survives a power cut. A process killed
mid-write leaves at most a hidden ``.<name>.*.newsbot-tmp`` file, which
:func:`sweep_stale_temp_files` removes on a later run.

A publish writes hundreds of files into a few directories: inside
:func:`deferred_directory_syncs` each directory is fsynced once, when
:func:`sync_deferred_directories` is called or the block ends, instead of after every
file (half the fsyncs of a backfill's publish). The caller syncs before it writes
whatever says "all of this is durable" (the publish marker).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from pathlib import Path
from typing import BinaryIO

#: Suffix of the temporary files this module creates (and the only ones it ever deletes).
TEMP_SUFFIX = ".newsbot-tmp"

WriteFn = Callable[[BinaryIO], object]


def _current_umask() -> int:
    # os.umask can only be read by setting it; do it once, at import, before threads exist.
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_UMASK = _current_umask()


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


#: Directories written into inside :func:`deferred_directory_syncs`, not yet fsynced.
_DEFERRED: ContextVar[set[Path] | None] = ContextVar("newsbot_deferred_dir_syncs", default=None)


@contextlib.contextmanager
def deferred_directory_syncs() -> Iterator[None]:
    """Within the block, fsync each written-into directory once instead of per file.

    Files are still fsynced one by one before their rename; only the directory entry's
    durability waits for :func:`sync_deferred_directories` or the end of the block.
    """
    token = _DEFERRED.set(set())
    try:
        yield
    finally:
        try:
            sync_deferred_directories()
        finally:
            _DEFERRED.reset(token)


def sync_deferred_directories() -> None:
    """Fsync now every directory written into since the block began (or the last call)."""
    pending = _DEFERRED.get()
    while pending:
        directory = min(pending)
        if directory.is_dir():  # a directory removed since is nothing to make durable
            _fsync_directory(directory)
        pending.discard(directory)


def atomic_write(path: str | os.PathLike[str], content: WriteFn | bytes | str) -> Path:
    """Replace ``path`` with ``content`` atomically and durably; return the path.

    ``content`` is the bytes to write, a ``str`` (written as UTF-8), or a function called
    with the open binary temporary file (for outputs too large to build in memory).
    Parent directories are created. On any error the temporary file is removed and the
    previous file, if any, is left untouched.
    """
    target = Path(path)
    directory = target.parent
    directory.mkdir(parents=True, exist_ok=True)
    try:
        # Keep the mode an operator gave an existing file (e.g. for a web server).
        mode = target.stat().st_mode & 0o7777
    except FileNotFoundError:
        # mkstemp creates 0600; a new feed file gets what open() would have given it.
        mode = 0o666 & ~_UMASK
    fd, temp_name = tempfile.mkstemp(dir=directory, prefix=f".{target.name}.", suffix=TEMP_SUFFIX)
    temp = Path(temp_name)
    try:
        with os.fdopen(fd, "wb") as fp:
            if isinstance(content, bytes):
                fp.write(content)
            elif isinstance(content, str):
                fp.write(content.encode("utf-8"))
            else:
                content(fp)
            fp.flush()
            os.fchmod(fp.fileno(), mode)
            os.fsync(fp.fileno())
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    pending = _DEFERRED.get()
    if pending is None:
        _fsync_directory(directory)
    else:
        pending.add(directory)
    return target


def write_if_changed(path: str | os.PathLike[str], content: bytes) -> bool:
    """Atomically write ``content`` unless the file already holds exactly it.

    Returns True when the file was written. Leaving an unchanged feed alone keeps its
    mtime, so HTTP caches and conditional GETs of consumers keep working.
    """
    target = Path(path)
    try:
        if target.stat().st_size == len(content) and target.read_bytes() == content:
            return False
    except FileNotFoundError:
        pass
    atomic_write(target, content)
    return True


def sweep_stale_temp_files(directory: str | os.PathLike[str], max_age_seconds: float = 3600) -> int:
    """Delete temporary files of killed writers older than ``max_age_seconds``; return the count.

    Only files named by :func:`atomic_write` (hidden, ``.newsbot-tmp`` suffix) are touched,
    and only old ones, so a write in progress in another process is never removed.
    """
    root = Path(directory)
    if not root.is_dir():
        return 0
    cutoff = time.time() - max_age_seconds
    removed = 0
    for temp in root.glob(f".*{TEMP_SUFFIX}"):
        try:
            if temp.is_file() and temp.stat().st_mtime < cutoff:
                temp.unlink()
                removed += 1
        except FileNotFoundError:
            continue
    return removed
