"""``scrapy shell``: Scrapy's, without taking the store lock or recording a run.

A page of the portal is fetched from ``NEWSBOT_ORIGIN`` when it is set (see
``AddressingMiddleware``); see :mod:`newsbot.commands._inspect` for why a shell is
not a run.
"""

from __future__ import annotations

import argparse

from scrapy.commands.shell import Command as ScrapyShell

from newsbot.commands._inspect import not_a_run


class Command(ScrapyShell):
    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        assert self.settings is not None
        not_a_run(self.settings)
