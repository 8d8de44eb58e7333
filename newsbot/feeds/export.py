"""``newsbot export``: stored records out as JSON Lines, CSV, Atom or JSON Feed.

Reads the store (``--store``, else env ``NEWSBOT_STORE``, else ``output/newsbot.db``) and
writes to standard output, or atomically to ``--output PATH``. ``--since``/``--until`` are
publish days in +07:00, both inclusive. JSON Lines and CSV list oldest first (an archive);
Atom and JSON Feed newest first (a feed). Near-duplicates are left out unless
``--include-duplicates``. ``--site`` keeps one site's records; ``--section`` takes a
section's key (``khoa-hoc-giao-duc``, as ``newsbot sections`` and the feed file names
spell it), its name (``"Khoa học - Giáo dục"``) or the portal's slug
(``khoa-hoc---giao-duc``). Usage errors print one line on stderr and exit 2; so does a site or
section the store has no article of, with the nearest names it has ("did you mean ...?"),
since an empty export with status 0 looks like success to a script.
"""

from __future__ import annotations

import argparse
import difflib
import itertools
import os
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urlsplit

from newsbot.feeds.atom import render_atom
from newsbot.feeds.atomic import atomic_write
from newsbot.feeds.csvfile import write_csv_to
from newsbot.feeds.jsonfeed import render_json_feed
from newsbot.feeds.jsonl import write_jsonl_to
from newsbot.feeds.publish import feed_meta
from newsbot.feeds.selection import is_duplicate, latest, local_date, unique_by_url
from newsbot.feeds.slug import section_slug
from newsbot.sites.sections import Section, find_section, sections_of

EXIT_OK = 0
EXIT_USAGE = 2

FORMATS = ("jsonl", "csv", "atom", "json")


class ExportError(Exception):
    """A usage problem reported as one line on stderr (exit status 2)."""


def add_export_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``newsbot export`` options to ``parser``."""
    parser.add_argument("--since", metavar="YYYY-MM-DD", help="first publish day (+07:00)")
    parser.add_argument("--until", metavar="YYYY-MM-DD", help="last publish day, inclusive")
    parser.add_argument("--site", metavar="NAME", help="only this site (e.g. baohaiduong)")
    parser.add_argument(
        "--section",
        metavar="NAME",
        help="only this section: its key (khoa-hoc-giao-duc), name or the portal's slug",
    )
    parser.add_argument("--format", choices=FORMATS, default="jsonl", help="default: jsonl")
    parser.add_argument(
        "--output",
        "-o",
        metavar="PATH",
        default="-",
        help="file to write atomically (default: -, stdout)",
    )
    parser.add_argument(
        "--store",
        metavar="TARGET",
        help="SQLite path or postgresql:// DSN (default: $NEWSBOT_STORE)",
    )
    parser.add_argument(
        "--include-duplicates", action="store_true", help="keep near-duplicates (duplicate_of set)"
    )
    parser.add_argument("--limit", type=int, metavar="N", help="at most N records")


def _parse_day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ExportError(f"{option} {value!r}: expected a date as YYYY-MM-DD") from None


def _is_dsn(target: str) -> bool:
    return target.startswith(("postgresql://", "postgres://"))


def _describe(target: str) -> str:
    """The store target without a password, for error messages."""
    if not _is_dsn(target):
        return target
    parts = urlsplit(target)
    return f"{parts.scheme}://{parts.hostname or ''}{f':{parts.port}' if parts.port else ''}{parts.path}"


def open_export_store(target: str) -> Any:
    """Open an existing store for reading; an absent SQLite file is an error, not a new store."""
    path = target.removeprefix("sqlite:///")
    if not _is_dsn(target) and not Path(path).is_file():
        raise ExportError(f"store not found: {path}")
    try:
        from newsbot.store import open_store
    except ImportError as exc:  # pragma: no cover - the store package ships with newsbot
        raise ExportError(f"store backend unavailable: {exc}") from None
    try:
        return open_store(target, readonly=True)
    except Exception as exc:  # an unreachable server or a file that is not a store
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ExportError(f"cannot open store {_describe(target)}: {reason}") from None


def stored_sections(store: Any) -> dict[str, dict[str, int]]:
    """site -> {section -> article count} of what the store holds."""
    out: dict[str, dict[str, int]] = {}
    for site, section, count in store.query(
        "SELECT site, section, COUNT(*) FROM articles GROUP BY site, section"
    ):
        out.setdefault(str(site), {})[section or ""] = int(count)
    return out


def _did_you_mean(wanted: str, names: list[str]) -> str:
    """'; did you mean 'A' or 'B'?' for the names nearest ``wanted``, or the list of names."""
    slug = section_slug(wanted)
    by_slug = {section_slug(n): n for n in names}
    near = [n for n in names if slug and slug in section_slug(n)]
    near += [
        by_slug[m]
        for m in difflib.get_close_matches(slug, list(by_slug), n=3, cutoff=0.6)
        if by_slug[m] not in near
    ]
    if near:
        return "; did you mean " + " or ".join(repr(n) for n in near[:3]) + "?"
    shown = ", ".join(repr(n) for n in names[:10]) + (", ..." if len(names) > 10 else "")
    return f"; the store has {shown}" if names else "; the store has no article"


def _profile_sections(site: str) -> list[Section]:
    """The sections the profile of ``site`` declares; none for a site without one."""
    from newsbot.sites import get_site, site_names

    return sections_of(get_site(site).sections) if site in site_names() else []


def resolve_filters(
    store: Any, site: str | None, section: str | None
) -> tuple[str | None, str | None]:
    """The site and section names as stored, for the names given on the command line.

    A section matches by its name, its key (``khoa-hoc-giao-duc``) or the portal's slug
    its profile declares (``khoa-hoc---giao-duc``), case and diacritics forgiven; raises :class:`ExportError` (with the
    nearest stored names) for a site or section the store has no article of.
    """
    if site is None and section is None:
        return None, None
    known = stored_sections(store)
    if site is not None and site not in known:
        raise ExportError(f"no site {site!r} in the store{_did_you_mean(site, sorted(known))}")
    if section is None:
        return site, None
    names = sorted({n for s, sections in known.items() if site in (None, s) for n in sections if n})
    if section in names:
        return site, section
    matches = [n for n in names if section_slug(n) == section_slug(section)]
    if len(matches) == 1:
        return site, matches[0]
    # The portal's slug of a section a profile declares (its listing URLs' spelling).
    declared = {
        found.name
        for s in known
        if site in (None, s)
        for found in [find_section(_profile_sections(s), section)]
        if found is not None and found.name in names
    }
    if len(declared) == 1:
        return site, declared.pop()
    where = f" of site {site!r}" if site else ""
    raise ExportError(f"no section {section!r}{where} in the store{_did_you_mean(section, names)}")


def select_records(
    store: Any,
    *,
    since: date | None = None,
    until: date | None = None,
    site: str | None = None,
    section: str | None = None,
    include_duplicates: bool = False,
    newest_first: bool = False,
    limit: int | None = None,
) -> Iterator[dict[str, Any]]:
    """Stored records published between ``since`` and ``until`` (+07:00 days, inclusive)."""
    # Ask for a day more either side and cut here, so day boundaries are the portal's
    # whatever time zone the store compares in.
    rows = store.iter_articles(
        since=(since - timedelta(days=1)).isoformat() if since else None,
        until=(until + timedelta(days=1)).isoformat() if until else None,
        site=site,
        section=section,
        include_duplicates=include_duplicates,
        newest_first=newest_first,
    )
    chosen = (
        r
        for r in unique_by_url(rows)
        if (include_duplicates or not is_duplicate(r))
        and (site is None or r.get("site") == site)
        and (section is None or r.get("section") == section)
        and (since is None or (local_date(r.get("published_at")) or date.min) >= since)
        and (until is None or (local_date(r.get("published_at")) or date.max) <= until)
    )
    return itertools.islice(chosen, limit) if limit is not None else chosen


def _write(args: argparse.Namespace, records: Iterator[dict[str, Any]], out: BinaryIO) -> None:
    if args.format == "jsonl":
        write_jsonl_to(out, records)
    elif args.format == "csv":
        write_csv_to(out, records)
    else:
        chosen = latest(records, None, include_duplicates=True)
        parts = (args.site, section_slug(args.section) if args.section else "all")
        name = "/".join(part for part in parts if part)
        meta = feed_meta(chosen, name or "section", args.section)
        if args.format == "atom":
            data = render_atom(
                chosen,
                title=meta["title"],
                feed_id=meta["feed_id"],
                home_url=meta["home"],
                author=meta["publisher"],
            )
        else:
            data = render_json_feed(chosen, title=meta["title"], home_page_url=meta["home"])
        out.write(data)


def _store_target(given: str | None) -> str:
    """``--store`` plays the part of the ``NEWSBOT_STORE`` setting (it wins over the env)."""
    # Imported here: the pipelines package pulls in Scrapy, which export needs no more of.
    from newsbot.store.target import store_target

    return store_target({"NEWSBOT_STORE": given})


def run_export(args: argparse.Namespace) -> int:
    """Run ``newsbot export`` with parsed arguments; return the exit status."""
    try:
        since = _parse_day(args.since, "--since")
        until = _parse_day(args.until, "--until")
        if since and until and since > until:
            raise ExportError(f"--since {since} is after --until {until}")
        if args.limit is not None and args.limit < 0:
            raise ExportError("--limit must be 0 or more")
        store = open_export_store(_store_target(args.store))
    except ExportError as exc:
        print(f"newsbot export: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        try:
            site, section = resolve_filters(store, args.site, args.section)
        except ExportError as exc:
            print(f"newsbot export: {exc}", file=sys.stderr)
            return EXIT_USAGE
        args.section = section
        records = select_records(
            store,
            since=since,
            until=until,
            site=site,
            section=section,
            include_duplicates=args.include_duplicates,
            newest_first=args.format in ("atom", "json"),
            limit=args.limit,
        )
        if args.output in (None, "-"):
            try:
                _write(args, records, sys.stdout.buffer)
                sys.stdout.buffer.flush()
            except BrokenPipeError:
                # The reader (e.g. ``| head``) went away: not an error; silence the final
                # flush at exit, which would raise again.
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        else:
            try:
                atomic_write(Path(args.output), lambda fp: _write(args, records, fp))
            except OSError as exc:
                print(
                    f"newsbot export: cannot write {args.output}: {exc.strerror}", file=sys.stderr
                )
                return EXIT_USAGE
    finally:
        store.close()
    return EXIT_OK
