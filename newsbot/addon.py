"""The newsbot Scrapy add-on: every component wired and every ``NEWSBOT_*`` default set once.

Enable it with ``ADDONS = {"newsbot.addon.Newsbot": 0}`` (``newsbot/settings.py`` does).
:meth:`Newsbot.update_settings` sets, at the add-on priority (so the project's
settings and ``-s`` on the command line win):

* the ``NEWSBOT_*`` defaults of :data:`DEFAULTS`, those marked in :data:`FROM_ENV`
  taken from the environment variable of the same name when it is set;
* the ``User-Agent`` with the operator's contact (``NEWSBOT_CONTACT``);
* the pipelines (normalise → validate → dedup → store → publish), the run state,
  run summary and metrics extensions, the page keeper spider middleware, the downloader middlewares, the
  canonical request fingerprinter and dupefilter.

The table of these settings for operators is in README.md ("Settings").
"""

from __future__ import annotations

import os
from typing import Any

from newsbot import __version__

#: Every NEWSBOT_* setting and its default (README.md documents each).
DEFAULTS: dict[str, Any] = {
    "NEWSBOT_STORE": "output/newsbot.db",
    "NEWSBOT_STORE_BATCH": 100,
    "NEWSBOT_STORE_BATCH_WAIT": 1.0,
    "NEWSBOT_FEEDS_DIR": "output/feeds",
    "NEWSBOT_FEEDS_LIMIT": 100,
    "NEWSBOT_FEEDS_BASE_URL": None,
    "NEWSBOT_PUBLISH": True,
    "NEWSBOT_ORIGIN": None,
    "NEWSBOT_ORIGINS": None,
    "NEWSBOT_HOST": None,
    "NEWSBOT_DAY_FILES_LIVE": 2,
    "NEWSBOT_REFRESH": "recent",
    "NEWSBOT_REFRESH_DAYS": 3.0,
    "NEWSBOT_RELATED_DEPTH": 3,
    "NEWSBOT_FUTURE_MARGIN_DAYS": 1.0,
    "NEWSBOT_SITEMAP_MAX_DEPTH": 3,
    "NEWSBOT_SITEMAP_MAX_FILES": 2000,
    "NEWSBOT_DEAD_LINK_DAYS": 7.0,
    "NEWSBOT_NEAR_DUP_THRESHOLD": 0.8,
    "NEWSBOT_MINHASH_PERM": 128,
    "NEWSBOT_CONTACT": "newsbot-operator@example.invalid",
    "NEWSBOT_POLITE": True,
    "NEWSBOT_MAX_CRAWL_DELAY": 30.0,
    "NEWSBOT_RETRY_BACKOFF": 1.0,
    "NEWSBOT_RETRY_BACKOFF_MAX": 60.0,
    "NEWSBOT_RETRY_AFTER_MAX": 120.0,
    "NEWSBOT_FIREWALL_RETRIES": 3,
    "NEWSBOT_SUMMARY_FILE": None,
    "NEWSBOT_METRICS_DIR": None,
    "NEWSBOT_METRICS_PORT": 0,
    "NEWSBOT_PROGRESS_INTERVAL": 60.0,
    "NEWSBOT_PROGRESS_TOTAL": 0,
    "NEWSBOT_FRONTIER_PREFIX": "newsbot",
    "NEWSBOT_FRONTIER": None,
    # The fleet's timing (newsbot.scale.frontier keeps the same values as fallbacks for
    # a crawler built without this add-on).
    "NEWSBOT_FLEET_HEARTBEAT": 2.0,
    "NEWSBOT_FLEET_HEARTBEAT_TTL": 10.0,
    "NEWSBOT_FLEET_POLL": 0.5,
    "NEWSBOT_METRICS_ADDR": "127.0.0.1",
    "NEWSBOT_WORKER": "",
}

#: Settings an environment variable of the same name may give (secrets, per-machine).
FROM_ENV: frozenset[str] = frozenset(
    {
        "NEWSBOT_STORE",
        "NEWSBOT_FEEDS_DIR",
        "NEWSBOT_ORIGIN",
        "NEWSBOT_ORIGINS",
        "NEWSBOT_HOST",
        "NEWSBOT_REFRESH_DAYS",
        "NEWSBOT_CONTACT",
        "NEWSBOT_SUMMARY_FILE",
        "NEWSBOT_METRICS_DIR",
        "NEWSBOT_METRICS_PORT",
        "NEWSBOT_FRONTIER",
    }
)

ITEM_PIPELINES: dict[str, int] = {
    "newsbot.pipelines.NormalizePipeline": 100,
    "newsbot.pipelines.ValidatePipeline": 200,
    "newsbot.pipelines.DedupPipeline": 300,
    "newsbot.pipelines.StorePipeline": 400,
    "newsbot.pipelines.PublishPipeline": 900,
}
EXTENSIONS: dict[str, int] = {
    "newsbot.pipelines.run.RunState": 0,
    "newsbot.spiders.summary.RunSummary": 500,
    "newsbot.metrics.RunMetrics": 510,
    "newsbot.progress.Progress": 520,
}
SPIDER_MIDDLEWARES: dict[str, int] = {
    "newsbot.pipelines.pages.FetchedPageMiddleware": 950,
}
DOWNLOADER_MIDDLEWARES: dict[str, int | None] = {
    "newsbot.spiders.middlewares.AddressingMiddleware": 40,
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    "newsbot.spiders.middlewares.PortalOffsiteMiddleware": 50,
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "newsbot.spiders.middlewares.RobotsTxtMiddleware": 100,
    "newsbot.spiders.middlewares.PolitenessMiddleware": 120,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "newsbot.spiders.middlewares.BackoffRetryMiddleware": 550,
}
COMPONENTS: dict[str, str] = {
    "REQUEST_FINGERPRINTER_CLASS": "newsbot.spiders.fingerprint.CanonicalFingerprinter",
    "DUPEFILTER_CLASS": "newsbot.spiders.fingerprint.ReportingDupeFilter",
}


def user_agent(contact: str) -> str:
    return f"newsbot/{__version__} (news archiving crawler; contact: {contact})"


class Newsbot:
    """Scrapy add-on: see the module docstring."""

    def update_settings(self, settings: Any) -> None:
        for name, default in DEFAULTS.items():
            value = default
            if name in FROM_ENV and os.environ.get(name):
                value = os.environ[name]
            settings.set(name, value, priority="addon")
        # The contact may come from -s, the project or the environment: read it back.
        settings.set("USER_AGENT", user_agent(settings.get("NEWSBOT_CONTACT")), priority="addon")
        for name, path in COMPONENTS.items():
            settings.set(name, path, priority="addon")
        for setting, components in (
            ("ITEM_PIPELINES", ITEM_PIPELINES),
            ("EXTENSIONS", EXTENSIONS),
            ("SPIDER_MIDDLEWARES", SPIDER_MIDDLEWARES),
            ("DOWNLOADER_MIDDLEWARES", DOWNLOADER_MIDDLEWARES),
        ):
            enabled = settings[setting]
            for path, order in components.items():
                if path not in enabled:  # the project's own order or None wins
                    enabled.set(path, order, priority="addon")
