"""The portal spider: Scrapy callbacks that ask the crawl policy and the site profile.

What to request, refetch, page on and skip is decided by :mod:`newsbot.crawl`
(pure, unit-tested); every selector lives in :mod:`newsbot.sites`. This module turns
their answers into requests, counts outcomes in the crawl stats, and says how a run
ended (unreachable portal, nothing fetched). One spider class is registered per site
profile, named after it (``scrapy crawl baohaiduong``).
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy import Request, signals
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response
from scrapy.utils.defer import deferred_from_coro

from newsbot.crawl import CrawlArguments, CrawlPolicy, Fetch, PolicySettings, load_history
from newsbot.crawl import policy as priorities
from newsbot.crawl.history import dead_links_of
from newsbot.crawl.outcome import NOTHING_FETCHED, UNREACHABLE, RunOutcome
from newsbot.crawl.policy import HOP
from newsbot.record import ArticleItem
from newsbot.sites import get_site, site_names
from newsbot.sites.base import UrlKind
from newsbot.sites.portal import PortalSite
from newsbot.sites.sections import near_sections, sections_of
from newsbot.spiders.addressing import Addressing, parse_origins
from newsbot.spiders.backlog import LOW_WATER, FetchBacklog
from newsbot.spiders.errors import describe_failure, quiet_network_tracebacks, record_error

log = logging.getLogger(__name__)


def configured_sections(site: PortalSite) -> list[str]:
    """Slugs of the profile's configured sections (``sections`` maps slug -> name)."""
    return list(site.sections)


class PortalSpider(scrapy.Spider):
    """Crawls one publisher, described by the site profile named like the spider."""

    # Empty on the base class so Scrapy's spider list shows only the per-site spiders.
    name = ""
    custom_settings: dict[str, Any] = {}

    def __init__(self, **kwargs: Any) -> None:
        self.site: PortalSite = get_site(self.name)
        self.arguments = CrawlArguments.parse(kwargs, self.site.sections)
        # Scheduler arguments (scrapyd's _job) become attributes, as Scrapy does.
        super().__init__(**dict(self.arguments.scheduler))
        #: The ``-a`` arguments as given, recorded with the run.
        self.args = self.arguments.recorded()
        self.policy = CrawlPolicy(self.site, self.arguments)
        self._store: Any = None
        self.outcome = RunOutcome()
        #: Sitemap requests held back until the crawl is otherwise idle (see
        #: ``CrawlPolicy.sitemaps_last``).
        self._held: list[Request] = []
        #: Articles decided on faster than they can be fetched, waiting for room.
        self.backlog = FetchBacklog()

    @classmethod
    def check_arguments(cls, **kwargs: Any) -> None:
        """Raise ValueError, saying which, when a ``-a`` argument is not usable."""
        sections = get_site(cls.name).sections if cls.name in site_names() else None
        CrawlArguments.parse(kwargs, sections)

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> PortalSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        quiet_network_tracebacks()
        settings = crawler.settings
        # Which of the publisher's hosts the crawl starts from (e.g. baohaiphong.vn).
        on_host = getattr(spider.site, "on_host", None)
        if on_host is not None and settings.get("NEWSBOT_HOST"):
            spider.site = on_host(settings.get("NEWSBOT_HOST"))
        spider.addressing = Addressing(
            spider.site.canonical_host,
            settings.get("NEWSBOT_ORIGIN"),
            parse_origins(settings.get("NEWSBOT_ORIGINS")),
        )
        if spider.addressing.origin:
            spider.allowed_netlocs = spider.addressing.netlocs
            spider.allowed_domains = sorted({n.split(":")[0] for n in spider.allowed_netlocs})
        else:
            # Every host of the publisher: a redirect between its two domains stays on site.
            spider.allowed_netlocs = frozenset(spider.site.hosts)
            spider.allowed_domains = sorted(spider.site.hosts)
        spider.policy = CrawlPolicy(
            spider.site,
            spider.arguments,
            PolicySettings.from_settings(settings, spider.arguments),
            count=lambda key: crawler.stats.inc_value(f"newsbot/{key}"),
        )
        # With JOBDIR the queue is on disk and kept by a paused run: every request goes
        # there at once, as before (a backlog would not outlive the pause).
        spider.backlog = FetchBacklog(low=sys.maxsize if settings.get("JOBDIR") else LOW_WATER)
        crawler.signals.connect(spider._on_closed, signal=signals.spider_closed)
        crawler.signals.connect(spider._on_idle, signal=signals.spider_idle)
        return spider

    # --- the store -----------------------------------------------------------------

    def _open_history(self) -> None:
        """Read what earlier runs left (once), and keep the store for per-page lookups."""
        from newsbot.store import StoreError, open_store
        from newsbot.store.target import store_target

        try:
            self._store = open_store(store_target(self.settings))
        except StoreError as exc:
            log.warning("store unavailable (%s): crawling as if it were empty", exc)
            return
        history = load_history(
            self._store,
            self.site,
            self.name,
            now=datetime.now(UTC),
            current_run_id=self.crawler.stats.get_value("newsbot/run_id"),
            frontier="frontier" in self.arguments.discover,
        )
        self.policy.history = history
        self.policy.index = self._store
        # A link whose article is stored under another URL (the other domain) was
        # fetched: it is no frontier.
        stored = self.policy.stored(history.frontier)
        history.frontier = [u for u in history.frontier if u not in stored]
        before, after = self.policy.id_learning_window()
        if before or after:
            self.policy.learn_all(
                self._store.iter_dated_ids(self.site.name, before=before, after=after)
            )
        log.info(
            "previous run of %s %s; %d related links pending, %d to retry, %d known dead",
            self.site.name,
            "complete" if history.previous_complete else "INCOMPLETE (full listing walk)",
            len(history.frontier),
            len(history.retry),
            len(history.dead),
        )

    def _close_store(self) -> None:
        store, self._store = self._store, None
        if store is None:
            return
        try:
            dead = dead_links_of(self.crawler.stats.get_value("newsbot/errors") or [], self.site)
            if dead:
                days = self.settings.getfloat("NEWSBOT_DEAD_LINK_DAYS", 7.0)
                store.mark_dead_links(self.site.name, dead, days=days)
                log.info("%d links gone for good: not requested for %g days", len(dead), days)
        except Exception as exc:  # noqa: BLE001 - the cache saves requests; never fail a run
            log.warning("could not remember dead links: %s", exc)
        finally:
            store.close()

    # --- requests ----------------------------------------------------------------

    def _request(self, portal_url: str, callback: Any, priority: int = 0, **meta: Any) -> Request:
        return Request(
            self.addressing.to_fetch(portal_url),
            callback=callback,
            errback=self._failed,
            priority=priority,
            meta={"portal_url": portal_url, **meta},
        )

    def _start_point(self, portal_url: str, callback: Any, priority: int, **meta: Any) -> Request:
        self.outcome.start_requested()
        return self._request(portal_url, callback, priority, start_point=True, **meta)

    def _articles(self, fetches: Iterable[Fetch]) -> Iterator[Request]:
        """Requests for the articles the policy decided on, as many as the scheduler has
        room for; the rest wait in the backlog (see :mod:`newsbot.spiders.backlog`)."""
        self.backlog.add(fetches)
        yield from self._top_up()

    def _top_up(self, *, idle: bool = False) -> Iterator[Request]:
        for fetch in self.backlog.due(idle=idle):
            # ``hop``: related links away from a listing, for whichever worker parses
            # the page (a fleet's frontier keeps the shallowest hop it was asked at).
            request = self._request(
                fetch.url,
                self.parse_article,
                priorities.ARTICLE_PRIORITY,
                via=fetch.via,
                **{HOP: fetch.depth},
            )
            if fetch.again:
                request = request.replace(dont_filter=True)
            yield self.backlog.handed(request)

    def _section(self, listing_url: str, *, start: bool = False) -> Iterator[Request]:
        slug = self.site.listing_section(listing_url)
        if not self.policy.section(slug):
            return
        make = self._start_point if start else self._request
        yield make(
            listing_url, self.parse_listing, priorities.LISTING_PRIORITY, section=slug, page=1
        )

    def _configured_sections(self, *, start: bool = False) -> Iterator[Request]:
        for slug in configured_sections(self.site):
            yield from self._section(self.site.section_listing_url(slug), start=start)

    async def start(self) -> AsyncIterator[Request]:
        if self.crawler.stats.get_value("newsbot/fatal"):
            return
        self._open_history()
        for request in self._start_requests():
            yield request
        self.outcome.all_requested = True

    def _start_requests(self) -> Iterator[Request]:
        site, discover, policy = self.site, self.arguments.discover, self.policy
        if self.arguments.sections:
            for slug in self.arguments.sections:
                yield from self._section(site.section_listing_url(slug), start=True)
        else:
            if "home" in discover:
                for url in site.start_urls:
                    yield self._start_point(url, self.parse_home, priorities.HOME_PRIORITY)
            elif "sections" in discover:
                yield from self._configured_sections(start=True)
            if "feeds" in discover:
                for url in site.feeds:
                    yield self._start_point(url, self.parse_feed, priorities.FEED_PRIORITY)
            if "sitemaps" in discover:
                for url in site.sitemaps:
                    if policy.sitemap(depth=0):
                        request = self._start_point(
                            url, self.parse_sitemap, priorities.SITEMAP_PRIORITY, sitemap_depth=0
                        )
                        if policy.sitemaps_last:
                            self._held.append(request)
                        else:
                            yield request
        # What the store already names: what the last run gave up on (before the
        # frontier, which often holds the same URLs), then related links never reached.
        yield from self._articles(policy.links(policy.history.retry, "retry"))
        yield from self._articles(policy.links(policy.history.frontier, "frontier", depth=1))

    # --- callbacks ---------------------------------------------------------------

    def _portal_url(self, response: Response) -> str:
        if response.meta.get("start_point"):
            self.outcome.start_read()
        return (
            self.site.canonical_url(self.addressing.to_portal(response.url))
            or response.meta.get("portal_url")
            or response.url
        )

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        """Any page of the portal, by its kind (what ``scrapy parse <url>`` calls)."""
        kind = self.site.url_kind(self._portal_url(response))
        if kind is UrlKind.ARTICLE:
            return self.parse_article(response)
        if kind is UrlKind.FEED:
            return self.parse_feed(response)
        if kind is UrlKind.SITEMAP:
            return self.parse_sitemap(response)
        if kind is UrlKind.LISTING and urlsplit(response.url).path not in ("", "/"):
            return self.parse_listing(response)
        return self.parse_home(response)

    def _bad_links(self, url: str, skipped: list[str]) -> None:
        """Links of a page that are no URL at all: counted and logged, the page kept."""
        if skipped:
            self.crawler.stats.inc_value("newsbot/skipped/bad_link", len(skipped))
            log.warning("%s: %d bad link(s) skipped, e.g. %s", url, len(skipped), skipped[0])

    def parse_home(self, response: Response) -> Iterator[Request]:
        url = self._portal_url(response)
        links = self.site.page_links(response.body, url)
        self._bad_links(url, links.skipped)
        if "sections" in self.arguments.discover:
            home = f"https://{self.site.canonical_host}"
            for listing in links.get(UrlKind.LISTING, []):
                if listing.rstrip("/") != home:
                    yield from self._section(listing)
            yield from self._configured_sections()
        yield from self._articles(self.policy.links(links.get(UrlKind.ARTICLE, []), "home"))

    def parse_listing(self, response: Response) -> Iterator[Request]:
        url = self._portal_url(response)
        listing = self.site.parse_listing(response.body, url)
        self._bad_links(url, listing.skipped)
        stats = self.crawler.stats
        stats.inc_value("newsbot/listing_pages")
        if not listing.entries:
            record_error(stats, url, "listing page without article links (layout change?)", "parse")
            return
        yield from self._articles(self.policy.entries(listing.entries, "listing"))
        if not listing.next_page:
            return
        priority = self.policy.next_page(listing.entries)
        if priority is not None:
            yield self._request(
                listing.next_page,
                self.parse_listing,
                priority,
                section=response.meta.get("section"),
                page=response.meta.get("page", 1) + 1,
            )

    def parse_feed(self, response: Response) -> Iterator[Request]:
        url = self._portal_url(response)
        entries = self.site.parse_feed(response.body, url)
        self._bad_links(url, entries.skipped)
        if not entries:
            record_error(self.crawler.stats, url, "feed without entries", "parse")
        yield from self._articles(self.policy.entries(entries, "feed"))

    def parse_sitemap(self, response: Response) -> Iterator[Request]:
        url = self._portal_url(response)
        depth = response.meta.get("sitemap_depth", 0) + 1
        entries, children = self.site.parse_sitemap(response.body, url)
        self._bad_links(url, entries.skipped)
        for child in children:
            if self.policy.sitemap(child.modified_at, depth, child.url):
                yield self._request(
                    child.url, self.parse_sitemap, priorities.SITEMAP_PRIORITY, sitemap_depth=depth
                )
        yield from self._articles(self.policy.entries(entries, "sitemap"))

    def parse_article(self, response: Response) -> Iterator[Any]:
        url = self._portal_url(response)
        stats = self.crawler.stats
        stats.inc_value("newsbot/article_pages")
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1")
        if content_type and "html" not in content_type.lower():
            stats.inc_value("newsbot/parse_errors/not_html")
            record_error(
                stats, url, f"not HTML (Content-Type {content_type})", "parse", unreadable=True
            )
            return
        started = time.thread_time()
        outcome = self.site.parse_article(response.body, url, content_type or None)
        stats.inc_value("newsbot/time/parse_s", time.thread_time() - started)
        for kind, detail in outcome.notes:
            # A lying charset: counted (the run row keeps the counts) and logged by URL.
            stats.inc_value(f"newsbot/page_notes/{kind}")
            log.warning("%s: %s: %s", url, kind.replace("_", " "), detail)
        if outcome.record is None:
            stats.inc_value(f"newsbot/parse_errors/{outcome.kind}")
            record_error(
                stats, url, outcome.error or "unparseable", "parse", unreadable=outcome.unreadable
            )
            log.warning("cannot parse %s: %s", url, outcome.error)
            return
        record = outcome.record
        stats.inc_value(f"newsbot/articles/via/{response.meta.get('via', 'unknown')}")
        related = [link["url"] for link in record.get("related", [])]
        yield from self._articles(
            self.policy.parsed(
                url,
                response.meta.get("portal_url", url),
                related,
                record.get("source_id"),
                record.get("published_at"),
                hop=response.meta.get(HOP),
            )
        )
        if not self.policy.in_window(record.get("published_at")):
            stats.inc_value("newsbot/skipped/out_of_window")
            return
        source_id = record.get("source_id")
        stored = self.policy.stored([record["url"]]).get(record["url"]) if source_id else None
        aliases = self.policy.aliases_of(
            record["url"], source_id, response.meta.get("portal_url", url), stored and stored.url
        )
        if aliases:
            record["aliases"] = aliases
        # The page itself travels beside the item (newsbot.pipelines.pages), never in it.
        yield ArticleItem(record)

    # --- failures and the end ------------------------------------------------------

    def _failed(self, failure: Any) -> None:
        request = failure.request
        url = request.meta.get("portal_url") or request.url
        failed = describe_failure(failure)
        tries = request.meta.get("firewall_given_up")
        if tries is not None and failed.status == 403:
            # The firewall's 403s pass on retry: not a permanent refusal, so the next
            # run asks again.
            failed = failed._replace(
                reason=f"firewall 403 persisted after {tries} retries", transient=True
            )
        stats = self.crawler.stats
        if "robots.txt" in failed.reason:  # a policy, not a failure: counted by Scrapy
            stats.inc_value("newsbot/skipped/robots")
        else:
            record_error(
                stats, url, failed.reason, transient=failed.transient, status=failed.status
            )
            log.warning("gave up on %s: %s", url, failed.reason)
        verdict = None
        if failed.unreachable:
            responses = stats.get_value("downloader/response_count") or 0
            verdict = self.outcome.connection_failed(
                failed.reason, dns=failed.dns, responses=responses
            )
        if request.meta.get("start_point"):
            verdict = verdict or self.outcome.start_failed()
        if verdict:
            self._end(verdict)

    def _end(self, verdict: str, *, close: bool = True) -> None:
        if verdict == UNREACHABLE:
            self._unreachable(self.outcome.unreachable_reason or "no answer", close=close)
        elif verdict == NOTHING_FETCHED:
            self._nothing_fetched(close=close)

    def _fatal(self, message: str, reason: str | None) -> None:
        stats = self.crawler.stats
        stats.set_value("newsbot/fatal", message)
        stats.set_value("newsbot/exit_status", 1)
        log.error(message)
        if reason is not None:
            deferred_from_coro(self.crawler.engine.close_spider_async(reason=reason))

    def _unreachable(self, reason: str, *, close: bool = True) -> None:
        if self.crawler.stats.get_value("newsbot/fatal"):
            return
        host = self.addressing.origin or self.site.canonical_host
        self._fatal(
            f"cannot reach {host}: {reason.rstrip('.')}. Check the network or NEWSBOT_ORIGIN; "
            f"to see newsbot work offline, run `make demo` (crawls a local replica).",
            UNREACHABLE if close else None,
        )

    def _nothing_fetched(self, *, close: bool = True) -> None:
        """Every start point (home, feed, sitemap, listings) was given up on: the run
        cannot have done its job, whatever else is queued."""
        stats = self.crawler.stats
        if stats.get_value("newsbot/fatal"):
            return
        if self.arguments.sections:
            known = sections_of(self.site.sections)
            declared = {s.slug for s in known}
            near = [
                key
                for asked in self.arguments.sections
                if asked not in declared
                for key in near_sections(known, asked)
            ]
            hint = f"did you mean {' or '.join(dict.fromkeys(near))}? " if near else ""
            message = (
                f"none of the sections {', '.join(self.arguments.sections)} gave a listing "
                f"page (see the errors above); {hint}known sections: "
                + ", ".join(s.key for s in known)
            )
        else:
            reasons = sorted({e["reason"] for e in stats.get_value("newsbot/errors") or []})
            message = "fetched none of the portal's start points (home page, feeds, sitemaps): " + (
                "; ".join(reasons[:3]) or "all given up"
            )
        stats.set_value("newsbot/run_status", NOTHING_FETCHED)
        self._fatal(message, NOTHING_FETCHED if close else None)

    def _on_idle(self, spider: scrapy.Spider) -> None:
        if spider is not self:
            return
        requests = list(self._top_up(idle=True))
        held, self._held = self._held, []
        if not (held or requests):
            return
        for request in held + requests:
            self.crawler.engine.crawl(request)
        raise DontCloseSpider

    def _on_closed(self, spider: scrapy.Spider, reason: str) -> None:
        if spider is not self:
            return
        stats = self.crawler.stats
        verdict = self.outcome.at_close(stats.get_value("downloader/response_count") or 0)
        if verdict:
            self._end(verdict, close=False)
        stopped_by_limit = reason.startswith("closespider_")  # CLOSESPIDER_* settings
        if (
            reason != "finished"
            and not stopped_by_limit
            and not stats.get_value("newsbot/exit_status")
        ):
            stats.set_value("newsbot/exit_status", 1)
            # The one line that says why the run exits 1, at a level a cron job's
            # LOG_LEVEL=WARNING still shows (Scrapy says it at INFO only).
            why = "stopped (Ctrl-C or SIGTERM)" if reason == "shutdown" else f"closed: {reason}"
            self.logger.warning(
                "newsbot: run %s %s before it finished (the next run catches up)",
                stats.get_value("newsbot/run_id") or "",
                why,
            )
        self._close_store()


def _register_spiders() -> None:
    """One spider class per site profile, named after it."""
    for name in site_names():
        cls_name = "".join(p.capitalize() for p in name.split("_")) + "Spider"
        globals()[cls_name] = type(
            cls_name, (PortalSpider,), {"name": name, "__module__": __name__}
        )


_register_spiders()
