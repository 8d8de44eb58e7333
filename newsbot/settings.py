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
#: One stand-in per publisher domain: "baohaiphong.vn=http://127.0.0.1:8124,..." .
NEWSBOT_ORIGINS = os.environ.get("NEWSBOT_ORIGINS") or None
#: Which of the publisher's hosts a crawl starts from (baohaiduong.vn: its profile's
#: default; baohaiphong.vn: the OneCMS site since the 2025 merger).
NEWSBOT_HOST = os.environ.get("NEWSBOT_HOST") or None
#: Daily sitemap files (OneCMS) read again while this many days old (2: today, yesterday).
NEWSBOT_DAY_FILES_LIVE = 2

# --- what a run fetches ----------------------------------------------------------------
NEWSBOT_REFRESH = "recent"  # all | recent | none (also -a refresh=)
NEWSBOT_REFRESH_DAYS = float(os.environ.get("NEWSBOT_REFRESH_DAYS", "3"))
NEWSBOT_RELATED_DEPTH = 3

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
#: The portal's web firewall answers some requests 403 at random; such a 403 is
#: retried this many times with the same backoff (counted apart from other retries).
NEWSBOT_FIREWALL_RETRIES = 3
REDIRECT_MAX_TIMES = 10
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False

# --- identity: one fetch per canonical URL ------------------------------------------
REQUEST_FINGERPRINTER_CLASS = "newsbot.spiders.fingerprint.CanonicalFingerprinter"
DUPEFILTER_CLASS = "newsbot.spiders.fingerprint.ReportingDupeFilter"

DOWNLOADER_MIDDLEWARES = {
    "newsbot.spiders.middlewares.OriginGuard": 50,
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
# -O out.csv: lists as JSON and formula-like cells neutralised, as `newsbot export` writes.
FEED_EXPORTERS = {"csv": "newsbot.feeds.exporters.CsvItemExporter"}
LOG_LEVEL = os.environ.get("NEWSBOT_LOG_LEVEL", "INFO")
