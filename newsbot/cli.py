"""``newsbot``: the commands ``scrapy`` itself does not offer.

``parse`` (one page → record, for debugging a layout), ``export`` (records out of the
store), ``stats`` (health of the store and of each site's runs), ``sections`` (each
site's section keys and names), ``reparse`` (rebuild records from stored raw HTML
after a parser change), ``prune`` (old run files out of the feeds directory),
``schema`` (the JSON Schema of a record), ``backfill`` (plan a backfill from the
sitemaps, then run it). Crawling is ``scrapy crawl <site>``. Exit
statuses are :data:`EXIT_STATUSES` (also in ``--help``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from datetime import date
from typing import Any

from newsbot import __version__

EXIT_OK = 0
EXIT_ALERT = 1
EXIT_USAGE = 2
EXIT_NOT_PARSEABLE = 3
EXIT_LOCKED = 75
EXIT_INTERRUPTED = 130

#: Every exit status of ``newsbot``, for ``--help`` and the README.
EXIT_STATUSES: dict[int, str] = {
    EXIT_OK: "done",
    EXIT_ALERT: "stats: a site's coverage dropped or its latest run fetched nothing it"
    " needed; or the store is damaged; backfill: no sitemap could be read (after the"
    " plan, backfill exits with the crawl's own status)",
    EXIT_USAGE: "bad arguments (unknown site, bad date, ...), or no store / store unreachable",
    EXIT_NOT_PARSEABLE: "parse: the page is not a parseable article/listing/feed/sitemap",
    EXIT_LOCKED: "reparse: a crawl holds the store lock",
    EXIT_INTERRUPTED: "interrupted (Ctrl-C)",
}

DESCRIPTION = (
    "newsbot: the commands scrapy itself does not offer (crawling is `scrapy crawl <site>`)."
)


def _print_json(data: Any) -> None:
    out = json.dumps(data, ensure_ascii=False, indent=2)
    sys.stdout.buffer.write(out.encode("utf-8") + b"\n")
    sys.stdout.flush()


def _read_input(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    with open(path, "rb") as fh:
        return fh.read()


def cmd_parse(args: argparse.Namespace) -> int:
    from newsbot.record import public_view
    from newsbot.sites import get_site, site_for_url

    try:
        site = get_site(args.site) if args.site else site_for_url(args.url)
    except KeyError as exc:
        print(f"newsbot parse: {exc.args[0]}", file=sys.stderr)
        return EXIT_USAGE
    if site is None and args.kind != "article":
        print(
            f"newsbot parse: {args.url}: no site profile owns this host (use --site)",
            file=sys.stderr,
        )
        return EXIT_USAGE
    try:
        raw = _read_input(args.file)
    except OSError as exc:
        print(f"newsbot parse: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return EXIT_USAGE
    if site is None:
        return _parse_generic(raw, args)

    if args.kind == "article":
        outcome = site.parse_article(raw, args.url)
        for kind, detail in outcome.notes:
            print(f"{args.url}: {kind.replace('_', ' ')}: {detail}", file=sys.stderr)
        if not outcome.ok:
            print(f"{args.url}: not a parseable article: {outcome.error}", file=sys.stderr)
            return EXIT_NOT_PARSEABLE
        record = outcome.record or {}
        if args.provenance is False:
            record.pop("provenance", None)
        _print_json(public_view(record))
        return EXIT_OK
    if args.kind == "listing":
        listing = site.parse_listing(raw, args.url)
        if not listing.entries:
            print(f"{args.url}: not a parseable listing: no article links found", file=sys.stderr)
            return EXIT_NOT_PARSEABLE
        _print_json({"articles": listing.articles, "next_page": listing.next_page})
        return EXIT_OK
    if args.kind == "rss":
        entries = site.parse_feed(raw, args.url)
        if not entries:
            print(f"{args.url}: not a parseable feed: no entries found", file=sys.stderr)
            return EXIT_NOT_PARSEABLE
        _print_json({"entries": [{"url": e.url, "published_at": e.published_at} for e in entries]})
        return EXIT_OK
    entries, children = site.parse_sitemap(raw, args.url)
    if not entries and not children:
        print(f"{args.url}: not a parseable sitemap: no URLs found", file=sys.stderr)
        return EXIT_NOT_PARSEABLE
    # A urlset gives its entries, an index its child sitemaps (in file order). An
    # entry's <lastmod> is when the page last changed: the record's modified_at.
    out: dict[str, Any] = {}
    if entries:
        out["entries"] = [{"url": e.url, "modified_at": e.modified_at} for e in entries]
    if children:
        out["sitemaps"] = [c.url for c in children]
    _print_json(out)
    return EXIT_OK


def _parse_generic(raw: bytes, args: argparse.Namespace) -> int:
    """An article of a host no profile owns: the generic extractor, said on stderr."""
    from newsbot.extract import extract_article
    from newsbot.record import public_view

    print(
        f"newsbot parse: {args.url}: no site profile owns this host: generic extraction",
        file=sys.stderr,
    )
    result = extract_article(raw, args.url)
    for kind, detail in result.notes:
        print(f"{args.url}: {kind.replace('_', ' ')}: {detail}", file=sys.stderr)
    if not result.ok:
        print(f"{args.url}: not a parseable article: {result.error}", file=sys.stderr)
        return EXIT_NOT_PARSEABLE
    record = result.record or {}
    if args.provenance is False:
        record.pop("provenance", None)
    _print_json(public_view(record))
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    epilog = "exit status:\n" + "\n".join(
        f"  {code:>3}  {meaning}" for code, meaning in EXIT_STATUSES.items()
    )
    parser = argparse.ArgumentParser(
        prog="newsbot",
        description=DESCRIPTION,
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"newsbot {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("parse", help="parse one saved page and print its record as JSON")
    p.add_argument("file", help="the saved page (HTML or XML), or - for standard input")
    p.add_argument("--url", required=True, help="the URL the page was fetched from")
    p.add_argument("--kind", choices=("article", "listing", "rss", "sitemap"), default="article")
    p.add_argument("--site", help="site profile (default: the one owning the URL's host)")
    p.add_argument(
        "--no-provenance",
        dest="provenance",
        action="store_false",
        help="leave out which extractor produced each field",
    )
    p.set_defaults(func=cmd_parse)

    _add_optional_commands(sub)
    return parser


def _store_target(args: argparse.Namespace) -> str:
    from newsbot.store.target import store_target

    # --store plays the part of the -s setting: it wins over the environment.
    return store_target({"NEWSBOT_STORE": args.store})


def _open_existing_store(target: str, *, readonly: bool = False) -> Any:
    """The store at ``target``; None (with one line on stderr) when there is none."""
    from newsbot.store import StoreError, open_store

    if "://" not in target and not os.path.exists(target):
        print(
            f"newsbot: no store at {target} (run a crawl first, or pass --store)", file=sys.stderr
        )
        return None
    try:
        return open_store(target, readonly=readonly)
    except StoreError as exc:
        print(f"newsbot: cannot open store {target}: {exc}", file=sys.stderr)
        return None


def _known_sites() -> list[str]:
    from newsbot.sites import site_names

    return sorted(site_names())


def cmd_stats(args: argparse.Namespace) -> int:
    from newsbot.health import sites_in, store_health
    from newsbot.store.stats import format_stats, stats_report

    store = _open_existing_store(_store_target(args), readonly=True)
    if store is None:
        return EXIT_USAGE
    try:
        stored = sites_in(store)
        if args.site and args.site not in {*stored, *_known_sites()}:
            known = ", ".join(sorted({*stored, *_known_sites()}))
            print(f"newsbot stats: unknown site {args.site!r}; known: {known}", file=sys.stderr)
            return EXIT_USAGE
        sites = [args.site] if args.site else stored
        health = store_health(store, sites, days=args.days, threshold=args.threshold)
        overall = None if args.site else stats_report(store, days=args.days)
    finally:
        store.close()
    alerts = [alert for h in health for alert in h.alerts]
    if args.json:
        sites_json = {h.site: {**h.report, "alerts": h.alerts, "ok": h.ok} for h in health}
        if overall is None:
            _print_json({**health[0].report, "alerts": alerts, "ok": not alerts})
        else:
            _print_json({**overall, "sites": sites_json, "alerts": alerts, "ok": not alerts})
    else:
        parts = [f"== {h.site} ==\n" + format_stats(h.report, args.threshold) for h in health]
        if not health and overall is not None:
            parts.append(format_stats(overall, args.threshold))
        sys.stdout.write("\n\n".join(parts) + "\n")
    for alert in alerts:
        print(f"newsbot stats: {alert}", file=sys.stderr)
    return EXIT_ALERT if alerts else EXIT_OK


def section_rows(site: Any) -> list[tuple[str, str, str, str]]:
    """(key, name, portal slug, feed stem) of each section a site profile declares, in
    its order.

    The key (:func:`newsbot.sites.sections.section_key` of the name) is the section's
    one name outside the profile: ``-a sections=``, ``export --section`` and the feed
    files (``<site>/<key>.atom``) take it; the portal's slug (in its listing URLs) and the
    name are accepted as aliases. The feed stem is the key, unless the key is a reserved
    file name or too long for one.
    """
    from newsbot.feeds.layout import feed_stem
    from newsbot.sites.sections import sections_of

    return [(s.key, s.name, s.slug, feed_stem(s.name)) for s in sections_of(site.sections)]


def cmd_sections(args: argparse.Namespace) -> int:
    from newsbot.sites import get_site

    known = _known_sites()
    if args.site and args.site not in known:
        print(
            f"newsbot sections: unknown site {args.site!r}; known: {', '.join(known)}",
            file=sys.stderr,
        )
        return EXIT_USAGE
    sites = [args.site] if args.site else known
    rows = {name: section_rows(get_site(name)) for name in sites}
    if args.json:
        _print_json(
            {
                name: [
                    {"key": key, "name": sec, "slug": slug, "feed": stem}
                    for key, sec, slug, stem in r
                ]
                for name, r in rows.items()
            }
        )
        return EXIT_OK
    lines = []
    for name, site_rows in rows.items():
        width = max((len(key) for key, _, _, _ in site_rows), default=0)
        for key, section, slug, stem in site_rows:
            notes = [f"portal: {slug}"] if slug != key else []
            if stem != key:
                notes.append(f"feeds: {stem}")
            extra = f"  ({'; '.join(notes)})" if notes else ""
            lines.append(f"{name}  {key:<{width}}  {section}{extra}")
    out = "\n".join(lines) + "\n"
    sys.stdout.buffer.write(out.encode("utf-8"))
    sys.stdout.flush()
    return EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    from newsbot.record import render_json_schema

    sys.stdout.buffer.write(render_json_schema().encode("utf-8"))
    sys.stdout.flush()
    return EXIT_OK


def cmd_reparse(args: argparse.Namespace) -> int:
    from newsbot.reparse import reparse
    from newsbot.sites import site_for_url
    from newsbot.store import StoreLocked

    def parse(html: bytes, url: str, fetched_on: date | None) -> dict[str, Any] | None:
        site = site_for_url(url)
        return site.parse_article(html, url, fetched_on=fetched_on).record if site else None

    store = _open_existing_store(_store_target(args))
    if store is None:
        return EXIT_USAGE
    try:
        counts = reparse(store, parse)
    except StoreLocked as exc:
        print(f"newsbot reparse: {exc}", file=sys.stderr)
        return EXIT_LOCKED
    finally:
        store.close()
    _print_json(counts)
    return EXIT_OK


def _add_optional_commands(sub: Any) -> None:
    """Commands over the store and the feeds."""
    from newsbot.feeds.export import add_export_arguments, run_export
    from newsbot.feeds.prune import add_prune_arguments, run_prune

    p = sub.add_parser("export", help="write stored records as JSON Lines, CSV, Atom or JSON Feed")
    add_export_arguments(p)
    p.set_defaults(func=run_export)

    p = sub.add_parser(
        "stats",
        help="store health per site: counts, latency, coverage; exit 1 when any site is unwell",
    )
    p.add_argument(
        "--store",
        help="SQLite path or postgresql:// DSN (default: $NEWSBOT_STORE or output/newsbot.db)",
    )
    p.add_argument("--site", help="only this site (default: every site in the store)")
    p.add_argument("--days", type=int, default=30, help="window for per-day counts")
    p.add_argument(
        "--threshold",
        type=float,
        default=0.9,
        help="minimum coverage of title, published_at and body (exit 1 below it)",
    )
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=cmd_stats)

    p = sub.add_parser("sections", help="each site's section keys, names and portal slugs")
    p.add_argument("--site", help="only this site (default: every site profile)")
    p.add_argument(
        "--json", action="store_true", help="print {site: [{key, name, slug, feed}]} as JSON"
    )
    p.set_defaults(func=cmd_sections)

    p = sub.add_parser("schema", help="print the JSON Schema of a record")
    p.set_defaults(func=cmd_schema)

    p = sub.add_parser("prune", help="delete old run files from the feeds directory")
    add_prune_arguments(p)
    p.set_defaults(func=run_prune)

    p = sub.add_parser("reparse", help="rebuild records from stored raw HTML (no refetch)")
    p.add_argument("--store", help="SQLite path or postgresql:// DSN")
    p.set_defaults(func=cmd_reparse)

    from newsbot import backfill

    p = sub.add_parser(
        "backfill", help="plan a backfill from the sitemaps (size, time), then run it"
    )
    backfill.add_arguments(p)
    p.set_defaults(func=backfill.run)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from newsbot.store import StoreError

    try:
        return int(args.func(args))
    except StoreError as exc:  # e.g. a store file damaged past its first pages: one line
        print(f"newsbot {args.command}: {exc}", file=sys.stderr)
        return EXIT_ALERT
    except KeyboardInterrupt:
        print("newsbot: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
