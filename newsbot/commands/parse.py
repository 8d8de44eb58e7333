"""``scrapy parse``: Scrapy's, without taking the store lock or recording a run.

``scrapy parse --spider baohaiduong <url>`` fetches one page (from ``NEWSBOT_ORIGIN``
when it is set) and shows what the spider's ``parse`` makes of it; see
:mod:`newsbot.commands._inspect` for why it is not a run.
"""

from __future__ import annotations

import argparse

from scrapy.commands.parse import Command as ScrapyParse

from newsbot.commands._inspect import not_a_run


class Command(ScrapyParse):
    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        assert self.settings is not None
        not_a_run(self.settings, pipelines=bool(opts.pipelines))
