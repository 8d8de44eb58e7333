"""The crawl policy: what a run requests, refetches, pages on and skips; no Scrapy here.

- ``arguments``: the spider's ``-a`` arguments, parsed and checked once.
- ``history``: what earlier runs tell this one (read once from the store).
- ``policy``: the decisions (:class:`CrawlPolicy`) and request priorities.
- ``outcome``: how a run ended (portal unreachable, nothing fetched).
- ``errors``: the shape of what a run gave up on (``crawl_runs.errors``), with a
  transient/permanent flag.

The spider (``newsbot.spiders.portal``) only asks these and turns the answers into
Scrapy requests. A new kind of discovery (e.g. day-file sitemaps) adds a decision
here, with its table of cases in ``tests/crawl``.
"""

from newsbot.crawl.arguments import ArgumentError, CrawlArguments
from newsbot.crawl.errors import crawl_error, http_is_transient, is_transient
from newsbot.crawl.history import RunHistory, load_history
from newsbot.crawl.policy import CrawlPolicy, Fetch, PolicySettings

__all__ = [
    "ArgumentError",
    "CrawlArguments",
    "CrawlPolicy",
    "Fetch",
    "PolicySettings",
    "RunHistory",
    "crawl_error",
    "http_is_transient",
    "is_transient",
    "load_history",
]
