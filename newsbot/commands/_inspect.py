"""What ``scrapy parse`` and ``scrapy shell`` share: they look at pages, they are not runs.

A look at one page must not take the store's run lock, write a ``crawl_runs`` row (a
finished row would pass for a complete run and let the next crawl skip sitemap parts;
an unfinished one makes it walk every listing) or publish feeds. So the item
pipelines are off (``scrapy parse --pipelines`` turns them back on, as asked) and
``NEWSBOT_RECORD_RUN`` is False for any run-recording component that reads it.
"""

from __future__ import annotations

from typing import Any


def not_a_run(settings: Any, *, pipelines: bool = False) -> None:
    """Settings for a command that inspects pages (command line priority)."""
    if pipelines:
        return
    from newsbot.addon import ITEM_PIPELINES

    # Each pipeline switched off by name: the add-on fills in only what is not named.
    off = {path: None for path in (*ITEM_PIPELINES, *settings.getdict("ITEM_PIPELINES"))}
    settings.set("ITEM_PIPELINES", off, priority="cmdline")
    settings.set("NEWSBOT_RECORD_RUN", False, priority="cmdline")
    settings.set("NEWSBOT_PUBLISH", False, priority="cmdline")
