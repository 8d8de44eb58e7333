"""A shared frontier on scrapy-redis: N worker processes, one crawl, one recorded run.

With ``NEWSBOT_FRONTIER=redis://host:6379/0`` the :class:`Frontier` add-on makes the
scheduler and duplicate filter scrapy-redis's, keyed per site, and adds what a fleet
needs on top of them (scrapy-redis alone leaves each of these to the project):

* **One fleet run per site** (:class:`FleetRun`, an extension). The first worker to
  open takes the site's run key in Redis (an atomic script: a lock with heartbeats)
  and seeds the crawl through our own spider's ``start()``; later workers join that
  run and only take requests from the shared queue (:class:`FleetSeeding` drops their
  start requests after the spider has loaded its state from the store). The run is
  recorded once: each worker adds its counts to the run in Redis when it closes, and
  the last one out writes the merged counts to the store.
* **Fingerprints per run.** The duplicate filter's key carries the run id and is
  deleted when the run ends, so the next run refetches recent articles; the request
  queue itself is per site and persists, so requests a killed fleet left behind are
  still fetched by the next run.
* **Closing when the fleet is done**, not when one worker's queue is momentarily
  empty: a worker stays open while it is idle for less than
  ``MAX_IDLE_TIME_BEFORE_CLOSE`` seconds (scrapy-redis's setting name; its own
  handling lives in ``RedisSpider``, which we do not use).
* **A worker that dies** stops beating; the others notice when they leave, and the
  run is recorded with status ``worker_lost``, so the next run walks every listing.
* **Politeness for the fleet**: ``newsbot.scale.politeness`` reserves each request's
  send time per host in Redis, so the per-host delay (``DOWNLOAD_DELAY``) and
  robots.txt ``Crawl-delay`` hold for all workers together.
* **One Redis connection pool per process** (:func:`redis_client`), shared by the
  scheduler, the duplicate filter, the run and the politeness slots.

Redis keys live under ``NEWSBOT_FRONTIER_PREFIX`` (default ``newsbot``).
"""

from __future__ import annotations

import json
import logging
import os
import socket
import time
from collections.abc import AsyncIterator
from functools import cache
from typing import Any

from scrapy import signals
from scrapy.exceptions import DontCloseSpider, NotConfigured

from newsbot.pipelines.run import RunState, run_starting

log = logging.getLogger(__name__)

DEFAULT_PREFIX = "newsbot"
#: Seconds between a worker's heartbeats, and after which a silent worker is dead.
HEARTBEAT = 2.0
HEARTBEAT_TTL = 10.0
#: Default idle time before a fleet worker closes; must exceed HEARTBEAT_TTL so a
#: worker that outlives a dead one sees it gone before it leaves.
MAX_IDLE = 20.0
#: Seconds between looks at the shared queue while this worker is idle.
POLL = 0.5
#: Crawl stats summed over the workers into the one recorded run.
_MERGED_STATS = ("downloader/", "item_scraped_count", "item_dropped_count", "newsbot/")
_NOT_SUMMED = frozenset({"newsbot/exit_status", "newsbot/crawl_delay", "newsbot/known_at_start"})


@cache
def redis_client(url: str) -> Any:
    """The process's one client (and so one connection pool) for ``url``.

    Bytes in, bytes out: scrapy-redis stores pickled requests.
    """
    import redis

    return redis.Redis.from_url(url, socket_timeout=30, socket_connect_timeout=10)


def frontier_url(settings: Any) -> str | None:
    return settings.get("NEWSBOT_FRONTIER") or os.environ.get("NEWSBOT_FRONTIER") or None


class Frontier:
    """Scrapy add-on: switches a crawl onto the shared frontier when one is configured."""

    def update_settings(self, settings: Any) -> None:
        url = frontier_url(settings)
        if not url:
            return
        try:
            import scrapy_redis  # noqa: F401
        except ImportError:
            raise NotConfigured(
                "NEWSBOT_FRONTIER needs scrapy-redis: pip install 'newsbot[fleet]'"
            ) from None
        settings.set("NEWSBOT_FRONTIER", url, "addon")
        settings.set("SCHEDULER", "newsbot.scale.frontier.FrontierScheduler", "addon")
        settings.set("SCHEDULER_QUEUE_CLASS", "scrapy_redis.queue.PriorityQueue", "addon")
        settings.set("SCHEDULER_PERSIST", True, "addon")
        settings.set("DUPEFILTER_CLASS", "newsbot.scale.frontier.FleetDupeFilter", "addon")
        if settings.get("MAX_IDLE_TIME_BEFORE_CLOSE") is None:
            settings.set("MAX_IDLE_TIME_BEFORE_CLOSE", MAX_IDLE, "addon")
        settings.set_in_component_priority_dict("EXTENSIONS", FleetRun, 100)
        settings.set_in_component_priority_dict("SPIDER_MIDDLEWARES", FleetSeeding, 10)
        from scrapy.utils.misc import load_object

        local = load_object("newsbot.spiders.middlewares.PolitenessMiddleware")
        fleet = load_object("newsbot.scale.politeness.FleetPolitenessMiddleware")
        try:
            settings.replace_in_component_priority_dict("DOWNLOADER_MIDDLEWARES", local, fleet)
        except KeyError:  # configured without the local one: keep it so
            log.warning("PolitenessMiddleware is not enabled: no fleet-wide politeness either")


# --- the fleet run ----------------------------------------------------------------

# Join the site's run, or open a new one when there is none or every member is silent.
# Returns {run_id, seeder (1/0), abandoned run id or ""}. Server time: one clock for all.
_JOIN = """
local prefix, me, new_id, ttl = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
local t = redis.call('TIME'); local now = t[1] + t[2] / 1e6
local current = redis.call('GET', KEYS[1])
local abandoned = ''
if current then
  local members = prefix .. ':run:' .. current .. ':members'
  redis.call('ZREMRANGEBYSCORE', members, '-inf', now - ttl)
  if redis.call('ZCARD', members) > 0 then
    redis.call('ZADD', members, now, me)
    return {current, 0, ''}
  end
  abandoned = current
end
redis.call('SET', KEYS[1], new_id)
redis.call('ZADD', prefix .. ':run:' .. new_id .. ':members', now, me)
return {new_id, 1, abandoned}
"""

_BEAT = """
local t = redis.call('TIME')
redis.call('ZADD', KEYS[1], 'XX', t[1] + t[2] / 1e6, ARGV[1])
"""

# Leave the run (or look again after waiting): drop silent members, counting them as
# lost; whoever finds the run empty first (SET NX) writes it. Returns {last, others,
# oldest other's age}.
_LEAVE = """
local members, counts, final = KEYS[1], KEYS[2], KEYS[3]
local me, ttl = ARGV[1], tonumber(ARGV[2])
local t = redis.call('TIME'); local now = t[1] + t[2] / 1e6
redis.call('ZREM', members, me)
local lost = redis.call('ZREMRANGEBYSCORE', members, '-inf', now - ttl)
if lost > 0 then redis.call('HINCRBY', counts, 'fleet:lost', lost) end
local others = redis.call('ZCARD', members)
if others == 0 then
  if redis.call('SET', final, me, 'NX') then return {1, 0, '0'} end
  return {0, 0, '0'}
end
local oldest = redis.call('ZRANGE', members, 0, 0, 'WITHSCORES')
return {0, others, tostring(now - tonumber(oldest[2]))}
"""


class FleetRun:
    """Extension: this worker's membership in the site's fleet run (module docstring).

    Found by the scheduler and the seeding middleware with
    ``crawler.get_extension(FleetRun)``; it registers itself with the run state
    (:data:`~newsbot.pipelines.run.run_starting`), which joins and leaves through it.
    """

    def __init__(self, crawler: Any) -> None:
        settings = crawler.settings
        url = frontier_url(settings)
        if not url:
            raise NotConfigured("no NEWSBOT_FRONTIER")
        self.crawler = crawler
        self.redis = redis_client(url)
        self.prefix = settings.get("NEWSBOT_FRONTIER_PREFIX") or DEFAULT_PREFIX
        self.heartbeat = settings.getfloat("NEWSBOT_FLEET_HEARTBEAT", HEARTBEAT)
        self.ttl = settings.getfloat("NEWSBOT_FLEET_HEARTBEAT_TTL", HEARTBEAT_TTL)
        self.max_idle = settings.getfloat("MAX_IDLE_TIME_BEFORE_CLOSE", MAX_IDLE)
        self.poll = settings.getfloat("NEWSBOT_FLEET_POLL", POLL)
        self.worker = settings.get("NEWSBOT_WORKER") or f"{socket.gethostname()}:{os.getpid()}"
        self.site: str | None = None
        self.run_id: str | None = None
        self.seeder = False
        self.abandoned: str | None = None
        self._beat_loop: Any = None
        self._idle_since: float | None = None
        self._join = self.redis.register_script(_JOIN)
        self._beat = self.redis.register_script(_BEAT)
        self._leave = self.redis.register_script(_LEAVE)
        crawler.signals.connect(self._idle, signal=signals.spider_idle)
        crawler.signals.connect(self._active, signal=signals.response_received)
        crawler.signals.connect(self._active, signal=signals.request_scheduled)
        crawler.signals.connect(self._run_starting, signal=run_starting)

    @classmethod
    def from_crawler(cls, crawler: Any) -> FleetRun:
        return cls(crawler)

    def _run_starting(self, run: RunState) -> None:
        # The run state takes the fleet's run for the store lock and records it once.
        run.fleet = self

    # -- keys ------------------------------------------------------------------------

    def site_prefix(self, site: str | None = None) -> str:
        return f"{self.prefix}:{site or self.site}"

    def key(self, name: str, run_id: str | None = None) -> str:
        return f"{self.site_prefix()}:run:{run_id or self.run_id}:{name}"

    @property
    def queue_key(self) -> str:
        return f"{self.site_prefix()}:requests"

    # -- joining and beating ------------------------------------------------------

    def join(self, site: str) -> str:
        """Join (or open) the site's fleet run; returns its id. Idempotent."""
        if self.run_id is not None:
            return self.run_id
        from newsbot.store.target import new_run_id

        self.site = site
        run_id, seeder, abandoned = self._join(
            keys=[f"{self.site_prefix()}:run"],
            args=[self.site_prefix(), self.worker, new_run_id(), self.ttl],
        )
        self.run_id = run_id.decode()
        self.seeder = bool(int(seeder))
        self.abandoned = abandoned.decode() or None
        if self.abandoned:
            # Its workers are all gone: what it left in the queue stays for this run.
            self.redis.delete(*(self.key(n, self.abandoned) for n in ("seen", "counts", "errors")))
            log.warning("fleet run %s was abandoned by its workers; starting a new run", abandoned)
        self.crawler.stats.set_value("newsbot/fleet/seeder", int(self.seeder))
        log.info(
            "fleet run %s of %s: worker %s %s",
            self.run_id,
            site,
            self.worker,
            "seeds it" if self.seeder else "joins it",
        )
        from twisted.internet import task

        self._beat_loop = task.LoopingCall(self.beat)
        self._beat_loop.start(self.heartbeat, now=False)
        return self.run_id

    def beat(self) -> None:
        try:
            self._beat(keys=[self.key("members")], args=[self.worker])
        except Exception as exc:  # noqa: BLE001 - a missed beat is retried next time
            log.warning("fleet heartbeat failed: %s", exc)

    # -- closing when the fleet is done -------------------------------------------

    def _active(self, *args: Any, **kwargs: Any) -> None:
        self._idle_since = None

    def _idle(self, spider: Any) -> None:
        now = time.monotonic()
        if self._idle_since is None:
            self._idle_since = now
        if self.crawler.stats.get_value("newsbot/fatal"):
            return  # store locked or unreachable portal: close now
        if now - self._idle_since < self.max_idle:
            from twisted.internet import reactor

            reactor.callLater(self.poll, self._wake)
            raise DontCloseSpider

    def _wake(self) -> None:
        # An idle engine looks at its scheduler only every 5 s (its heartbeat); the
        # shared queue fills from other workers meanwhile, so look sooner. Scrapy has no
        # public call for "try the scheduler now"; this is what its heartbeat does.
        slot = getattr(self.crawler.engine, "_slot", None)
        if slot is not None and slot.closing is None:
            slot.nextcall.schedule()

    # -- leaving: one record of the run ---------------------------------------------

    def leave(
        self, stats: dict[str, Any], counts: dict[str, int], errors: list[dict[str, Any]]
    ) -> dict[str, Any] | None:
        """Add this worker's numbers to the run; the fleet's, for the worker that records it.

        ``stats`` are this worker's crawl stats, ``counts`` its store outcomes and
        ``errors`` its store errors. The recording worker gets back the fleet's crawl
        stats (summed, errors joined, ``newsbot/fleet/lost_workers`` added), with
        ``counts`` and ``errors`` replaced in place by the fleet's; every other worker
        gets None. This worker's own crawl stats are left as they are (its summary and
        metrics stay its own).
        """
        if self._beat_loop is not None and self._beat_loop.running:
            self._beat_loop.stop()
        pipe = self.redis.pipeline()
        for name, value in stats.items():
            if (
                name.startswith(_MERGED_STATS)
                and name not in _NOT_SUMMED
                and isinstance(value, int)
                and not isinstance(value, bool)
            ):
                pipe.hincrby(self.key("counts"), f"stat:{name}", value)
        for name, value in counts.items():
            pipe.hincrby(self.key("counts"), f"count:{name}", int(value))
        for error in (stats.get("newsbot/errors") or []) + errors:
            pipe.rpush(self.key("errors"), json.dumps(error, ensure_ascii=False))
        pipe.execute()
        if self._leave_once() is None:
            return None
        summed = self.redis.hgetall(self.key("counts"))
        kept = [json.loads(e) for e in self.redis.lrange(self.key("errors"), 0, -1)]
        fleet = dict(stats)
        for raw, value in summed.items():
            kind, _, name = raw.decode().partition(":")
            if kind == "stat":
                fleet[name] = int(value)
            elif kind == "count":
                counts[name] = int(value)
        fleet["newsbot/fleet/lost_workers"] = int(summed.get(b"fleet:lost", 0))
        fleet["newsbot/errors"] = [e for e in kept if "kind" in e]
        errors[:] = [e for e in kept if "kind" not in e]
        self.redis.delete(
            *(self.key(n) for n in ("seen", "counts", "errors", "members", "final")),
        )
        # Only our run: a newer one may already hold the site's key.
        run_key = f"{self.site_prefix()}:run"
        if self.redis.get(run_key) == (self.run_id or "").encode():
            self.redis.delete(run_key)
        return fleet

    def _leave_once(self) -> bool | None:
        """True when this worker records the run, None when another will."""
        deadline = time.monotonic() + self.ttl + self.heartbeat
        while True:
            last, others, oldest = self._leave(
                keys=[self.key("members"), self.key("counts"), self.key("final")],
                args=[self.worker, self.ttl],
            )
            if int(last):
                return True
            # Others still beating will record the run. One that has missed beats is
            # probably dead: wait until it is past the TTL and look again, or the run
            # would stay unrecorded until the next one.
            if not int(others) or float(oldest) < 2 * self.heartbeat:
                return None
            if time.monotonic() > deadline:
                return None
            time.sleep(min(self.heartbeat, max(0.1, self.ttl - float(oldest) + 0.1)))


# --- scrapy-redis components keyed per site and run ---------------------------------

try:
    from scrapy_redis.dupefilter import RFPDupeFilter as _RedisDupeFilter
    from scrapy_redis.scheduler import Scheduler as _RedisScheduler
except ImportError:  # the fleet extra is not installed; the add-on says so
    _RedisDupeFilter = object  # type: ignore[assignment,misc]
    _RedisScheduler = object  # type: ignore[assignment,misc]


class FleetDupeFilter(_RedisDupeFilter):  # type: ignore[misc,valid-type]
    """scrapy-redis's filter with our canonical fingerprints (mirrors are one page)."""

    def __init__(self, server: Any, key: str, debug: bool = False, fingerprinter: Any = None):
        super().__init__(server, key, debug)
        self.fingerprinter = fingerprinter

    def request_fingerprint(self, request: Any) -> str:
        if self.fingerprinter is None:
            return super().request_fingerprint(request)
        return self.fingerprinter.fingerprint(request).hex()


class FrontierScheduler(_RedisScheduler):  # type: ignore[misc,valid-type]
    """scrapy-redis's scheduler on the process's one Redis pool, queue per site,
    fingerprints per fleet run."""

    @classmethod
    def from_crawler(cls, crawler: Any) -> FrontierScheduler:
        settings = crawler.settings
        server = redis_client(frontier_url(settings))
        server.ping()
        instance = cls(
            server=server,
            persist=True,
            queue_cls=settings.get("SCHEDULER_QUEUE_CLASS"),
            idle_before_close=0,
        )
        instance.crawler = crawler
        instance.stats = crawler.stats
        return instance

    def open(self, spider: Any) -> None:
        fleet = self.crawler.get_extension(FleetRun)
        fleet.join(spider.name)
        self.queue_key = fleet.queue_key
        self.df = FleetDupeFilter(
            self.server,
            fleet.key("seen"),
            self.crawler.settings.getbool("DUPEFILTER_DEBUG"),
            self.crawler.request_fingerprinter,
        )
        super().open(spider)

    def close(self, reason: str) -> None:
        # The queue outlives a worker (persist); the run's fingerprints go with the run.
        return None


# --- seeding once -------------------------------------------------------------------


class FleetSeeding:
    """Spider middleware: only the seeding worker's start requests reach the queue.

    Every worker still runs the spider's ``start()`` to its end, because that is where
    the spider loads what the store holds (which it needs to judge every listing).
    """

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> FleetSeeding:
        return cls(crawler)

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        fleet = self.crawler.get_extension(FleetRun)
        async for request in start:
            if fleet.seeder:
                yield request
            else:
                self.crawler.stats.inc_value("newsbot/fleet/seeds_left_to_seeder")
