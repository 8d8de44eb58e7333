"""``scrapy crawl`` with an exit status an operator's cron can act on.

Scrapy exits 0 whenever the spider ran at all; newsbot exits 1 when the portal was
unreachable or the run was aborted, and 75 (EX_TEMPFAIL) when another run holds the
store lock, so a scheduler's mail or a monitor notices.
"""

from __future__ import annotations

import argparse
import sys

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError


class Command(ScrapyCrawl):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give exactly one spider name, e.g. scrapy crawl baohaiduong")
        assert self.crawler_process
        crawler = self._create_crawler(args[0])
        check = getattr(crawler.spidercls, "check_arguments", None)
        if check is not None:
            try:
                check(**opts.spargs)
            except (TypeError, ValueError) as exc:  # a bad -a argument: one line, no traceback
                print(f"scrapy crawl {args[0]}: {exc}", file=sys.stderr)
                self.exitcode = 2
                return
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = 1
            return
        self.exitcode = exit_status(crawler.stats.get_stats() if crawler.stats else {})


EX_TEMPFAIL = 75


def exit_status(stats: dict) -> int:
    """0 when the run did its work, 75 when the store was locked, 1 when it failed."""
    if stats.get("finish_reason") == "store_locked":
        return EX_TEMPFAIL
    explicit = stats.get("newsbot/exit_status")
    if explicit:
        return int(explicit)
    if stats.get("newsbot/fatal"):
        return 1
    return 0
