"""The portal spider: thin Scrapy glue driven by a site profile.

Discovery (home page menu, configured sections, listings and their pagination, RSS,
sitemaps, related links to a depth), incremental decisions (what the store already
holds) and error bookkeeping live here; every selector lives in ``newsbot.sites``.
One spider class is registered per site profile, named after it
(``scrapy crawl baohaiduong``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy import Request, signals
from scrapy.http import Response
from scrapy.utils.defer import deferred_from_coro

from newsbot.record import ArticleItem
from newsbot.sites import get_site, site_names
from newsbot.sites.base import ListingEntry, UrlKind
from newsbot.sites.onecms import day_file_wanted, day_of_sitemap, sitemap_needed
from newsbot.sites.portal import PortalSite
from newsbot.spiders.addressing import Addressing, parse_origins
from newsbot.spiders.errors import failure_reason, quiet_network_tracebacks, record_error

log = logging.getLogger(__name__)

REFRESH_MODES = ("all", "recent", "none")
DISCOVERY = ("home", "sections", "feeds", "sitemaps", "frontier")
ARGUMENTS = ("since", "until", "sections", "max_articles", "refresh", "related_depth", "discover")
_SLUG = re.compile(r"^[a-z0-9]+(?:-+[a-z0-9]+)*$")
_CONNECTION_ERRORS = ("DNS", "refused", "could not connect", "timed out", "connection")
VN_TZ = timezone(timedelta(hours=7))


def _domain_of(url: str) -> str:
    """The publisher domain of a canonical URL (canonical URLs use the desktop host)."""
    return (urlsplit(url).hostname or "").lower()


def _later(when: str | None, than: str | None) -> bool:
    """Is the ISO time ``when`` after ``than`` (both with offsets)? False if either is missing."""
    if not when or not than:
        return False
    try:
        return datetime.fromisoformat(when) > datetime.fromisoformat(than)
    except ValueError:
        return False


#: Arguments that restrict what a run looks at: such a run saw only part of the portal.
_RESTRICTING = frozenset({"sections", "max_articles", "since", "until", "discover"})
#: Reasons of give-ups that will not change by trying again.
_PERMANENT = re.compile(r"^HTTP (?:40[0-7]|41\d)\b|not HTML|larger than|redirect loop")


def _saw_everything(run: dict[str, Any]) -> bool:
    """A finished run over the whole portal that gave up on nothing."""
    args = run.get("args") or {}
    return (
        run.get("status") == "finished" and not run.get("errors") and not (_RESTRICTING & set(args))
    )


def _worth_retrying(errors: list[dict[str, Any]], site: PortalSite) -> list[str]:
    """Article URLs the previous run gave up on for a reason that may pass (timeouts,
    dropped connections, 429), to request again at the start of this run."""
    urls = []
    for err in errors:
        url, reason = err.get("url"), str(err.get("reason") or "")
        if not url or err.get("kind", "fetch") != "fetch" or _PERMANENT.search(reason):
            continue
        canonical = site.canonical_url(url)
        if canonical and site.url_kind(canonical) is UrlKind.ARTICLE:
            urls.append(canonical)
    return list(dict.fromkeys(urls))


def _got_going(run: dict[str, Any]) -> bool:
    """A run that fetched something (one that found the portal unreachable, or the
    store locked, walked no listing and cannot have left one half walked)."""
    counts = run.get("counts") or {}
    # "aborted": killed mid-run, so marked by the run after it; its counts were never written.
    return run.get("status") in ("running", "aborted") or bool(counts.get("requests"))


def _section_slugs(value: str | None) -> list[str]:
    """Section slugs of ``-a sections=`` (case and spaces forgiven)."""
    slugs = [s.strip().lower() for s in (value or "").split(",") if s.strip()]
    bad = [s for s in slugs if not _SLUG.match(s)]
    if bad:
        raise ValueError(
            f"-a sections: {', '.join(bad)} is not a section slug "
            "(like chinh-tri or khoa-hoc---giao-duc)"
        )
    return slugs


def _parse_day(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"-a {name}={value!r}: expected YYYY-MM-DD") from None


class PortalSpider(scrapy.Spider):
    """Crawls one publisher, described by the site profile named like the spider."""

    # Empty on the base class so Scrapy's spider list shows only the per-site spiders.
    name = ""
    custom_settings: dict[str, Any] = {}

    def __init__(
        self,
        since: str | None = None,
        until: str | None = None,
        sections: str | None = None,
        max_articles: str | int | None = None,
        refresh: str | None = None,
        related_depth: str | int | None = None,
        discover: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.args = {
            k: v
            for k, v in {
                "since": since,
                "until": until,
                "sections": sections,
                "max_articles": max_articles,
                "refresh": refresh,
                "related_depth": related_depth,
                "discover": discover,
            }.items()
            if v is not None
        }
        self.check_arguments(**self.args)
        self.site: PortalSite = get_site(self.name)
        self.since = _parse_day(since, "since")
        self.until = _parse_day(until, "until")
        self.only_sections = _section_slugs(sections)
        self.max_articles = int(max_articles) if max_articles not in (None, "") else None
        self.refresh = refresh
        self._related_depth_arg = related_depth
        self.discover = set((discover or ",".join(DISCOVERY)).split(","))

    @classmethod
    def check_arguments(cls, **kwargs: Any) -> None:
        """Raise ValueError, saying which, when a ``-a`` argument is not usable."""
        # `_`-prefixed arguments are the scheduler's own (scrapyd adds `-a _job=<id>`).
        unknown = sorted(k for k in set(kwargs) - set(ARGUMENTS) if not k.startswith("_"))
        if unknown:
            raise ValueError(
                f"unknown argument(s) {', '.join(unknown)}; known: {', '.join(ARGUMENTS)}"
            )
        _parse_day(kwargs.get("since"), "since")
        _parse_day(kwargs.get("until"), "until")
        _section_slugs(kwargs.get("sections"))
        refresh = kwargs.get("refresh")
        if refresh is not None and refresh not in REFRESH_MODES:
            raise ValueError(f"-a refresh={refresh!r}: expected one of {', '.join(REFRESH_MODES)}")
        for name in ("max_articles", "related_depth"):
            value = kwargs.get(name)
            if value not in (None, "") and not str(value).isdigit():
                raise ValueError(f"-a {name}={value!r}: expected a whole number")
        discover = kwargs.get("discover")
        if discover:
            bad = sorted(set(discover.split(",")) - set(DISCOVERY))
            if bad:
                raise ValueError(
                    f"-a discover: unknown {', '.join(bad)}; choose from {', '.join(DISCOVERY)}"
                )

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
        if spider.refresh is None:
            spider.refresh = settings.get("NEWSBOT_REFRESH", "recent")
        spider.refresh_days = settings.getfloat("NEWSBOT_REFRESH_DAYS", 3)
        depth = spider._related_depth_arg
        spider.related_depth = (
            int(depth) if depth not in (None, "") else settings.getint("NEWSBOT_RELATED_DEPTH", 3)
        )
        spider.known = {}
        spider.known_by_id = {}
        spider.previous_run_complete = True
        spider.previous_run_started = None
        spider.retry = []
        spider.frontier = []
        spider._scheduled_articles = 0
        spider._seen_ids = set()
        # One publisher on two domains: per article id, the URL requested for it, the
        # other-domain URLs met for it (its aliases), and the ids already yielded.
        spider._requested_by_id = {}
        spider._aliases = {}
        spider._yielded_ids = set()
        spider.url_by_id = {}
        # Per requested article: the fewest related-link hops from a listing, and
        # its related links (so a shorter path found later can extend the crawl).
        spider._depth = {}
        spider._related_of = {}
        spider._sections_requested = set()
        # Largest article id seen published before `since` (ids grow with time on
        # portals that say so): an undated listing entry at or under it is older.
        spider._old_id_floor = None
        crawler.signals.connect(spider._on_closed, signal=signals.spider_closed)
        return spider

    # --- state from the store --------------------------------------------------

    def _load_state(self) -> None:
        """What the store already holds, so stored articles are skipped before requesting."""
        from newsbot.store import StoreError, open_store
        from newsbot.store.target import store_target

        target = store_target(self.settings)
        try:
            store = open_store(target)
        except StoreError as exc:
            log.warning("store unavailable (%s): crawling as if it were empty", exc)
            return
        try:
            self.known = store.known_articles(self.site.name)
            self.known_by_id = {k.source_id: k for k in self.known.values() if k.source_id}
            self.url_by_id = {k.source_id: u for u, k in self.known.items() if k.source_id}
            # A run that did not finish (killed, crashed, stopped) may have left listings
            # half walked: this run then pages every listing to its end. The newest row
            # may be this run itself (the store pipeline opens it before we start).
            current = self.crawler.stats.get_value("newsbot/run_id")
            runs = [
                r
                for r in store.recent_runs(self.name, limit=20)
                if r.get("run_id") != current and _got_going(r)
            ]
            previous = runs[0] if runs else None
            self.previous_run_complete = previous is None or previous.get("status") == "finished"
            # Sitemap parts are skipped only against a run that saw everything: finished,
            # unrestricted, nothing given up on. Anything less and they are all read.
            baseline = next((r for r in runs if _saw_everything(r)), None)
            started = (baseline or {}).get("started_at")
            self.previous_run_started = datetime.fromisoformat(started) if started else None
            if previous is not None:
                self.retry = _worth_retrying(previous.get("errors") or [], self.site)
            self.frontier = (
                store.related_frontier(self.site.name) if "frontier" in self.discover else []
            )
            # A link whose article is stored under another URL (the other domain) was
            # fetched: it is no frontier.
            self.frontier = [
                u for u in self.frontier if self.site.source_id(u) not in self.known_by_id
            ]
        finally:
            store.close()
        for known in self.known.values():
            self._learn_age(known.source_id, known.published_at)
        self.crawler.stats.set_value("newsbot/known_at_start", len(self.known))
        log.info(
            "store holds %d articles of %s; previous run %s; %d related links pending",
            len(self.known),
            self.site.name,
            "complete" if self.previous_run_complete else "INCOMPLETE (full listing walk)",
            len(self.frontier),
        )

    # --- requests ----------------------------------------------------------------

    def _request(self, portal_url: str, callback: Any, **meta: Any) -> Request:
        return Request(
            self.addressing.to_fetch(portal_url),
            callback=callback,
            errback=self._failed,
            meta={"portal_url": portal_url, **meta},
        )

    async def start(self) -> AsyncIterator[Request]:
        if self.crawler.stats.get_value("newsbot/fatal"):
            return
        self._load_state()
        for request in self._start_requests():
            yield request

    def _start_requests(self) -> Iterator[Request]:
        site = self.site
        if self.only_sections:
            for slug in self.only_sections:
                yield from self._section(site.section_listing_url(slug))
        else:
            if "home" in self.discover:
                for url in site.start_urls:
                    yield self._request(url, self.parse_home, priority=10)
            elif "sections" in self.discover:
                yield from self._configured_sections()
            if "feeds" in self.discover:
                for url in site.feeds:
                    yield self._request(url, self.parse_feed, priority=5)
            if "sitemaps" in self.discover:
                for url in site.sitemaps:
                    yield self._request(url, self.parse_sitemap, priority=-5)
        for url in self.frontier:
            yield from self._article(url, depth=1, via="frontier")
        for url in self.retry:
            yield from self._article(url, depth=0, via="retry")

    def _configured_sections(self) -> Iterator[Request]:
        for slug in self.site.sections:
            yield from self._section(self.site.section_listing_url(slug))

    def _section(self, listing_url: str) -> Iterator[Request]:
        slug = self.site.listing_section(listing_url)
        if slug is None or slug in self._sections_requested:
            return
        self._sections_requested.add(slug)
        yield self._request(listing_url, self.parse_listing, priority=4, section=slug, page=1)

    def _in_window(self, published_at: str | None) -> bool:
        if not published_at:
            return True
        day = date.fromisoformat(published_at[:10])
        if self.since and day < self.since:
            return False
        return not (self.until and day > self.until)

    def _unchanged_since_last_run(self, lastmod: str | None) -> bool:
        """A child sitemap last modified well before the last complete, unrestricted,
        error-free run began holds nothing that run did not see (past months' archives
        stay unfetched). A day's margin covers clock skew and date-only lastmods."""
        if not (lastmod and self.previous_run_started and self.previous_run_complete):
            return False
        if self.refresh == "all" or self.since:
            return False
        return datetime.fromisoformat(lastmod) < self.previous_run_started - timedelta(days=1)

    def _learn_age(self, source_id: str | None, published_at: str | None) -> None:
        if not (self.since and self.site.ids_increase_with_time and published_at):
            return
        # Learn only from articles well before `since`: an id given to a draft earlier
        # than a neighbour's publication must not push the floor past a new article.
        margin = (self.since - timedelta(days=2)).isoformat()
        if source_id and source_id.isdigit() and published_at[:10] < margin:
            self._old_id_floor = max(self._old_id_floor or 0, int(source_id))

    def _older_than_since(self, entry: ListingEntry) -> bool:
        """Is a listing entry older than ``since``, by its date or else by its id?"""
        if not self.since:
            return False
        if entry.published_at:
            return entry.published_at[:10] < self.since.isoformat()
        if entry.modified_at and entry.modified_at[:10] < self.since.isoformat():
            return True  # last changed before `since`, so published before it too
        source_id = self.site.source_id(entry.url)
        return bool(
            self._old_id_floor
            and source_id
            and source_id.isdigit()
            and int(source_id) <= self._old_id_floor
        )

    def _wants(
        self, url: str, published_at: str | None = None, modified_at: str | None = None
    ) -> bool:
        """Should this article be requested? Counts why not."""
        stats = self.crawler.stats
        if self.site.url_kind(url) is not UrlKind.ARTICLE:
            return False
        if not self._in_window(published_at):
            stats.inc_value("newsbot/skipped/out_of_window")
            return False
        source_id = self.site.source_id(url)
        if source_id and source_id in self._seen_ids:
            return False
        stored = self.known.get(url) or (self.known_by_id.get(source_id) if source_id else None)
        if stored is not None and self._moved_here(url, source_id):
            stats.inc_value("newsbot/refetched/moved")
        elif stored is not None and not self._refresh_stored(stored, modified_at):
            stats.inc_value("newsbot/skipped/stored")
            return False
        if self.max_articles is not None and self._scheduled_articles >= self.max_articles:
            stats.inc_value("newsbot/skipped/max_articles")
            return False
        return True

    def _moved_here(self, url: str, source_id: str | None) -> bool:
        """Stored under the publisher's other domain, met on the one the crawl runs on:
        the article moved (baohaiduong.vn → baohaiphong.vn), so its record moves too."""
        stored_url = self.url_by_id.get(source_id) if source_id else None
        here = getattr(self.site, "current_domain", self.site.canonical_host)
        return bool(
            stored_url and _domain_of(url) == here and _domain_of(stored_url) != _domain_of(url)
        )

    def _met_again(self, url: str, source_id: str) -> Iterator[Request]:
        """An article id already requested, met under another URL: on the other
        domain, that URL is an alias. One met after the record was yielded has the
        article fetched once more, so the record carries it."""
        first = self._requested_by_id.get(source_id)
        if not first or _domain_of(first) == _domain_of(url):
            return
        aliases = self._aliases.setdefault(source_id, set())
        if url in aliases:
            return
        aliases.add(url)
        if source_id in self._yielded_ids:
            self._yielded_ids.discard(source_id)
            self.crawler.stats.inc_value("newsbot/refetched/alias")
            request = self._request(first, self.parse_article, via="alias")
            yield request.replace(dont_filter=True)

    def _refresh_stored(self, stored: Any, modified_at: str | None = None) -> bool:
        if self.refresh == "all":
            return True
        if self.refresh != "none" and _later(modified_at, stored.last_seen_at):
            # The source says the page changed after we last saw it (sitemap lastmod).
            self.crawler.stats.inc_value("newsbot/refetched/modified")
            return True
        if self.refresh == "none" or not stored.published_at:
            return False
        if not getattr(self.site, "refresh_by_age", True):
            return False  # the site's day files say when a page changed (OneCMS)
        try:
            published = datetime.fromisoformat(stored.published_at)
        except ValueError:
            return False
        return datetime.now(UTC) - published <= timedelta(days=self.refresh_days)

    def _article(
        self,
        url: str,
        *,
        depth: int,
        via: str,
        published_at: str | None = None,
        modified_at: str | None = None,
    ) -> Iterator[Request]:
        best = self._depth.get(url)
        if best is not None:
            # Requested already. Found closer to a listing than before: its related
            # links get the depth budget they were denied (the order pages arrive in
            # must not decide which articles a crawl reaches).
            if depth < best:
                self._depth[url] = depth
                yield from self._follow_related(url, depth)
            return
        source_id = self.site.source_id(url)
        if source_id and source_id in self._seen_ids:
            yield from self._met_again(url, source_id)
            return
        if not self._wants(url, published_at, modified_at):
            return
        self._depth[url] = depth
        if source_id:
            self._seen_ids.add(source_id)
            self._requested_by_id[source_id] = url
        self._scheduled_articles += 1
        yield self._request(url, self.parse_article, via=via)

    def _follow_related(self, url: str, depth: int) -> Iterator[Request]:
        if depth >= self.related_depth:
            return
        for link in self._related_of.get(url, ()):
            yield from self._article(link, depth=depth + 1, via="related")

    def _entries(self, entries: Iterable[ListingEntry], via: str) -> Iterator[Request]:
        for entry in entries:
            if self._older_than_since(entry):
                self.crawler.stats.inc_value("newsbot/skipped/out_of_window")
                continue
            yield from self._article(
                entry.url,
                depth=0,
                via=via,
                published_at=entry.published_at,
                modified_at=entry.modified_at,
            )

    # --- callbacks ---------------------------------------------------------------

    def _portal_url(self, response: Response) -> str:
        return (
            self.site.canonical_url(self.addressing.to_portal(response.url))
            or response.meta.get("portal_url")
            or response.url
        )

    def _bad_links(self, url: str, skipped: list[str]) -> None:
        """Links of a page that are no URL at all: counted and logged, the page kept."""
        if skipped:
            self.crawler.stats.inc_value("newsbot/skipped/bad_link", len(skipped))
            log.warning("%s: %d bad link(s) skipped, e.g. %s", url, len(skipped), skipped[0])

    def parse_home(self, response: Response) -> Iterator[Request]:
        url = self._portal_url(response)
        links = self.site.page_links(response.body, url)
        self._bad_links(url, links.skipped)
        if "sections" in self.discover:
            for listing in links.get(UrlKind.LISTING, []):
                if listing.rstrip("/") != f"https://{self.site.canonical_host}":
                    yield from self._section(listing)
            yield from self._configured_sections()
        for article in links.get(UrlKind.ARTICLE, []):
            yield from self._article(article, depth=0, via="home")

    def parse_listing(self, response: Response) -> Iterator[Request]:
        url = self._portal_url(response)
        listing = self.site.parse_listing(response.body, url)
        self._bad_links(url, listing.skipped)
        page = response.meta.get("page", 1)
        stats = self.crawler.stats
        stats.inc_value("newsbot/listing_pages")
        if not listing.entries:
            record_error(
                stats, url, "listing page without article links (layout change?)", kind="parse"
            )
            return
        yield from self._entries(listing.entries, via="listing")
        if not listing.next_page:
            return
        if any(self._older_than_since(e) for e in listing.entries):
            stats.inc_value("newsbot/paging_stopped/since")
            return
        if (
            self.refresh != "all"
            and self.previous_run_complete
            and not self.since
            and all(e.url in self.known for e in listing.entries)
        ):
            stats.inc_value("newsbot/paging_stopped/all_stored")
            return
        if self.max_articles is not None and self._scheduled_articles >= self.max_articles:
            return
        yield self._request(
            listing.next_page,
            self.parse_listing,
            # With `since`, the next page is downloaded after this page's articles
            # (lower priority), so their dates and ids are known when it is read; at
            # most one page more than needed is fetched.
            priority=-1 if self.since else 3,
            section=response.meta.get("section"),
            page=page + 1,
        )

    def parse_feed(self, response: Response) -> Iterator[Request]:
        url = self._portal_url(response)
        entries = self.site.parse_feed(response.body, url)
        self._bad_links(url, entries.skipped)
        if not entries:
            record_error(self.crawler.stats, url, "feed without entries", kind="parse")
        yield from self._entries(entries, via="feed")

    def _day_file_skipped(self, url: str) -> bool:
        """On a site of daily sitemap files (OneCMS), is this file one to leave unread?"""
        if not getattr(self.site, "daily_sitemaps", False):
            return False
        if not sitemap_needed(url):
            return True
        day = day_of_sitemap(url)
        if day is None:
            return False
        baseline = (
            self.previous_run_started.astimezone(VN_TZ).date()
            if self.previous_run_started and self.previous_run_complete
            else None
        )
        return not day_file_wanted(
            day,
            today=datetime.now(VN_TZ).date(),
            last_complete=baseline,
            since=self.since,
            until=self.until,
            refresh_all=self.refresh == "all",
            live_days=self.settings.getint("NEWSBOT_DAY_FILES_LIVE", 2),
        )

    def parse_sitemap(self, response: Response) -> Iterator[Request]:
        url = self._portal_url(response)
        entries, children = self.site.parse_sitemap(response.body, url)
        self._bad_links(url, entries.skipped)
        for child in children:
            if self._day_file_skipped(child.url):
                self.crawler.stats.inc_value("newsbot/skipped/sitemap_day_final")
                continue
            if self._unchanged_since_last_run(child.modified_at):
                self.crawler.stats.inc_value("newsbot/skipped/sitemap_unchanged")
                continue
            yield self._request(child.url, self.parse_sitemap, priority=-5)
        yield from self._entries(entries, via="sitemap")

    def parse_article(self, response: Response) -> Iterator[Any]:
        url = self._portal_url(response)
        stats = self.crawler.stats
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1")
        if content_type and "html" not in content_type.lower():
            stats.inc_value("newsbot/article_pages")
            stats.inc_value("newsbot/parse_errors/not_html")
            record_error(stats, url, f"not HTML (Content-Type {content_type})", kind="parse")
            return
        stats.inc_value("newsbot/article_pages")
        outcome = self.site.parse_article(response.body, url, content_type or None)
        if outcome.record is None:
            stats.inc_value(f"newsbot/parse_errors/{outcome.kind}")
            record_error(stats, url, outcome.error or "unparseable", kind="parse")
            log.warning("cannot parse %s: %s", url, outcome.error)
            return
        record = outcome.record
        stats.inc_value(f"newsbot/articles/via/{response.meta.get('via', 'unknown')}")
        requested = response.meta.get("portal_url", url)
        depth = min(self._depth.get(requested, 0), self._depth.get(url, self.related_depth))
        links = tuple(link["url"] for link in record.get("related", []))
        for key in {requested, url}:
            self._depth[key] = depth
            self._related_of[key] = links
        yield from self._follow_related(url, depth)
        self._learn_age(record.get("source_id"), record.get("published_at"))
        if not self._in_window(record.get("published_at")):
            stats.inc_value("newsbot/skipped/out_of_window")
            return
        aliases = self._aliases_of(record, requested)
        if aliases:
            record["aliases"] = aliases
        if record.get("source_id"):
            self._yielded_ids.add(record["source_id"])
        # The page itself travels beside the item (newsbot.pipelines.pages), never in it.
        yield ArticleItem(record)

    def _aliases_of(self, record: dict[str, Any], requested: str) -> list[str]:
        """Other-domain URLs of this article: the one requested (a redirect between
        the domains), the one stored by an earlier run, the ones met in this run."""
        url, source_id = record["url"], record.get("source_id")
        found = {requested}
        if source_id:
            found |= self._aliases.get(source_id, set())
            if self.url_by_id.get(source_id):
                found.add(self.url_by_id[source_id])
        return sorted(u for u in found if u and _domain_of(u) != _domain_of(url))

    # --- failures and the end ------------------------------------------------------

    def _failed(self, failure: Any) -> None:
        request = failure.request
        url = request.meta.get("portal_url") or request.url
        reason = failure_reason(failure)
        stats = self.crawler.stats
        tries = request.meta.get("firewall_given_up")
        if tries is not None and reason.startswith("HTTP 403"):
            # The firewall's 403s pass on retry: not a permanent refusal, so the next
            # run asks again (a reason starting "HTTP 40x" would be taken as final).
            reason = f"firewall 403 persisted after {tries} retries"
        if "robots.txt" in reason:  # a policy, not a failure: counted by Scrapy, not an error
            stats.inc_value("newsbot/skipped/robots")
            return
        if "maxsize" in str(failure.value).lower() or "cancel" in reason.lower():
            reason = f"page larger than DOWNLOAD_MAXSIZE or download cancelled ({reason})"
        record_error(stats, url, reason)
        log.warning("gave up on %s: %s", url, reason)
        if not stats.get_value("downloader/response_count") and any(
            k in reason for k in _CONNECTION_ERRORS
        ):
            stats.inc_value("newsbot/connect_failures")
            if stats.get_value("newsbot/connect_failures") >= 3:
                self._unreachable(reason)

    def _unreachable(self, reason: str, *, close: bool = True) -> None:
        stats = self.crawler.stats
        if stats.get_value("newsbot/fatal"):
            return
        host = self.addressing.origin or self.site.canonical_host
        message = (
            f"cannot reach {host}: {reason.rstrip('.')}. Check the network or NEWSBOT_ORIGIN; "
            f"to see newsbot work offline, run `make demo` (crawls a local replica)."
        )
        stats.set_value("newsbot/fatal", message)
        stats.set_value("newsbot/exit_status", 1)
        log.error(message)
        if close:
            deferred_from_coro(self.crawler.engine.close_spider_async(reason="portal_unreachable"))

    def _on_closed(self, spider: scrapy.Spider, reason: str) -> None:
        if spider is not self:
            return
        stats = self.crawler.stats
        if not stats.get_value("downloader/response_count") and not stats.get_value(
            "newsbot/fatal"
        ):
            failures = [
                e["reason"]
                for e in stats.get_value("newsbot/errors") or []
                if any(k in e["reason"] for k in _CONNECTION_ERRORS)
            ]
            if failures:
                self._unreachable(failures[0], close=False)
        if self.only_sections and not stats.get_value("newsbot/listing_pages"):
            if not stats.get_value("newsbot/fatal"):
                message = (
                    f"none of the sections {', '.join(self.only_sections)} gave a listing page "
                    "(see the errors above); known sections: " + ", ".join(self.site.sections)
                )
                stats.set_value("newsbot/fatal", message)
                log.error(message)
            stats.set_value("newsbot/exit_status", 1)
        stopped_by_limit = reason.startswith("closespider_")  # CLOSESPIDER_* settings
        if (
            reason != "finished"
            and not stopped_by_limit
            and not stats.get_value("newsbot/exit_status")
        ):
            stats.set_value("newsbot/exit_status", 1)


def _register_spiders() -> None:
    """One spider class per site profile, named after it."""
    for name in site_names():
        cls_name = "".join(p.capitalize() for p in name.split("_")) + "Spider"
        globals()[cls_name] = type(
            cls_name, (PortalSpider,), {"name": name, "__module__": __name__}
        )


_register_spiders()
