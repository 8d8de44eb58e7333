"""``newsbot``: the commands ``scrapy`` itself does not offer.

``parse`` (one page → record, for debugging a layout), ``export`` (records out of the
store), ``stats`` (health of the store and the last run), ``reparse`` (rebuild records
from stored raw HTML after a parser change). Crawling is ``scrapy crawl <site>``.
"""

from __future__ import annotations

import argparse
import json
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
    _print_json(
        {
            "entries": [{"url": e.url, "lastmod": e.published_at} for e in entries],
            "sitemaps": children,
        }
    )
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


def _add_optional_commands(sub: Any) -> None:
    """Commands living next to what they serve (feeds, store)."""
    try:
        from newsbot.feeds.export import add_export_arguments, run_export
    except ImportError:
        pass
    else:
        p = sub.add_parser(
            "export", help="write stored records as JSON Lines, CSV, Atom or JSON Feed"
        )
        add_export_arguments(p)
        p.set_defaults(func=run_export)
    try:
        from newsbot.store.commands import (
            add_reparse_arguments,
            add_stats_arguments,
            run_reparse,
            run_stats,
        )
    except ImportError:
        pass
    else:
        p = sub.add_parser(
            "stats", help="store health: per-section counts, latency, last run coverage"
        )
        add_stats_arguments(p)
        p.set_defaults(func=run_stats)
        p = sub.add_parser("reparse", help="rebuild records from stored raw HTML (no refetch)")
        add_reparse_arguments(p)
        p.set_defaults(func=run_reparse)


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
