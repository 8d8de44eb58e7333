"""End-of-run publishing: every file consumers read, written atomically from the store.

The layout is :mod:`newsbot.feeds.layout`'s: feeds per site and section under a folder
per site, the all-sites feed at the top, ``by-date/`` partitions, ``runs/`` files and
``index.json``.

Only what runs can have changed is rewritten: the partitions of the days their records
were published on and the feeds of the sites and sections they belong to; a file whose
content did not change keeps its mtime.

Which runs? Every recent run the directory's completion marker
(:mod:`newsbot.feeds.state`) does not list as complete, plus the run publishing: so a
run killed before it published, a publish killed halfway or stopped by a full disk, and
``newsbot reparse`` are all caught up by the next publish. The marker is written last,
and only when every file was written. A directory without a marker is rebuilt whole
from one pass over the store (every partition and feed; partitions of days no stored
article has any more are removed).

A file that cannot be written (a full disk, a bad name) does not stop the others: it is
reported in the result's ``errors`` and in ``index.json``, the marker is not written, and
the next publish tries again.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from newsbot.extract.dates import FUTURE_MARGIN
from newsbot.feeds.atom import render_atom
from newsbot.feeds.atomic import (
    deferred_directory_syncs,
    sweep_stale_temp_files,
    sync_deferred_directories,
    write_if_changed,
)
from newsbot.feeds.jsonfeed import render_json_feed
from newsbot.feeds.jsonl import render_jsonl, write_jsonl
from newsbot.feeds.layout import (
    ALL_FEED,
    BY_DATE_DIR,
    FEED_SUFFIXES,
    INDEX_FILE,
    RUNS_DIR,
    feed_stem,
    partition_file,
    run_file,
    site_stem,
)
from newsbot.feeds.selection import (
    latest,
    local_date,
    newest_first_key,
    parse_timestamp,
    unique_by_url,
)
from newsbot.feeds.state import PublishState, read_state, state_path, write_state
from newsbot.record import SCHEMA_VERSION

logger = logging.getLogger(__name__)

DEFAULT_FEEDS_DIR = "output/feeds"
DEFAULT_FEEDS_LIMIT = 100
#: How many recent runs are checked against the completion marker. When every one of them
#: is unknown to it (that many publishes failed in a row), older runs may be unpublished
#: too, and the directory is rebuilt whole.
RECOVER_RUNS = 100
LOCK_FILE = ".publish.lock"
#: The spider name ``newsbot reparse`` records its runs under.
REPARSE_SPIDER = "reparse"

#: Kept for callers of the earlier single-folder layout.
feed_name = feed_stem

__all__ = [
    "DEFAULT_FEEDS_DIR",
    "DEFAULT_FEEDS_LIMIT",
    "feed_meta",
    "feed_name",
    "partition_file",
    "partition_records",
    "publish_run",
    "run_file",
    "write_feed_pair",
]


def partition_records(store: Any, day: date) -> list[dict[str, Any]]:
    """Every stored article (near-duplicates too) published on ``day`` in +07:00, each once,
    oldest first."""
    # Ask the store for a day either side and cut exactly here, so the partition does not
    # depend on whether the store compares dates in UTC or local time.
    # Bounds with an offset compare the indexed UTC column (a bare date would scan).
    rows = store.iter_articles(
        since=f"{(day - timedelta(days=1)).isoformat()}T00:00:00+07:00",
        until=f"{(day + timedelta(days=2)).isoformat()}T00:00:00+07:00",
        include_duplicates=True,
        newest_first=False,
    )
    chosen = [r for r in unique_by_url(rows) if local_date(r.get("published_at")) == day]
    chosen.sort(key=newest_first_key)
    return chosen


def feed_meta(records: list[dict[str, Any]], name: str, section: str | None) -> dict[str, Any]:
    """Title, publisher, home page and id of a feed, from its records (publisher-agnostic)."""
    sites = sorted({str(r["site"]) for r in records if r.get("site")})
    publisher = ", ".join(sites) or "newsbot"
    home = None
    if records and records[0].get("url") and len(sites) <= 1:
        parts = urlsplit(str(records[0]["url"]))
        home = f"{parts.scheme}://{parts.netloc}/"
    return {
        "title": f"{publisher}: {section}" if section else publisher,
        "publisher": publisher,
        "home": home,
        "feed_id": f"urn:newsbot:feed:{name}",
    }


def write_feed_pair(
    feeds_dir: str | os.PathLike[str],
    name: str,
    records: list[dict[str, Any]],
    *,
    section: str | None = None,
    base_url: str | None = None,
) -> dict[str, Any]:
    """Write ``<name>.atom`` and ``<name>.json`` of already chosen ``records``; report them.

    ``name`` is relative to ``feeds_dir`` and may hold a folder (``baohaiduong/xa-hoi``).
    """
    root = Path(feeds_dir)
    meta = feed_meta(records, name, section)
    base = base_url.rstrip("/") + "/" if base_url else None
    atom_rel, json_rel = f"{name}.atom", f"{name}.json"
    atom_path, json_path = root / atom_rel, root / json_rel
    atom = render_atom(
        records,
        title=meta["title"],
        feed_id=f"{base}{atom_rel}" if base else meta["feed_id"],
        home_url=meta["home"],
        self_url=f"{base}{atom_rel}" if base else None,
        author=meta["publisher"],
    )
    feed = render_json_feed(
        records,
        title=meta["title"],
        home_page_url=meta["home"],
        feed_url=f"{base}{json_rel}" if base else None,
    )
    written = [
        str(p) for p, data in ((atom_path, atom), (json_path, feed)) if write_if_changed(p, data)
    ]
    return {
        "name": name,
        "section": section,
        "atom": str(atom_path),
        "json": str(json_path),
        "count": len(records),
        "written": written,
    }


# -- index.json -----------------------------------------------------------------------


def _read_index(root: Path) -> dict[str, Any] | None:
    try:
        index = json.loads((root / INDEX_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return index if isinstance(index, dict) else None


def _known_names(index: dict[str, Any] | None) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """site -> folder and site -> {section -> stem} that an earlier publish gave out, so
    names stay stable; empty for an index of the earlier single-folder layout."""
    folders: dict[str, str] = {}
    stems: dict[str, dict[str, str]] = {}
    sites = (index or {}).get("sites")
    if not isinstance(sites, dict):
        return folders, stems
    for site, entry in sites.items():
        if not isinstance(entry, dict) or not isinstance(entry.get("folder"), str):
            continue
        folders[site] = entry["folder"]
        sections = entry.get("sections") if isinstance(entry.get("sections"), dict) else {}
        stems[site] = {
            name: files["atom"].rsplit("/", 1)[-1].removesuffix(".atom")
            for name, files in sections.items()
            if isinstance(files, dict) and isinstance(files.get("atom"), str)
        }
    return folders, stems


def _index_complete(root: Path, index: dict[str, Any] | None) -> bool:
    """True when the index is of this layout and every feed file it lists exists."""
    if index is None or not isinstance(index.get("sites"), dict):
        return False
    files = [index.get("all", {}).get("atom"), index.get("all", {}).get("json")]
    for entry in index["sites"].values():
        files += [entry.get("all", {}).get("atom"), entry.get("all", {}).get("json")]
        for pair in (entry.get("sections") or {}).values():
            files += [pair.get("atom"), pair.get("json")]
    return all(isinstance(f, str) and (root / f).is_file() for f in files)


def _remove_single_folder_feeds(root: Path, index: dict[str, Any] | None) -> list[str]:
    """Delete the per-section feeds of the earlier layout (``<section>.atom`` at the top),
    which would otherwise go stale where readers still poll them."""
    old = (index or {}).get("sections")
    if not isinstance(old, dict) or "sites" in (index or {}):
        return []
    removed = []
    for stem in old.values():
        if not isinstance(stem, str) or "/" in stem or stem in (ALL_FEED, "index", ""):
            continue
        for suffix in FEED_SUFFIXES:
            path = root / f"{stem}{suffix}"
            if path.is_file():
                path.unlink()
                removed.append(str(path))
    return removed


# -- choosing records ---------------------------------------------------------------


def _feed_horizon() -> datetime:
    """The latest publication time a feed shows: a record dated past it (stored before
    dates that far ahead were refused as wrong, issue 11 finding 9) would otherwise sit
    atop every feed for years. It stays in the store and its by-date file."""
    return datetime.now(UTC) + FUTURE_MARGIN


def _newest(
    store: Any, limit: int, *, site: str | None = None, section: str | None = None
) -> list[dict[str, Any]]:
    """The latest ``limit`` records (no near-duplicates) of a site and/or section."""
    rows = store.iter_articles(
        site=site,
        section=section,
        include_duplicates=False,
        newest_first=True,
        limit=limit,
        until=_feed_horizon().isoformat(timespec="seconds"),
    )
    return latest(rows, limit)


class _Latest:
    """The latest ``limit`` records overall, per site and per (site, section), from one pass
    over the store in any order; memory bounded by the feed size, not the store size."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.groups: dict[tuple[str | None, str | None], list[dict[str, Any]]] = {}
        self._horizon = _feed_horizon()

    def _add(self, key: tuple[str | None, str | None], record: dict[str, Any]) -> None:
        group = self.groups.setdefault(key, [])
        group.append(record)
        if len(group) > 4 * self.limit:
            self.groups[key] = latest(group, self.limit)

    def add(self, record: dict[str, Any]) -> None:
        if record.get("duplicate_of"):
            return
        published = parse_timestamp(record.get("published_at"))
        if published is not None and published > self._horizon:
            return  # see _feed_horizon
        site = record.get("site")
        self._add((None, None), record)
        if site:
            self._add((site, None), record)
            if record.get("section"):
                self._add((site, record["section"]), record)

    def get(self, site: str | None, section: str | None) -> list[dict[str, Any]]:
        return latest(self.groups.get((site, section), []), self.limit)

    def keys(self) -> list[tuple[str, str | None]]:
        return sorted(
            ((s, c) for s, c in self.groups if s is not None),
            key=lambda k: (k[0], k[1] is not None, k[1] or ""),
        )


# -- publishing -----------------------------------------------------------------------


@contextlib.contextmanager
def _publish_lock(root: Path) -> Iterator[None]:
    """One publish at a time per directory: runs of two sites may end together, and both
    rewrite ``all.*``, ``index.json`` and the marker."""
    root.mkdir(parents=True, exist_ok=True)
    with open(root / LOCK_FILE, "a+b") as fp:
        fcntl.flock(fp.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fp.fileno(), fcntl.LOCK_UN)


class _Touched:
    """Days, sites and sections that records of the runs being published belong to."""

    def __init__(self) -> None:
        self.days: set[date] = set()
        self.sites: set[str] = set()
        self.sections: set[tuple[str, str]] = set()
        self.records = 0

    def note(self, record: dict[str, Any]) -> None:
        day = local_date(record.get("published_at"))
        if day is not None:
            self.days.add(day)
        site = record.get("site")
        if site:
            self.sites.add(str(site))
            if record.get("section"):
                self.sections.add((str(site), str(record["section"])))

    def left(self, store: Any, run_id: str) -> None:
        """Also the days that articles of the run were published on before an edit moved
        them: their partitions must drop them."""
        for published_at in store.left_published(run_id):
            day = local_date(published_at)
            if day is not None:
                self.days.add(day)

    def noting(self, records: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        for record in records:
            self.note(record)
            self.records += 1
            yield record


def _read_run_file(path: Path) -> Iterator[dict[str, Any]]:
    try:
        with open(path, encoding="utf-8") as fp:
            for line in fp:
                with contextlib.suppress(ValueError):
                    record = json.loads(line)
                    if isinstance(record, dict):
                        yield record
    except OSError:
        return


def _write_run_file(path: Path, records: Iterator[dict[str, Any]]) -> int:
    """Write the records as the run file, or no file at all when there are none."""
    first = next(records, None)
    if first is None:
        return 0

    def everything() -> Iterator[dict[str, Any]]:
        yield first
        yield from records

    return write_jsonl(path, everything())


def _finished_writing(run: dict[str, Any], window: list[dict[str, Any]]) -> bool:
    """True when ``run`` can store nothing more: it ended, or it is marked running but a
    later run of the same spider started (the run lock lets only one run at a time, so
    that one was killed)."""
    if run.get("status") != "running":
        return True
    return any(
        other["spider"] == run["spider"] and other["started_at"] > run["started_at"]
        for other in window
    )


def publish_run(
    store: Any,
    run_id: str,
    feeds_dir: str | os.PathLike[str],
    *,
    limit: int = DEFAULT_FEEDS_LIMIT,
    base_url: str | None = None,
) -> dict[str, Any]:
    """Publish ``run_id`` and every earlier run not yet completely published; report it.

    ``store`` is an open :mod:`newsbot.store` store. ``base_url``, when the feeds are
    served over HTTP, makes feed ids and self links absolute URLs. The result lists every
    file considered: ``{"run_id", "run_file": {path, count}, "recovered_runs": [{run_id,
    path, count}], "partitions": [{date, path, count, written}], "feeds": [{name, section,
    atom, json, count, written}], "rebuilt_all": bool, "errors": [{path, reason}],
    "complete": bool}``; ``run_file.path`` is None when the run changed nothing.
    """
    root = Path(feeds_dir)
    path = run_file(root, run_id)
    with _publish_lock(root), deferred_directory_syncs():
        return _publish(store, run_id, path, root, limit=limit, base_url=base_url)


def _publish(
    store: Any, run_id: str, path: Path, root: Path, *, limit: int, base_url: str | None
) -> dict[str, Any]:
    state = read_state(root)
    window = store.recent_runs(limit=RECOVER_RUNS)
    overflow = (
        state is not None
        and len(window) >= RECOVER_RUNS
        and not any(state.knows(r["run_id"]) for r in window)
    )
    # A reparse can move articles to other days (a date-parser fix); the days they left
    # are known nowhere, so one pass over the store rebuilds every partition.
    reparsed = [
        r["run_id"]
        for r in window
        if r["spider"] == REPARSE_SPIDER and (state is None or r["run_id"] not in state.complete)
    ]
    rebuild = state is None or overflow or bool(reparsed)
    if overflow:
        logger.warning(
            "the last %d runs were never completely published: rebuilding %s", len(window), root
        )
    elif reparsed and state is not None:
        logger.info("records were reparsed (run %s): rebuilding %s", reparsed[0], root)
    errors: list[dict[str, str]] = []

    def attempt(target: Path | str, write: Any) -> Any:
        # One file that cannot be written (full disk, a name the file system refuses,
        # data a renderer chokes on) must not keep the others from being written.
        try:
            return write()
        except Exception as exc:  # noqa: BLE001 - reported in the result and index.json
            detail = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            reason = f"{type(exc).__name__}: {detail}"
            # The file the system refused (a feed is a pair: say which one), else the target.
            # (os.replace names the temporary file first and the target second.)
            failed = getattr(exc, "filename2", None) or getattr(exc, "filename", None)
            target = failed if isinstance(failed, str) and failed.startswith(str(root)) else target
            errors.append({"path": str(target), "reason": reason})
            logger.error(
                "cannot write %s: %s", target, reason, exc_info=not isinstance(exc, OSError)
            )
            return None

    touched = _Touched()
    pending = [
        r
        for r in reversed(window)
        if r["run_id"] != run_id and (state is None or r["run_id"] not in state.complete)
    ]
    recovered = []
    for run in pending:
        earlier = run["run_id"]
        try:
            earlier_path = run_file(root, earlier)
        except ValueError:
            logger.warning("run %r cannot be published: its id is not a file name", earlier)
            continue
        changes = touched.noting(store.iter_run_changes(earlier))
        touched.left(store, earlier)
        if earlier_path.exists():
            # Written whole by an earlier publish (atomic): history, kept as it was. Its
            # days are noted as published and as stored now (an edit may have moved one).
            for _ in changes:
                pass
            for record in _read_run_file(earlier_path):
                touched.note(record)
            continue
        count = attempt(earlier_path, lambda p=earlier_path, c=changes: _write_run_file(p, c))
        for _ in changes:  # a write that failed midway: still note every day it touched
            pass
        if count:
            recovered.append({"run_id": earlier, "path": str(earlier_path), "count": count})
            logger.warning("run %s was not published; published its %d records now", earlier, count)
    before = touched.records
    changes = touched.noting(store.iter_run_changes(run_id))
    touched.left(store, run_id)
    written = attempt(path, lambda: _write_run_file(path, changes))
    for _ in changes:
        pass
    run_count = touched.records - before
    report: dict[str, Any] = {
        "run_id": run_id,
        "run_file": {"path": str(path) if written else None, "count": run_count},
        "recovered_runs": recovered,
        "partitions": [],
        "feeds": [],
        "rebuilt_all": False,
        "errors": errors,
        "complete": False,
    }

    index = _read_index(root)
    folders, stems = _known_names(index)
    rebuild_feeds = rebuild or not _index_complete(root, index)
    report["rebuilt_all"] = rebuild_feeds

    def partition(day: date, rows: list[dict[str, Any]]) -> None:
        target = partition_file(root, day)
        if not rows:
            # A day no stored article is on any more (an edit moved its last one away):
            # no file, as after a rebuild.
            if target.exists():
                attempt(target, target.unlink)
            return
        written = attempt(target, lambda: write_if_changed(target, render_jsonl(rows)))
        report["partitions"].append(
            {
                "date": day.isoformat(),
                "path": str(target),
                "count": len(rows),
                "written": bool(written),
            }
        )

    accumulated: _Latest | None = None
    if rebuild or rebuild_feeds:
        accumulated = _Latest(limit)
        kept = _one_pass(store, accumulated, partition if rebuild else None)
        if rebuild:
            for stale in sorted((root / BY_DATE_DIR).glob("*.jsonl")):
                if stale.name not in kept:
                    attempt(stale, stale.unlink)
    if not rebuild:
        for day in sorted(touched.days):
            partition(day, partition_records(store, day))

    # Which feeds to write: everything after a pass over the store, else what was touched.
    if accumulated is not None:
        groups = accumulated.keys()
        chosen = {key: accumulated.get(*key) for key in groups}
        newest: list[dict[str, Any]] | None = accumulated.get(None, None)
    elif touched.records or touched.sites:
        groups = [(s, None) for s in sorted(touched.sites)] + sorted(touched.sections)
        chosen = {(s, c): _newest(store, limit, site=s, section=c) for s, c in groups}
        newest = _newest(store, limit)
    else:
        groups, chosen, newest = [], {}, None

    def feed(name: str, records: list[dict[str, Any]], section: str | None) -> None:
        result = attempt(
            root / f"{name}.atom",
            lambda: write_feed_pair(root, name, records, section=section, base_url=base_url),
        )
        if result is not None:
            report["feeds"].append(result)

    if newest is not None:
        feed(ALL_FEED, newest, None)
    for site, section in groups:
        folder = folders.get(site) or site_stem(site, {v: k for k, v in folders.items()})
        folders[site] = folder
        site_stems = stems.setdefault(site, {})
        if section is None:
            feed(f"{folder}/{ALL_FEED}", chosen[(site, None)], None)
            continue
        stem = site_stems.get(section) or feed_stem(section, {v: k for k, v in site_stems.items()})
        site_stems[section] = stem
        feed(f"{folder}/{stem}", chosen[(site, section)], section)

    if rebuild_feeds:
        _remove_single_folder_feeds(root, index)
    index_doc = _index_doc(root, folders, stems, run_id, report)
    index_bytes = (json.dumps(index_doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    attempt(root / INDEX_FILE, lambda: write_if_changed(root / INDEX_FILE, index_bytes))

    for directory in (
        root,
        root / RUNS_DIR,
        root / BY_DATE_DIR,
        *(root / f for f in folders.values()),
    ):
        sweep_stale_temp_files(directory)

    # Every rename above made durable before the marker says the runs are published.
    attempt(root, sync_deferred_directories)
    if not errors:
        # Last: only now does the directory show every change of these runs.
        ids = {r["run_id"] for r in window}
        if rebuild:
            # Everything stored is shown; runs that may still be writing are shown again.
            done = {r["run_id"] for r in window if _finished_writing(r, window)}
        else:
            assert state is not None
            done = (state.complete & ids) | {
                r["run_id"] for r in pending if _finished_writing(r, window)
            }
        done.add(run_id)
        new_state = PublishState(complete=done, seen=ids - done, last_run=run_id)
        attempt(state_path(root), lambda: write_state(root, new_state))
    report["complete"] = not errors
    return report


def _one_pass(store: Any, accumulated: _Latest, partition: Any) -> set[str]:
    """Read every stored article once, oldest first: feed ``accumulated`` and, when given,
    call ``partition(day, records)`` for each publish day. Returns the partition file
    names produced."""
    kept: set[str] = set()
    day: date | None = None
    rows: list[dict[str, Any]] = []

    def flush() -> None:
        if day is not None and rows:
            rows.sort(key=newest_first_key)
            partition(day, rows)
            kept.add(f"{day.isoformat()}.jsonl")

    for record in store.iter_articles(include_duplicates=True, newest_first=False):
        accumulated.add(record)
        if partition is None:
            continue
        record_day = local_date(record.get("published_at"))
        if record_day != day:
            flush()
            day, rows = record_day, []
        if record_day is not None:
            rows.append(record)
    if partition is not None:
        flush()
    return kept


def _index_doc(
    root: Path,
    folders: dict[str, str],
    stems: dict[str, dict[str, str]],
    run_id: str,
    report: dict[str, Any],
) -> dict[str, Any]:
    def pair(name: str) -> dict[str, str]:
        return {"atom": f"{name}.atom", "json": f"{name}.json"}

    sites: dict[str, Any] = {}
    for site in sorted(folders):
        folder = folders[site]
        sections = {
            section: pair(f"{folder}/{stem}")
            for section, stem in sorted(stems.get(site, {}).items())
            if (root / f"{folder}/{stem}.atom").is_file()
        }
        sites[site] = {"folder": folder, "all": pair(f"{folder}/{ALL_FEED}"), "sections": sections}
    run = report["run_file"]
    doc: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "all": pair(ALL_FEED),
        "sites": sites,
        "by_date": f"{BY_DATE_DIR}/YYYY-MM-DD.jsonl",
        "last_run": {
            "id": run_id,
            "path": f"{RUNS_DIR}/{Path(run['path']).name}" if run["path"] else None,
            "count": run["count"],
        },
    }
    if report["errors"]:
        doc["errors"] = [
            {"path": os.path.relpath(e["path"], root), "reason": e["reason"]}
            for e in report["errors"]
        ]
    return doc
