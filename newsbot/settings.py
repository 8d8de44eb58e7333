"""Scrapy settings for newsbot. Every ``NEWSBOT_*`` setting is documented in README.md.

Secrets and per-machine choices can come from the environment: ``NEWSBOT_STORE``
(SQLite path or PostgreSQL DSN), ``NEWSBOT_ORIGIN``, ``NEWSBOT_CONTACT``,
``NEWSBOT_FEEDS_DIR``. ``-s NAME=value`` on the command line wins over both.
"""

from __future__ import annotations

import os

from newsbot import __version__

BOT_NAME = "newsbot"
SPIDER_MODULES = ["newsbot.spiders"]
NEWSPIDER_MODULE = "newsbot.spiders"
COMMANDS_MODULE = "newsbot.commands"

# --- where things go -----------------------------------------------------------------
NEWSBOT_STORE = os.environ.get("NEWSBOT_STORE", "output/newsbot.db")
NEWSBOT_FEEDS_DIR = os.environ.get("NEWSBOT_FEEDS_DIR", "output/feeds")
#: Send every request to this origin instead of the portal (e.g. the local replica).
NEWSBOT_ORIGIN = os.environ.get("NEWSBOT_ORIGIN") or None

# --- what a run fetches ----------------------------------------------------------------
NEWSBOT_REFRESH = "recent"  # all | recent | none (also -a refresh=)
NEWSBOT_REFRESH_DAYS = float(os.environ.get("NEWSBOT_REFRESH_DAYS", "3"))
NEWSBOT_RELATED_DEPTH = 3
#: Published further ahead than this is a wrong date, never "recent" (not refetched).
NEWSBOT_FUTURE_MARGIN_DAYS = 1.0
#: Sitemap files below the root ones a run follows (index -> part is 1), and at most
#: how many sitemap files one run reads: a chain of ``?n=K`` parts cannot run away.
NEWSBOT_SITEMAP_MAX_DEPTH = 3
NEWSBOT_SITEMAP_MAX_FILES = 2000
#: A link that failed for good (404, 410, redirect loop) is not requested again for
#: this many days (doubling with each further failure).
NEWSBOT_DEAD_LINK_DAYS = 7.0

# --- politeness toward the real portal --------------------------------------------
NEWSBOT_CONTACT = os.environ.get("NEWSBOT_CONTACT", "newsbot-operator@example.invalid")
USER_AGENT = f"newsbot/{__version__} (news archiving crawler; contact: {NEWSBOT_CONTACT})"
ROBOTSTXT_OBEY = True
NEWSBOT_POLITE = True  # honour robots.txt Crawl-delay
NEWSBOT_MAX_CRAWL_DELAY = 30.0
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
NEWSBOT_RETRY_BACKOFF = 1.0
NEWSBOT_RETRY_BACKOFF_MAX = 60.0
NEWSBOT_RETRY_AFTER_MAX = 120.0
REDIRECT_MAX_TIMES = 10
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False

# --- identity: one fetch per canonical URL ------------------------------------------
REQUEST_FINGERPRINTER_CLASS = "newsbot.spiders.fingerprint.CanonicalFingerprinter"
DUPEFILTER_CLASS = "newsbot.spiders.fingerprint.ReportingDupeFilter"

DOWNLOADER_MIDDLEWARES = {
    "newsbot.spiders.middlewares.AddressingMiddleware": 40,
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    "newsbot.spiders.middlewares.PortalOffsiteMiddleware": 50,
    "newsbot.spiders.middlewares.PolitenessMiddleware": 120,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "newsbot.spiders.middlewares.BackoffRetryMiddleware": 550,
}

ITEM_PIPELINES = {
    "newsbot.pipelines.NormalizePipeline": 100,
    "newsbot.pipelines.ValidatePipeline": 200,
    "newsbot.pipelines.DedupPipeline": 300,
    "newsbot.pipelines.StorePipeline": 400,
    "newsbot.feeds.publish.PublishPipeline": 900,
}

EXTENSIONS = {
    "newsbot.spiders.summary.RunSummary": 500,
    "newsbot.metrics.RunMetrics": 510,
}
#: Prometheus textfile directory (node_exporter's collector) and live endpoint port.
NEWSBOT_METRICS_DIR = os.environ.get("NEWSBOT_METRICS_DIR") or None
NEWSBOT_METRICS_PORT = int(os.environ.get("NEWSBOT_METRICS_PORT") or 0)
#: Write the end-of-run summary (requests per host, errors, counts) to this JSON file.
NEWSBOT_SUMMARY_FILE = os.environ.get("NEWSBOT_SUMMARY_FILE") or None

FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = os.environ.get("NEWSBOT_LOG_LEVEL", "INFO")
