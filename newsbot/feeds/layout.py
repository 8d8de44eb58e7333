"""Where every published file goes, and the names of feed files.

Layout under the feeds directory (``NEWSBOT_FEEDS_DIR``, default ``output/feeds``)::

    index.json                       sites -> sections -> feed files, schema_version, last run
    all.atom, all.json               the latest articles of every site (no near-duplicates)
    <site>/all.atom, <site>/all.json the latest articles of one site
    <site>/<section>.atom / .json    the latest articles of one section of one site
    by-date/YYYY-MM-DD.jsonl         every stored article published that day (+07:00), once
    runs/<run-id>.jsonl              the records one run added or changed (none: no file)
    .publish-state.json              written last by a publish that completed (see state.py)

A name taken from data (a site, a section) becomes a file name only through
:func:`feed_stem`: ASCII, at most :data:`MAX_STEM` characters, never one of the names the
layout itself uses, and never the name another section already owns. A section named
"Index", "All" or with a 300-character name therefore gets a file like every other.
"""

from __future__ import annotations

import hashlib
import os
import re
from datetime import date
from pathlib import Path

from newsbot.feeds.slug import section_slug

ALL_FEED = "all"
INDEX_FILE = "index.json"
STATE_FILE = ".publish-state.json"
RUNS_DIR = "runs"
BY_DATE_DIR = "by-date"
FEED_SUFFIXES = (".atom", ".json")

#: Longest feed file stem. File systems allow 255 bytes; atomic writes add a hidden
#: temporary name around it (about 30 characters), and a short name is easier to link.
MAX_STEM = 80

#: Stems data can never take: the all-sites/all-sections feed and the index, and (for a
#: site folder at the top) the directories the layout uses.
RESERVED_SECTION_STEMS = frozenset({ALL_FEED, "index"})
RESERVED_SITE_STEMS = frozenset({ALL_FEED, "index", RUNS_DIR, BY_DATE_DIR})

# A run id becomes a file name; anything else could escape the runs/ directory.
_RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$")


def run_file(feeds_dir: str | os.PathLike[str], run_id: str) -> Path:
    """Where a run's records go; rejects run ids that are not plain file names."""
    if not _RUN_ID.match(run_id) or ".." in run_id:
        raise ValueError(f"run id {run_id!r} is not usable as a file name")
    return Path(feeds_dir) / RUNS_DIR / f"{run_id}.jsonl"


def partition_file(feeds_dir: str | os.PathLike[str], day: date) -> Path:
    """The by-date partition of a publish day."""
    return Path(feeds_dir) / BY_DATE_DIR / f"{day.isoformat()}.jsonl"


def _hash(name: str, length: int = 8) -> str:
    return hashlib.sha1(name.encode("utf-8")).hexdigest()[:length]


def feed_stem(
    name: str,
    taken: dict[str, str] | None = None,
    *,
    reserved: frozenset[str] = RESERVED_SECTION_STEMS,
    prefix: str = "section",
) -> str:
    """File stem for the feeds of ``name`` (a section or site name as the data gives it).

    The ASCII slug of the name when it is free; ``<prefix>-<slug>`` when the slug is a
    reserved name; the slug cut to :data:`MAX_STEM` with a hash of the full name when it
    is longer; a hash suffix when another name already owns the slug in ``taken``
    (stem -> name). The same name and ``taken`` always give the same stem.
    """
    slug = section_slug(name)
    if not slug:
        return f"{prefix}-{_hash(name)}"
    if slug in reserved:
        slug = f"{prefix}-{slug}"
    if len(slug) > MAX_STEM:
        slug = f"{slug[: MAX_STEM - 9].rstrip('-')}-{_hash(name)}"
    if not taken or taken.get(slug, name) == name:
        return slug
    # The slug belongs to another name ("Giáo dục" vs "Giáo Dục"): add the name's hash,
    # longer only in the (astronomically unlikely) case that one is taken too.
    base = slug[: MAX_STEM - 17].rstrip("-")
    for length in (8, 16):
        candidate = f"{base}-{_hash(name, length)}"
        if taken.get(candidate, name) == name:
            return candidate
    raise ValueError(f"no free feed file name for {name!r}")  # pragma: no cover


def site_stem(site: str, taken: dict[str, str] | None = None) -> str:
    """Folder name of a site's feeds (see :func:`feed_stem`)."""
    return feed_stem(site, taken, reserved=RESERVED_SITE_STEMS, prefix="site")
