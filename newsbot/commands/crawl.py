"""``scrapy crawl`` with an exit status an operator's cron can act on.

Scrapy exits 0 whenever the spider ran at all; newsbot exits 1 when the portal was
unreachable or the run was aborted, and 75 (EX_TEMPFAIL) when another run holds the
store lock, so a scheduler's mail or a monitor notices.
"""

from __future__ import annotations

import argparse

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError


class Command(ScrapyCrawl):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give exactly one spider name, e.g. scrapy crawl baohaiduong")
        assert self.crawler_process
        crawler = self._create_crawler(args[0])
        try:
            self.crawler_process.crawl(crawler, **opts.spargs)
        except ValueError as exc:  # a bad -a argument: one line, no traceback
            raise UsageError(str(exc), print_help=False) from None
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = 1
            return
        stats = crawler.stats
        self.exitcode = int(stats.get_value("newsbot/exit_status", 0) or 0) if stats else 0
