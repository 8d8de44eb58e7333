"""``newsbot``: the commands ``scrapy`` itself does not offer.

``parse`` (one page → record, for debugging a layout), ``export`` (records out of the
store), ``stats`` (health of the store and the last run), ``reparse`` (rebuild records
from stored raw HTML after a parser change). Crawling is ``scrapy crawl <site>``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from typing import Any

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_NOT_PARSEABLE = 3


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
    if site is None:
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

    if args.kind == "article":
        outcome = site.parse_article(raw, args.url)
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsbot", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

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
    from newsbot.pipelines.run import store_target

    # --store plays the part of the -s setting: it wins over the environment.
    return store_target({"NEWSBOT_STORE": args.store})


def _open_existing_store(target: str) -> Any:
    """The store at ``target``; None (with one line on stderr) when there is none."""
    from newsbot.store import StoreError, open_store

    if "://" not in target and not os.path.exists(target):
        print(
            f"newsbot: no store at {target} (run a crawl first, or pass --store)", file=sys.stderr
        )
        return None
    try:
        return open_store(target)
    except StoreError as exc:
        print(f"newsbot: cannot open store {target}: {exc}", file=sys.stderr)
        return None


def cmd_stats(args: argparse.Namespace) -> int:
    from newsbot.store.stats import coverage_ok, format_stats, stats_report

    store = _open_existing_store(_store_target(args))
    if store is None:
        return EXIT_USAGE
    try:
        report = stats_report(store, days=args.days)
    finally:
        store.close()
    if args.json:
        _print_json(report)
    else:
        sys.stdout.write(format_stats(report, args.threshold) + "\n")
    if not coverage_ok(report, args.threshold):
        print(
            f"newsbot stats: coverage of title, published_at or body in the last run is under "
            f"{args.threshold:.0%}: a layout change?",
            file=sys.stderr,
        )
        return 1
    return EXIT_OK


def cmd_reparse(args: argparse.Namespace) -> int:
    from newsbot.sites import site_for_url
    from newsbot.store import StoreLocked
    from newsbot.store.reparse import reparse

    def parse(html: bytes, url: str) -> dict[str, Any] | None:
        site = site_for_url(url)
        return site.parse_article(html, url).record if site else None

    store = _open_existing_store(_store_target(args))
    if store is None:
        return EXIT_USAGE
    try:
        counts = reparse(store, parse)
    except StoreLocked as exc:
        print(f"newsbot reparse: {exc}", file=sys.stderr)
        return 75
    finally:
        store.close()
    _print_json(counts)
    return EXIT_OK


def _add_optional_commands(sub: Any) -> None:
    """Commands over the store and the feeds."""
    from newsbot.feeds.export import add_export_arguments, run_export

    p = sub.add_parser("export", help="write stored records as JSON Lines, CSV, Atom or JSON Feed")
    add_export_arguments(p)
    p.set_defaults(func=run_export)

    p = sub.add_parser("stats", help="store health: per-section counts, latency, last run coverage")
    p.add_argument(
        "--store",
        help="SQLite path or postgresql:// DSN (default: $NEWSBOT_STORE or output/newsbot.db)",
    )
    p.add_argument("--days", type=int, default=30, help="window for per-day counts")
    p.add_argument(
        "--threshold",
        type=float,
        default=0.9,
        help="minimum coverage of title, published_at and body (exit 1 below it)",
    )
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=cmd_stats)

    p = sub.add_parser("reparse", help="rebuild records from stored raw HTML (no refetch)")
    p.add_argument("--store", help="SQLite path or postgresql:// DSN")
    p.set_defaults(func=cmd_reparse)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
