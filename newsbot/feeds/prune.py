"""Pruning the feeds directory: run files older than a retention period.

``runs/<run-id>.jsonl`` files are history for consumers that poll between runs; nothing in
newsbot reads them back except to publish a run that is still catching up, so old ones can
go. The by-date partitions and the feeds are the lasting outputs and are never pruned.
``newsbot prune`` calls :func:`prune_run_files` and, when asked with ``--store-older-than``,
:meth:`newsbot.store.Store.prune` (raw pages and finished ``crawl_runs`` rows; articles and
their versions are never pruned). Raw pages are what ``newsbot reparse`` works from, so
the store is pruned only on request.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from newsbot.feeds.atomic import sweep_stale_temp_files
from newsbot.feeds.layout import RUNS_DIR
from newsbot.feeds.state import read_state

DEFAULT_KEEP_DAYS = 30.0


def prune_run_files(
    feeds_dir: str | os.PathLike[str],
    *,
    older_than_days: float = DEFAULT_KEEP_DAYS,
    dry_run: bool = False,
    now: float | None = None,
) -> list[Path]:
    """Delete run files last written more than ``older_than_days`` ago; return them.

    A run the last publish showed while it might still be writing keeps its file (the
    next publish uses it). Also removes temporary files left by killed writers.
    """
    if older_than_days < 0:
        raise ValueError("older_than_days must be 0 or more")
    runs = Path(feeds_dir) / RUNS_DIR
    if not runs.is_dir():
        return []
    state = read_state(feeds_dir)
    busy = state.seen if state else set()
    cutoff = (time.time() if now is None else now) - older_than_days * 86400
    removed = []
    for path in sorted(runs.glob("*.jsonl")):
        try:
            if path.stem in busy or path.stat().st_mtime >= cutoff:
                continue
            if not dry_run:
                path.unlink()
        except FileNotFoundError:
            continue
        removed.append(path)
    if not dry_run:
        sweep_stale_temp_files(runs)
    return removed


def add_prune_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``newsbot prune`` options to ``parser``."""
    parser.add_argument(
        "--feeds-dir",
        metavar="DIR",
        help="the feeds directory (default: $NEWSBOT_FEEDS_DIR or output/feeds)",
    )
    parser.add_argument(
        "--runs-older-than",
        type=float,
        default=DEFAULT_KEEP_DAYS,
        metavar="DAYS",
        help=f"delete run files older than this (default: {DEFAULT_KEEP_DAYS:g})",
    )
    parser.add_argument(
        "--store-older-than",
        type=float,
        metavar="DAYS",
        help="also delete raw pages and finished runs older than this from the store"
        " (default: keep them; raw pages are what `newsbot reparse` reads)",
    )
    parser.add_argument(
        "--store",
        metavar="TARGET",
        help="SQLite path or postgresql:// DSN (default: $NEWSBOT_STORE or output/newsbot.db)",
    )
    parser.add_argument("--dry-run", action="store_true", help="list, delete nothing")


def _prune_store(target: str, older_than_days: float, dry_run: bool = False) -> dict[str, int]:
    from newsbot.store import open_store

    if older_than_days < 0:
        raise ValueError("--store-older-than must be 0 or more")
    if "://" not in target and not Path(target).is_file():
        raise ValueError(f"no store at {target}")
    before = datetime.now(UTC) - timedelta(days=older_than_days)
    # A dry run opens the store read-only: it counts, and never migrates or writes.
    with open_store(target, readonly=dry_run) as store:
        return store.prune(before.isoformat(timespec="microseconds"), dry_run=dry_run)


def run_prune(args: argparse.Namespace) -> int:
    """Run ``newsbot prune``: print what was (or would be) removed as JSON; exit 0, or 2."""
    feeds_dir = args.feeds_dir or os.environ.get("NEWSBOT_FEEDS_DIR") or "output/feeds"
    try:
        removed = prune_run_files(
            feeds_dir, older_than_days=args.runs_older_than, dry_run=args.dry_run
        )
    except (ValueError, OSError) as exc:
        print(f"newsbot prune: {exc}", file=sys.stderr)
        return 2
    report: dict[str, object] = {
        "feeds_dir": str(feeds_dir),
        "dry_run": bool(args.dry_run),
        "run_files": len(removed),
        "removed": [str(p) for p in removed],
    }
    if args.store_older_than is not None:
        from newsbot.store import StoreError
        from newsbot.store.target import store_target

        target = store_target({"NEWSBOT_STORE": args.store})
        try:
            report["store"] = _prune_store(target, args.store_older_than, args.dry_run)
        except (ValueError, StoreError) as exc:
            print(f"newsbot prune: {exc}", file=sys.stderr)
            return 2
    sys.stdout.write(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    return 0
