"""Politeness for a fleet: per-host spacing shared by every worker through Redis.

:class:`FleetPolitenessMiddleware` is the portal politeness middleware with one
change: the next send time of a host is reserved atomically in Redis (server time,
one clock for all machines) instead of in this process, so the per-host delay
(``DOWNLOAD_DELAY``) and robots.txt ``Crawl-delay`` hold for the workers together.
The :class:`~newsbot.scale.frontier.Frontier` add-on puts it in the place of
``PolitenessMiddleware`` when ``NEWSBOT_FRONTIER`` is set.
"""

from __future__ import annotations

import time
from typing import Any

from scrapy.utils.httpobj import urlparse_cached

from newsbot.scale.frontier import DEFAULT_PREFIX, frontier_url, redis_client
from newsbot.spiders.middlewares import NOT_BEFORE, PolitenessMiddleware

# Reserve the next send time for a host: returns how long to wait (seconds, as text).
_SLOT = """
local t = redis.call('TIME'); local now = t[1] + t[2] / 1e6
local delay = tonumber(ARGV[1])
local slot = math.max(now, tonumber(redis.call('GET', KEYS[1]) or '0'))
redis.call('SET', KEYS[1], tostring(slot + delay), 'PX', math.ceil((slot - now + delay) * 1000) + 60000)
return tostring(slot - now)
"""


class FleetPolitenessMiddleware(PolitenessMiddleware):
    """Per-host spacing for the whole fleet: the slot is reserved in Redis, not here."""

    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        self.download_delay = crawler.settings.getfloat("DOWNLOAD_DELAY", 0.0)
        settings = crawler.settings
        # A retry's not-before time is this machine's monotonic clock; popped by a
        # worker on another machine it means nothing, so a wait is capped.
        self.max_wait = max(
            settings.getfloat("NEWSBOT_RETRY_BACKOFF_MAX", 60.0),
            settings.getfloat("NEWSBOT_RETRY_AFTER_MAX", 120.0),
        )
        url = frontier_url(settings)
        self.redis = redis_client(url) if url else None
        self.prefix = settings.get("NEWSBOT_FRONTIER_PREFIX") or DEFAULT_PREFIX
        self._slot = self.redis.register_script(_SLOT) if self.redis is not None else None

    def reserve(self, netloc: str, delay: float) -> float:
        """Seconds to wait before sending to ``netloc`` so the fleet keeps ``delay``."""
        assert self._slot is not None
        return float(self._slot(keys=[f"{self.prefix}:host:{netloc}:next"], args=[delay]))

    async def process_request(self, request: Any, spider: Any = None) -> None:
        from scrapy.utils.defer import sleep

        wait = min(self.max_wait, max(0.0, request.meta.get(NOT_BEFORE, 0.0) - time.monotonic()))
        if wait > 0:
            await sleep(wait)
        if request.url.endswith("/robots.txt") or self._slot is None:
            return
        netloc = urlparse_cached(request).netloc
        delay = max(self.delays.get(netloc, 0.0), self.download_delay)
        if delay > 0:
            wait = self.reserve(netloc, delay)
            if wait > 0:
                await sleep(wait)
