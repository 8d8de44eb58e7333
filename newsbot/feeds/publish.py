"""End-of-run publishing: every file consumers read, written atomically from the store.

Layout under the feeds directory (``NEWSBOT_FEEDS_DIR``, default ``output/feeds``)::

    runs/<run-id>.jsonl          the run's new and updated records (also written for an
                                 earlier run that never finished, e.g. killed, when found)
    by-date/YYYY-MM-DD.jsonl     every stored article published that day (+07:00), once
    all.atom, all.json           the latest articles of every section (no near-duplicates)
    <section-slug>.atom / .json  the same per section
    index.json                   which section each feed file belongs to, and the last run

Only what a run can have changed is rewritten: the partitions of the days its records were
published on and the feeds of the sections they belong to; a file whose content did not
change keeps its mtime. When ``index.json`` or a feed it lists is missing (first publish, a
wiped directory), every feed is rebuilt from the store.

A run killed before it could publish (SIGKILL: its ``crawl_runs`` row stays "running") has
stored records no output shows. Each publish therefore also publishes the recent runs that
did not finish and have no run file yet: their run files are written and their days'
partitions and sections' feeds rewritten with the current run's.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from newsbot.feeds.atom import render_atom
from newsbot.feeds.atomic import sweep_stale_temp_files, write_if_changed
from newsbot.feeds.jsonfeed import render_json_feed
from newsbot.feeds.jsonl import render_jsonl, write_jsonl
from newsbot.feeds.selection import latest, local_date, newest_first_key, unique_by_url
from newsbot.feeds.slug import section_slug

logger = logging.getLogger(__name__)

ALL_FEED = "all"
INDEX_FILE = "index.json"
DEFAULT_FEEDS_DIR = "output/feeds"
DEFAULT_FEEDS_LIMIT = 100
#: How many recent runs are checked for records that were never published.
RECOVER_RUNS = 50

# A run id becomes a file name; anything else could escape the runs/ directory.
_RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$")


def run_file(feeds_dir: str | os.PathLike[str], run_id: str) -> Path:
    """Where a run's records go; rejects run ids that are not plain file names."""
    if not _RUN_ID.match(run_id) or ".." in run_id:
        raise ValueError(f"run id {run_id!r} is not usable as a file name")
    return Path(feeds_dir) / "runs" / f"{run_id}.jsonl"


def partition_file(feeds_dir: str | os.PathLike[str], day: date) -> Path:
    """The by-date partition of a publish day."""
    return Path(feeds_dir) / "by-date" / f"{day.isoformat()}.jsonl"


def feed_name(section: str, taken: dict[str, str] | None = None) -> str:
    """File stem of a section's feeds: its slug, kept apart from ``all`` and from another
    section already owning the slug in ``taken`` (stem → section)."""
    slug = section_slug(section)
    suffix = hashlib.sha1(section.encode("utf-8")).hexdigest()[:8]
    if not slug:
        return f"section-{suffix}"
    if slug == ALL_FEED:
        return f"section-{slug}"
    if taken and taken.get(slug, section) != section:
        return f"{slug}-{suffix}"
    return slug


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
    if records and records[0].get("url"):
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
    """Write ``<name>.atom`` and ``<name>.json`` of already chosen ``records``; report them."""
    root = Path(feeds_dir)
    meta = feed_meta(records, name, section)
    base = base_url.rstrip("/") + "/" if base_url else None
    atom_path, json_path = root / f"{name}.atom", root / f"{name}.json"
    atom = render_atom(
        records,
        title=meta["title"],
        feed_id=f"{base}{atom_path.name}" if base else meta["feed_id"],
        home_url=meta["home"],
        self_url=f"{base}{atom_path.name}" if base else None,
        author=meta["publisher"],
    )
    feed = render_json_feed(
        records,
        title=meta["title"],
        home_page_url=meta["home"],
        feed_url=f"{base}{json_path.name}" if base else None,
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


def _read_index(root: Path) -> dict[str, Any] | None:
    try:
        index = json.loads((root / INDEX_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return index if isinstance(index, dict) and isinstance(index.get("sections"), dict) else None


def _index_complete(root: Path, index: dict[str, Any] | None) -> bool:
    if index is None:
        return False
    stems = [ALL_FEED, *index["sections"].values()]
    return all((root / f"{s}.atom").is_file() and (root / f"{s}.json").is_file() for s in stems)


def _latest_per_section(
    records: Iterable[dict[str, Any]], limit: int
) -> tuple[list[dict[str, Any]], dict[str, list[dict[str, Any]]]]:
    """One pass over the store: the latest ``limit`` overall and per section."""
    everything: list[dict[str, Any]] = []
    by_section: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        everything.append(record)
        if record.get("section"):
            by_section.setdefault(record["section"], []).append(record)
        # Keep memory bounded by the feed size, not the store size.
        if len(everything) > 4 * limit:
            everything = latest(everything, limit)
        group = by_section.get(record.get("section") or "")
        if group is not None and len(group) > 4 * limit:
            by_section[record["section"]] = latest(group, limit)
    return latest(everything, limit), {s: latest(g, limit) for s, g in by_section.items()}


def unpublished_runs(
    store: Any, feeds_dir: str | os.PathLike[str], run_id: str, *, limit: int = RECOVER_RUNS
) -> list[str]:
    """Ids of recent runs other than ``run_id`` with no run file, oldest first: their
    records are stored but no publish has shown them (a run killed before publishing,
    a publish that failed or was switched off, a ``newsbot reparse``)."""
    found = []
    for run in store.recent_runs(limit=limit):
        other = run["run_id"]
        if other == run_id:
            continue
        try:
            path = run_file(feeds_dir, other)
        except ValueError:
            logger.warning("run %r cannot be published: its id is not a file name", other)
            continue
        if not path.exists():
            found.append(other)
    return found[::-1]


def publish_run(
    store: Any,
    run_id: str,
    feeds_dir: str | os.PathLike[str],
    *,
    limit: int = DEFAULT_FEEDS_LIMIT,
    base_url: str | None = None,
) -> dict[str, Any]:
    """Write the run file, the partitions and feeds the run touched; return what was written.

    Earlier runs found by :func:`unpublished_runs` are published along (their run files,
    partitions and feeds). ``store`` is an open :mod:`newsbot.store` store. ``base_url``,
    when the feeds are served over HTTP, makes feed ids and self links absolute URLs. The
    result lists every file considered: ``{"run_id", "run_file": {path, count},
    "recovered_runs": [{run_id, path, count}], "partitions": [{date, path, count, written}],
    "feeds": [{name, section, atom, json, count, written}], "rebuilt_all": bool}``.
    """
    root = Path(feeds_dir)
    path = run_file(root, run_id)
    days: set[date] = set()
    sections: set[str] = set()

    def noting(records: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        for record in records:
            day = local_date(record.get("published_at"))
            if day is not None:
                days.add(day)
            if record.get("section"):
                sections.add(record["section"])
            yield record

    recovered = []
    for earlier in unpublished_runs(store, root, run_id):
        earlier_path = run_file(root, earlier)
        count = write_jsonl(earlier_path, noting(store.iter_run_changes(earlier)))
        recovered.append({"run_id": earlier, "path": str(earlier_path), "count": count})
        logger.warning("run %s was never published; published its %d records now", earlier, count)
    run_count = write_jsonl(path, noting(store.iter_run_changes(run_id)))
    changed = run_count + sum(r["count"] for r in recovered)
    report: dict[str, Any] = {
        "run_id": run_id,
        "run_file": {"path": str(path), "count": run_count},
        "recovered_runs": recovered,
        "partitions": [],
        "feeds": [],
        "rebuilt_all": False,
    }

    for day in sorted(days):
        rows = partition_records(store, day)
        target = partition_file(root, day)
        written = write_if_changed(target, render_jsonl(rows))
        report["partitions"].append(
            {"date": day.isoformat(), "path": str(target), "count": len(rows), "written": written}
        )

    index = _read_index(root)
    taken: dict[str, str] = {v: k for k, v in (index or {}).get("sections", {}).items()}
    stems: dict[str, str] = dict((index or {}).get("sections", {}))
    if not _index_complete(root, index):
        report["rebuilt_all"] = True
        newest, per_section = _latest_per_section(
            store.iter_articles(include_duplicates=False, newest_first=True), limit
        )
    elif changed:
        newest = latest(
            store.iter_articles(include_duplicates=False, newest_first=True, limit=limit), limit
        )
        per_section = {
            s: latest(
                store.iter_articles(
                    section=s, include_duplicates=False, newest_first=True, limit=limit
                ),
                limit,
            )
            for s in sorted(sections)
        }
    else:
        newest, per_section = None, {}

    if newest is not None:
        report["feeds"].append(write_feed_pair(root, ALL_FEED, newest, base_url=base_url))
    for section in sorted(per_section):
        stem = stems.get(section) or feed_name(section, taken)
        stems[section], taken[stem] = stem, section
        report["feeds"].append(
            write_feed_pair(root, stem, per_section[section], section=section, base_url=base_url)
        )

    index_doc = {
        "all": {"atom": f"{ALL_FEED}.atom", "json": f"{ALL_FEED}.json"},
        "sections": dict(sorted(stems.items())),
        "last_run": {"id": run_id, "path": f"runs/{path.name}", "count": run_count},
    }
    index_bytes = (json.dumps(index_doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    write_if_changed(root / INDEX_FILE, index_bytes)

    for directory in (root, root / "runs", root / "by-date"):
        sweep_stale_temp_files(directory)
    return report


class PublishPipeline:
    """Scrapy item pipeline that publishes the run's outputs once the crawl is over.

    Items pass through unchanged (internal ``_`` keys removed). With the newsbot run state
    (the ``RunState`` extension) on, publishing listens to its ``run_stored`` signal, sent
    once the last batch is written and before the run is recorded and its store lock
    released, so no other run writes while the feeds are built. Without it it runs on
    ``spider_closed``, which Scrapy sends after
    every pipeline's ``close_spider``; pipelines close in parallel, so publishing from
    ``close_spider`` could miss the last batch.

    Settings: ``NEWSBOT_PUBLISH`` (default True; False disables the pipeline),
    ``NEWSBOT_FEEDS_DIR`` (default ``output/feeds``), ``NEWSBOT_FEEDS_LIMIT`` (default 100),
    ``NEWSBOT_FEEDS_BASE_URL`` (optional, where the feeds are served), ``NEWSBOT_STORE``
    (as :func:`newsbot.pipelines.run.store_target` reads it). Stats read:
    ``newsbot/run_id`` (the run to publish), ``newsbot/fatal`` (skip publishing).
    """

    def __init__(
        self,
        crawler: Any,
        *,
        feeds_dir: str,
        limit: int = DEFAULT_FEEDS_LIMIT,
        store: str | None = None,
        base_url: str | None = None,
    ) -> None:
        self.crawler = crawler
        self.feeds_dir = feeds_dir
        self.limit = limit
        self.store_target = store
        self.base_url = base_url
        self.report: dict[str, Any] | None = None
        self.attempted = False

    @classmethod
    def from_crawler(cls, crawler: Any) -> PublishPipeline:
        from scrapy import signals
        from scrapy.exceptions import NotConfigured

        from newsbot.pipelines.run import RunState, run_stored, store_target

        settings = crawler.settings
        if not settings.getbool("NEWSBOT_PUBLISH", True):
            raise NotConfigured("NEWSBOT_PUBLISH is off")
        pipeline = cls(
            crawler,
            feeds_dir=settings.get("NEWSBOT_FEEDS_DIR") or DEFAULT_FEEDS_DIR,
            limit=settings.getint("NEWSBOT_FEEDS_LIMIT", DEFAULT_FEEDS_LIMIT),
            store=store_target(settings),
            base_url=settings.get("NEWSBOT_FEEDS_BASE_URL") or None,
        )
        if crawler.get_extension(RunState) is not None:
            crawler.signals.connect(pipeline.run_stored, signal=run_stored)
            crawler.signals.connect(pipeline.run_not_stored, signal=signals.spider_closed)
        else:
            crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def run_stored(self, run_id: str, store: Any = None, reason: str | None = None) -> None:
        self.publish()

    def run_not_stored(self, spider: Any = None, reason: str | None = None) -> None:
        # The run never started (e.g. the store was locked): say why nothing was published.
        if not self.attempted:
            self.publish()

    def process_item(self, item: Any) -> Any:
        # Last in the chain: internal keys (raw HTML bytes, fetch bookkeeping) are
        # stored by now and must not reach Scrapy's feed exports (-O out.jsonl).
        if isinstance(item, dict):
            for key in [k for k in item if k.startswith("_")]:
                del item[key]
        return item

    def spider_closed(self, spider: Any = None, reason: str | None = None) -> None:
        self.publish()

    def publish(self) -> dict[str, Any] | None:
        """Publish the crawl's run (or skip it, saying why); return publish_run's report."""
        self.attempted = True
        stats = self.crawler.stats
        fatal = stats.get_value("newsbot/fatal")
        if fatal:
            logger.error("Feeds not published: the run failed (%s)", fatal)
            return None
        run_id = stats.get_value("newsbot/run_id")
        if not run_id:
            logger.warning("Feeds not published: no run id in stats (is the store pipeline on?)")
            return None
        from newsbot.store import open_store

        try:
            store = open_store(self.store_target)
            try:
                report = publish_run(
                    store, str(run_id), self.feeds_dir, limit=self.limit, base_url=self.base_url
                )
            finally:
                store.close()
        except Exception as exc:  # noqa: BLE001 - the crawl is stored; say why feeds lag
            # The records are safely stored and publish_run(store, run_id, dir) can be run
            # again for this run; record the failure where `newsbot stats` and monitors look.
            logger.exception("Feeds not published for run %s: %s", run_id, exc)
            stats.set_value("newsbot/publish_error", f"{type(exc).__name__}: {exc}")
            return None
        feed_files = sum(len(f["written"]) for f in report["feeds"])
        partitions = sum(1 for p in report["partitions"] if p["written"])
        recovered = report["recovered_runs"]
        stats.set_value("newsbot/published_records", report["run_file"]["count"])
        stats.set_value("newsbot/published_files", 1 + len(recovered) + partitions + feed_files)
        if recovered:
            stats.set_value("newsbot/published_recovered_runs", [r["run_id"] for r in recovered])
        logger.info(
            "Published run %s to %s: %d records (+%d of %d unfinished runs), %d partitions"
            " and %d feed files rewritten",
            run_id,
            self.feeds_dir,
            report["run_file"]["count"],
            sum(r["count"] for r in recovered),
            len(recovered),
            partitions,
            feed_files,
        )
        self.report = report
        return report
