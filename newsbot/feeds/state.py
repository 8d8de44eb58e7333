"""The completion marker of publishing: which runs a feeds directory fully shows.

A publish writes many files (run files, by-date partitions, feeds, ``index.json``) and can
be killed or hit a full disk between any two. No file it writes can therefore mean
"published"; only this marker does, and it is written last, after every other file of the
publish was written without an error. The next publish reads it to know which runs it
must (re)publish: every recent run the marker does not list as complete. A directory
without a marker (first publish, wiped, or written by an older newsbot) is rebuilt
whole from the store.

The marker lives in the feeds directory, not in the store, because it describes that
directory: two feeds directories of one store, or one that was wiped, each get what
they lack.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from newsbot.feeds.atomic import atomic_write
from newsbot.feeds.layout import STATE_FILE

STATE_VERSION = 1


@dataclass
class PublishState:
    """What the last completed publish of a directory covered.

    ``complete``: runs whose every stored change the directory shows (the run published
    itself, or it had stopped writing when another publish showed it). ``seen``: runs shown
    while they might still have been writing (another site's run going on at the same time);
    they are shown again by every publish until they are complete.
    """

    complete: set[str] = field(default_factory=set)
    seen: set[str] = field(default_factory=set)
    last_run: str | None = None
    completed_at: str | None = None

    def knows(self, run_id: str) -> bool:
        return run_id in self.complete or run_id in self.seen


def state_path(feeds_dir: str | os.PathLike[str]) -> Path:
    return Path(feeds_dir) / STATE_FILE


def read_state(feeds_dir: str | os.PathLike[str]) -> PublishState | None:
    """The marker of ``feeds_dir``, or None when absent or unreadable (rebuild everything)."""
    try:
        doc = json.loads(state_path(feeds_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(doc, dict) or doc.get("version") != STATE_VERSION:
        return None
    complete, seen = doc.get("complete"), doc.get("seen", [])
    if not isinstance(complete, list) or not isinstance(seen, list):
        return None
    return PublishState(
        complete={str(r) for r in complete},
        seen={str(r) for r in seen},
        last_run=doc.get("last_run"),
        completed_at=doc.get("completed_at"),
    )


def write_state(feeds_dir: str | os.PathLike[str], state: PublishState) -> Path:
    """Write the marker atomically (call it last, once everything else is written)."""
    state.completed_at = datetime.now(UTC).isoformat(timespec="seconds")
    doc: dict[str, Any] = {
        "version": STATE_VERSION,
        "completed_at": state.completed_at,
        "last_run": state.last_run,
        "complete": sorted(state.complete),
        "seen": sorted(state.seen - state.complete),
    }
    return atomic_write(state_path(feeds_dir), json.dumps(doc, indent=2) + "\n")
