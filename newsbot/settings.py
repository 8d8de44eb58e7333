"""Scrapy settings of the newsbot project: Scrapy's own knobs, and the newsbot add-on.

Every ``NEWSBOT_*`` default, the environment overrides (``NEWSBOT_STORE``,
``NEWSBOT_ORIGIN``, ``NEWSBOT_CONTACT``, ...) and the wiring of newsbot's pipelines,
extensions and middlewares live once, in the add-on (:mod:`newsbot.addon`). A value
set here wins over the add-on's; ``-s NAME=value`` on the command line wins over both.
README.md documents every setting.
"""

from __future__ import annotations

import os

BOT_NAME = "newsbot"
SPIDER_MODULES = ["newsbot.spiders"]
NEWSPIDER_MODULE = "newsbot.spiders"
COMMANDS_MODULE = "newsbot.commands"

# After newsbot's own: the shared frontier (NEWSBOT_FRONTIER=redis://...) and Spidermon
# (SPIDERMON_ENABLED) replace or add components only when they are configured.
ADDONS = {
    "newsbot.addon.Newsbot": 0,
    "newsbot.scale.frontier.Frontier": 10,
    "newsbot.monitors.SpidermonCoverage": 20,
}

# --- politeness toward the real portal --------------------------------------------
ROBOTSTXT_OBEY = True
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
CONCURRENT_REQUESTS = 16
# A callback yields one record and a few links; Scrapy starts CONCURRENT_ITEMS worker
# tasks per callback output, so its default of 100 is pure overhead here.
CONCURRENT_ITEMS = 2
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 0.25
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 4
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
REDIRECT_MAX_TIMES = 10
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
# Scrapy reads each callback's source with inspect the first time it runs, to warn of a
# generator that returns a value: about a second of every crawl's start (profiled) for
# a mistake ruff and the tests catch in our own callbacks.
WARN_ON_GENERATOR_RETURN_VALUE = False

FEED_EXPORT_ENCODING = "utf-8"
# -O out.csv: lists as JSON and formula-like cells neutralised, as `newsbot export` writes.
FEED_EXPORTERS = {"csv": "newsbot.feeds.exporters.CsvItemExporter"}
LOG_LEVEL = os.environ.get("NEWSBOT_LOG_LEVEL", "INFO")
