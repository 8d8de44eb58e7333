"""``newsbot backfill --site X --since D``: plan a backfill from the sitemaps, then run it.

The plan reads robots.txt (for ``Crawl-delay``) and the site's sitemaps, keeping child
sitemaps last modified on or after ``since``, and counts the article URLs modified
since then that the store does not hold. With the configured politeness that gives
the size and an estimated time, printed before anything is crawled; then the crawl
is ``scrapy crawl X -a since=D`` with ``NEWSBOT_PROGRESS_TOTAL`` set, so its progress
line shows an ETA. ``--plan`` stops after the plan.

The plan's requests go where the crawl's would (``NEWSBOT_ORIGIN`` included), with
the crawl's User-Agent and spaced by the same delay.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

Fetch = Callable[[str], bytes]


@dataclass
class BackfillPlan:
    site: str
    since: date
    sitemaps_read: int = 0
    sitemaps_skipped: int = 0
    articles: int = 0  # article URLs modified since `since`
    stored: int = 0  # of those, already in the store
    delay_s: float = 0.0  # spacing of requests to the host
    concurrency: int = 1
    problems: list[str] = field(default_factory=list)

    @property
    def to_fetch(self) -> int:
        return self.articles - self.stored

    @property
    def estimated_s(self) -> float | None:
        """Seconds the article fetches take at the configured politeness, if known."""
        if self.delay_s > 0:
            return self.to_fetch * self.delay_s
        return None

    def describe(self) -> str:
        lines = [
            f"backfill plan for {self.site} since {self.since.isoformat()}:",
            f"  sitemaps read {self.sitemaps_read}, skipped as older {self.sitemaps_skipped}",
            f"  articles modified since then {self.articles}, stored already {self.stored},"
            f" to fetch {self.to_fetch}",
        ]
        if self.estimated_s is not None:
            lines.append(
                f"  at one request per {self.delay_s:g} s to the host: about"
                f" {_hours(self.estimated_s)} (plus listings and retries)"
            )
        else:
            lines.append(
                "  no per-host delay configured: as fast as the server and"
                f" {self.concurrency} concurrent requests allow"
            )
        lines += [f"  problem: {p}" for p in self.problems]
        return "\n".join(lines)


def _hours(seconds: float) -> str:
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def host_delay(settings: Any, robots_delay: float | None) -> float:
    """Seconds between two requests to the host, as the crawl will space them."""
    delay = settings.getfloat("DOWNLOAD_DELAY", 0.0)
    if robots_delay and settings.getbool("NEWSBOT_POLITE", True):
        delay = max(delay, min(robots_delay, settings.getfloat("NEWSBOT_MAX_CRAWL_DELAY", 30.0)))
    return delay


def plan_backfill(site: Any, since: date, settings: Any, fetch: Fetch, store: Any) -> BackfillPlan:
    """Read the sitemaps (through ``fetch``) and count what a backfill would fetch."""
    from protego import Protego

    plan = BackfillPlan(site.name, since)
    plan.concurrency = settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN", 1)
    robots_delay = None
    try:
        robots = Protego.parse(fetch(f"https://{site.canonical_host}/robots.txt").decode())
        robots_delay = robots.crawl_delay(settings.get("USER_AGENT") or "*")
    except (OSError, UnicodeDecodeError) as exc:
        plan.problems.append(f"robots.txt: {exc}")
    plan.delay_s = host_delay(settings, robots_delay)
    cutoff = since.isoformat()
    pending = list(site.sitemaps)
    seen: set[str] = set()
    articles: set[str] = set()
    while pending:
        url = pending.pop(0)
        if url in seen:
            continue
        seen.add(url)
        if plan.sitemaps_read and plan.delay_s:
            time.sleep(plan.delay_s)  # the plan is as polite as the crawl
        try:
            body = fetch(url)
        except OSError as exc:
            plan.problems.append(f"{url}: {exc}")
            continue
        plan.sitemaps_read += 1
        entries, children = site.parse_sitemap(body, url)
        for child in children:
            if child.modified_at and child.modified_at[:10] < cutoff:
                plan.sitemaps_skipped += 1
            else:
                pending.append(child.url)
        for entry in entries:
            # A sitemap may list section pages too (OneCMS's does): only articles count.
            if site.url_kind(entry.url) != "article":
                continue
            if entry.modified_at is None or entry.modified_at[:10] >= cutoff:
                articles.add(entry.url)
    plan.articles = len(articles)
    if store is not None and articles:
        known = store.known_articles(site.name)
        plan.stored = len(articles & set(known))
    return plan


def _fetcher(settings: Any, host: str) -> Fetch:
    """Fetch a portal URL where the crawl would: through ``NEWSBOT_ORIGIN`` /
    ``NEWSBOT_ORIGINS`` when set (the replica, a cache), else from the portal."""
    from newsbot.spiders.addressing import Addressing, parse_origins

    addressing = Addressing(
        host, settings.get("NEWSBOT_ORIGIN"), parse_origins(settings.get("NEWSBOT_ORIGINS"))
    )
    user_agent = settings.get("USER_AGENT") or "newsbot"
    timeout = settings.getfloat("DOWNLOAD_TIMEOUT", 30.0)

    def fetch(url: str) -> bytes:
        target = addressing.to_fetch(url)
        request = urllib.request.Request(target, headers={"User-Agent": user_agent})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.read()
        except urllib.error.HTTPError as exc:
            raise OSError(f"HTTP {exc.code}") from None

    return fetch


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--site", required=True, help="site profile name, e.g. baohaiduong")
    p.add_argument("--since", required=True, help="YYYY-MM-DD: articles from this day on")
    p.add_argument("--plan", action="store_true", help="print the plan and stop")
    p.add_argument(
        "-s",
        dest="settings",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a Scrapy setting for the plan and the crawl (repeatable)",
    )


def run(args: argparse.Namespace) -> int:
    from scrapy.utils.project import get_project_settings

    from newsbot.addon import Newsbot
    from newsbot.sites import get_site
    from newsbot.store import StoreError, open_store
    from newsbot.store.target import store_target

    try:
        since = date.fromisoformat(args.since)
        site = get_site(args.site)
        overrides = dict(pair.split("=", 1) for pair in args.settings)
    except (ValueError, KeyError) as exc:
        print(f"newsbot backfill: {exc}", file=sys.stderr)
        return 2
    settings = get_project_settings()
    settings.setdict(overrides, priority="cmdline")
    # The defaults and environment the crawl will see (NEWSBOT_HOST, NEWSBOT_ORIGIN, ...),
    # under -s as in the crawl: the plan reads the same host's sitemaps as the crawl.
    Newsbot().update_settings(settings)
    try:
        site = site.on_host(settings.get("NEWSBOT_HOST"))
        fetch = _fetcher(settings, site.canonical_host)
    except ValueError as exc:
        print(f"newsbot backfill: {exc}", file=sys.stderr)
        return 2
    try:
        store = open_store(store_target(settings))
    except StoreError as exc:
        print(f"newsbot backfill: cannot open the store: {exc}", file=sys.stderr)
        return 2
    try:
        plan = plan_backfill(site, since, settings, fetch, store)
    finally:
        store.close()
    print(plan.describe(), flush=True)
    if plan.sitemaps_read == 0:
        print("newsbot backfill: no sitemap could be read; nothing planned", file=sys.stderr)
        return 1
    if args.plan:
        return 0
    cmd = [sys.executable, "-m", "scrapy", "crawl", site.name, "-a", f"since={since.isoformat()}"]
    for key, value in {**overrides, "NEWSBOT_PROGRESS_TOTAL": str(plan.to_fetch)}.items():
        cmd += ["-s", f"{key}={value}"]
    return subprocess.call(cmd)
