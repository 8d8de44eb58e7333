"""The crawl's decisions, as plain methods over plain values (no Scrapy here).

:class:`CrawlPolicy` answers, for one run: request this article? refetch this stored
one? read the next listing page? read this sitemap file? which related links to
follow, to what depth? The spider's callbacks ask it and turn the answers into
requests; every decision is unit-tested in ``tests/crawl`` without a crawler.

What the run needs to know about stored articles is asked of an
:class:`ArticleIndex` (the store's indexed lookup), one batch per page, instead of a
map of every stored URL held for the run: memory follows the run, not the archive.
Why something was not requested is counted through ``count(key)`` (the spider maps
the keys onto its stats as ``newsbot/<key>``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any, NamedTuple, Protocol
from urllib.parse import urlsplit

from newsbot.crawl.arguments import CrawlArguments
from newsbot.crawl.history import Profile, RunHistory
from newsbot.sites.onecms import day_file_wanted, day_of_sitemap, sitemap_needed

#: Request priorities (Scrapy pops the highest first): the home page, feeds and each
#: listing's first page before the articles they list, sitemap files last, so a
#: sitemap index of 50,000 parts cannot hold back listings and articles.
HOME_PRIORITY = 10
FEED_PRIORITY = 5
LISTING_PRIORITY = 4
ARTICLE_PRIORITY = 0
#: A listing's next page waits for the articles already found: the scheduler then holds
#: about a page of article requests per listing instead of every article the listings
#: name (walking them all first held 47,000 requests at 50,000 articles, +135 MB).
#: With ``since`` the articles' dates and ids also tell whether the page is needed.
NEXT_PAGE_PRIORITY = -1
SITEMAP_PRIORITY = -5

#: An article id is only learned from articles this far outside the window: an id given
#: to a draft earlier than a neighbour's publication must not move a bound past it.
_ID_MARGIN = timedelta(days=2)


class Entry(Protocol):
    """A link with what its source says about it (a ``sites.base.ListingEntry``)."""

    url: str
    published_at: str | None
    modified_at: str | None


class Known(Protocol):
    """What the store says about a stored article (``store.KnownArticle``)."""

    source_id: str | None
    published_at: str
    last_seen_at: str
    url: str | None
    #: When a run first stored it (None: unknown, taken as before this run).
    first_seen_at: str | None
    #: Its URLs under the publisher's other domain, as stored.
    aliases: tuple[str, ...]


class ArticleIndex(Protocol):
    """Stored articles by URL or id: ``Store.known`` (indexed lookups)."""

    def known(
        self, site: str, *, urls: Iterable[str] = (), source_ids: Iterable[Any] = ()
    ) -> Iterable[Known]:
        """Every stored article of ``site`` with one of the URLs or source ids."""
        ...


class EmptyIndex:
    """The index of a store that holds nothing (or could not be opened)."""

    def known(
        self, site: str, *, urls: Iterable[str] = (), source_ids: Iterable[Any] = ()
    ) -> Iterable[Known]:
        return ()


#: Request meta key: an article request's depth in related hops from a listing.
HOP = "newsbot_hop"

#: An article id as the policy's per-run maps keep it (see :func:`id_key`).
IdKey = int | str


def id_key(source_id: str) -> IdKey:
    """An article id as a key of the run's maps: a plain number as an int, any other
    id as it is. The maps hold an id for every article a run requests, twice: an int
    takes 32 bytes where the string took 64 (3 MB at 50,000 articles). A number
    written with a leading zero stays a string, so no two ids become one key (and one
    too long for a machine word, so none is refused by ``int``)."""
    if (
        len(source_id) <= 18
        and source_id.isascii()
        and source_id.isdigit()
        and (source_id[0] != "0" or source_id == "0")
    ):
        return int(source_id)
    return source_id


class Fetch(NamedTuple):
    """An article to request: how it was found and how many related hops from a listing."""

    url: str
    via: str
    depth: int
    #: Requested before in this run, asked again on purpose (an alias met after its
    #: record was yielded): past the dupefilter.
    again: bool = False


#: Local time of the portals' day files (Vietnam, no daylight saving).
VN_TZ = timezone(timedelta(hours=7))


def _domain_of(url: str | None) -> str:
    return (urlsplit(url).hostname or "").lower() if url else ""


def _get(settings: Any, name: str, default: Any) -> Any:
    value = settings.get(name) if settings is not None else None
    return default if value in (None, "") else value


@dataclass(frozen=True, slots=True)
class PolicySettings:
    """The settings the decisions depend on (README: ``NEWSBOT_*``)."""

    refresh: str = "recent"
    refresh_days: float = 3.0
    related_depth: int = 3
    #: Published more than this far ahead of now is a wrong date, not a recent article.
    future_margin_days: float = 1.0
    #: Sitemap files below the root ones: index -> part is 1.
    sitemap_max_depth: int = 3
    #: Sitemap files (roots included) one run reads at most.
    sitemap_max_files: int = 2000
    #: Days a OneCMS day file still changes (today and yesterday).
    day_files_live: int = 2
    #: Other workers share this crawl (``NEWSBOT_FRONTIER``): a page this worker asked
    #: for may be read by another, at the hop the request carried.
    shared_frontier: bool = False

    @classmethod
    def from_settings(cls, settings: Any, args: CrawlArguments | None = None) -> PolicySettings:
        """From Scrapy settings (or any mapping), with the run's ``-a`` overrides."""
        args = args or CrawlArguments()
        d = cls()  # the defaults
        return cls(
            refresh=args.refresh or str(_get(settings, "NEWSBOT_REFRESH", d.refresh)),
            refresh_days=float(_get(settings, "NEWSBOT_REFRESH_DAYS", d.refresh_days)),
            related_depth=(
                args.related_depth
                if args.related_depth is not None
                else int(_get(settings, "NEWSBOT_RELATED_DEPTH", d.related_depth))
            ),
            future_margin_days=float(
                _get(settings, "NEWSBOT_FUTURE_MARGIN_DAYS", d.future_margin_days)
            ),
            sitemap_max_depth=int(_get(settings, "NEWSBOT_SITEMAP_MAX_DEPTH", d.sitemap_max_depth)),
            sitemap_max_files=int(_get(settings, "NEWSBOT_SITEMAP_MAX_FILES", d.sitemap_max_files)),
            day_files_live=int(_get(settings, "NEWSBOT_DAY_FILES_LIVE", d.day_files_live)),
            shared_frontier=bool(_get(settings, "NEWSBOT_FRONTIER", None)),
        )


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def later(when: str | None, than: str | None) -> bool:
    """Is the ISO time ``when`` after ``than``? False if either is missing or unreadable."""
    a, b = _parse_time(when), _parse_time(than)
    return bool(a and b and a > b)


def _day_of(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


class CrawlPolicy:
    """The decisions of one run (see the module docstring)."""

    def __init__(
        self,
        site: Profile,
        args: CrawlArguments | None = None,
        settings: PolicySettings | None = None,
        history: RunHistory | None = None,
        index: ArticleIndex | None = None,
        *,
        now: Callable[[], datetime] | None = None,
        count: Callable[[str], None] | None = None,
    ) -> None:
        self.site = site
        self.args = args or CrawlArguments()
        self.settings = settings or PolicySettings.from_settings(None, self.args)
        self.history = history or RunHistory()
        self.index: ArticleIndex = index or EmptyIndex()
        self._now = now or (lambda: datetime.now(UTC))
        #: When this run began: an article first stored after it was stored by this run.
        self.started = self._now()
        self.counts: Counter[str] = Counter()
        self._count_hook = count
        # Per requested article: the fewest related hops from a listing; and, for those
        # found through related links, their own links (so a shorter path found later
        # can extend the crawl: the order pages arrive in must not decide the reach).
        self._depth: dict[str, int] = {}
        self._related_of: dict[str, tuple[str, ...]] = {}
        self._sections: set[str] = set()
        self.scheduled = 0
        self.sitemap_files = 0
        #: Largest id seen published well before ``since`` / smallest well after
        #: ``until`` (portals whose ids grow with time): undated links are judged by them.
        self.id_floor: int | None = None
        self.id_ceiling: int | None = None
        # One publisher on two domains: per article id, the URL requested for it (the
        # very string ``_depth`` keeps), the other-domain URLs met for it (its aliases),
        # and the ids whose record is out. Ids are keyed by :func:`id_key`.
        self._requested_by_id: dict[IdKey, str] = {}
        self._aliases: dict[IdKey, set[str]] = {}
        self._yielded_ids: set[IdKey] = set()

    @property
    def refresh(self) -> str:
        return self.settings.refresh

    def count(self, key: str) -> None:
        self.counts[key] += 1
        if self._count_hook is not None:
            self._count_hook(key)

    # --- dates -------------------------------------------------------------------

    def in_window(self, published_at: str | None) -> bool:
        """Inside ``since``..``until`` (an unknown date is given the benefit)."""
        day = _day_of(published_at)
        if day is None:
            return True
        args = self.args
        return not ((args.since and day < args.since) or (args.until and day > args.until))

    def is_recent(self, published_at: str | None) -> bool:
        """Published within the refresh period: young enough to be edited still. A date
        in the future beyond the margin is wrong (a typo'd year 2999), not recent."""
        when = _parse_time(published_at)
        if when is None:
            return False
        now = self._now()
        if when > now + timedelta(days=self.settings.future_margin_days):
            return False
        return now - when <= timedelta(days=self.settings.refresh_days)

    def learn(self, source_id: str | None, published_at: str | None) -> None:
        """Learn the id bounds from an article's id and publication date."""
        if not (self.site.ids_increase_with_time and source_id and source_id.isdigit()):
            return
        day = _day_of(published_at)
        if day is None:
            return
        ident = int(source_id)
        if self.args.since and day < self.args.since - _ID_MARGIN:
            self.id_floor = max(self.id_floor or 0, ident)
        if self.args.until and day > self.args.until + _ID_MARGIN:
            self.id_ceiling = ident if self.id_ceiling is None else min(self.id_ceiling, ident)

    @property
    def sitemaps_last(self) -> bool:
        """Read sitemaps only once everything else is done? With a date window on a
        portal whose ids follow time: sitemap links carry no publication date, and by
        then the dated listings and feeds have taught the id bounds that judge them."""
        return bool((self.args.since or self.args.until) and self.site.ids_increase_with_time)

    def id_learning_window(self) -> tuple[str | None, str | None]:
        """ISO dates before / after which a stored article's id teaches a bound (None:
        no bound to learn), for the store's ``iter_dated_ids``."""
        if not self.site.ids_increase_with_time:
            return None, None
        since, until = self.args.since, self.args.until
        return (
            (since - _ID_MARGIN).isoformat() if since else None,
            (until + _ID_MARGIN + timedelta(days=1)).isoformat() if until else None,
        )

    def learn_all(self, dated_ids: Iterable[tuple[str | None, str | None]]) -> None:
        """Learn the id bounds from many (source_id, published_at) pairs."""
        for source_id, published_at in dated_ids:
            self.learn(source_id, published_at)

    def _id(self, url: str) -> int | None:
        source_id = self.site.source_id(url)
        return int(source_id) if source_id and source_id.isdigit() else None

    def older_than_since(self, entry: Entry) -> bool:
        """Is a link older than ``since``, by its date, its last change, or its id?"""
        since = self.args.since
        if not since:
            return False
        published = _day_of(entry.published_at)
        if published is not None:
            return published < since
        modified = _day_of(entry.modified_at)
        if modified is not None and modified < since:
            return True  # last changed before `since`, so published before it too
        ident = self._id(entry.url)
        return bool(self.id_floor and ident is not None and ident <= self.id_floor)

    def newer_than_until(self, entry: Entry) -> bool:
        """Is a link newer than ``until``, by its date or its id?"""
        until = self.args.until
        if not until:
            return False
        published = _day_of(entry.published_at)
        if published is not None:
            return published > until
        ident = self._id(entry.url)
        return bool(self.id_ceiling is not None and ident is not None and ident >= self.id_ceiling)

    # --- the store -----------------------------------------------------------------

    def stored(self, urls: Iterable[str]) -> dict[str, Known]:
        """URL -> stored article, for those of ``urls`` stored under that URL or its id."""
        urls = list(dict.fromkeys(urls))
        if not urls:
            return {}
        ids = {u: self.site.source_id(u) for u in urls}
        found = list(
            self.index.known(
                self.site.name, urls=urls, source_ids=sorted({i for i in ids.values() if i})
            )
        )
        by_url = {k.url: k for k in found if k.url}
        by_id = {k.source_id: k for k in found if k.source_id}
        out: dict[str, Known] = {}
        for url in urls:
            known = by_url.get(url) or (by_id.get(ids[url]) if ids[url] else None)
            if known is not None:
                out[url] = known
        return out

    def _undecided(self, urls: Iterable[str]) -> list[str]:
        """Of ``urls``, those this run has not decided on yet. :meth:`_article` settles a
        URL it requested already, or another URL of an id it requested, from what the
        run knows, so only the rest are worth a store lookup (most related links of a
        page were met before: two queries an article saved)."""
        out = []
        for url in urls:
            if url in self._depth:
                continue
            source_id = self.site.source_id(url)
            if source_id and id_key(source_id) in self._requested_by_id:
                continue
            out.append(url)
        return out

    def stored_earlier(self, known: Known) -> bool:
        """Stored by an earlier run (not first stored by this one)? Unknown: earlier."""
        first = _parse_time(getattr(known, "first_seen_at", None))
        return first is None or first < self.started

    # --- articles --------------------------------------------------------------------

    def refetch(self, stored: Known, modified_at: str | None = None) -> bool:
        """Fetch a stored article again? Always with ``refresh=all``; with ``recent``,
        when the source says it changed since we saw it, or it is young enough to be
        edited still; never with ``none``."""
        if self.refresh == "all":
            return True
        if self.refresh == "none":
            return False
        if later(modified_at, stored.last_seen_at):
            self.count("refetched/modified")
            return True
        if not getattr(self.site, "refresh_by_age", True):
            return False  # the site's day files say when a page changed (OneCMS)
        return self.is_recent(stored.published_at)

    def moved_here(self, url: str, stored: Known) -> bool:
        """Stored under the publisher's other domain, met on the one the crawl runs on:
        the article moved (baohaiduong.vn -> baohaiphong.vn), so its record moves too."""
        here = getattr(self.site, "current_domain", None) or getattr(
            self.site, "canonical_host", ""
        )
        return bool(
            stored.url and _domain_of(url) == here and _domain_of(stored.url) != _domain_of(url)
        )

    def _wants(
        self, url: str, stored: Known | None, published_at: str | None, modified_at: str | None
    ) -> bool:
        """Request this article? Counts why not."""
        if self.site.url_kind(url) != "article":
            return False
        if not self.in_window(published_at):
            self.count("skipped/out_of_window")
            return False
        if url in self.history.dead:
            self.count("skipped/dead_link")
            return False
        if stored is not None and self.moved_here(url, stored):
            self.count("refetched/moved")
        elif stored is not None and not self.refetch(stored, modified_at):
            self.count("skipped/stored")
            return False
        if self.full:
            self.count("skipped/max_articles")
            return False
        return True

    @property
    def full(self) -> bool:
        """Has the run requested as many articles as ``max_articles`` allows?"""
        limit = self.args.max_articles
        return limit is not None and self.scheduled >= limit

    def _article(
        self,
        url: str,
        depth: int,
        via: str,
        stored: Known | None,
        published_at: str | None = None,
        modified_at: str | None = None,
    ) -> list[Fetch]:
        best = self._depth.get(url)
        if best is not None:
            # Requested already. Found closer to a listing than before: its related
            # links get the depth budget they were denied.
            if depth < best:
                self._depth[url] = depth
                if self.settings.shared_frontier and url not in self._related_of:
                    # Not read here yet, and another worker may read it at the deeper
                    # hop its request carries: ask the fleet for it again at this one.
                    return [Fetch(url, via, depth)]
                return self._follow(url, depth)
            return []
        source_id = self.site.source_id(url)
        key = id_key(source_id) if source_id else None
        if key is not None and key in self._requested_by_id:
            return self._met_again(url, key)
        if key is not None and stored is not None and self._alias_unknown(url, stored):
            return self._learn_alias(url, key, stored, depth)
        if not self._wants(url, stored, published_at, modified_at):
            return []
        self._depth[url] = depth
        if key is not None:
            self._requested_by_id[key] = url
        self.scheduled += 1
        return [Fetch(url, via, depth)]

    def _met_again(self, url: str, key: IdKey) -> list[Fetch]:
        """An article id already requested, met under another URL: on the other
        domain, that URL is an alias. One met after the record was yielded has the
        article fetched once more, so the record carries it."""
        first = self._requested_by_id.get(key)
        if not first or _domain_of(first) == _domain_of(url):
            return []
        aliases = self._aliases.setdefault(key, set())
        if url in aliases:
            return []
        aliases.add(url)
        if key not in self._yielded_ids:
            return []
        self._yielded_ids.discard(key)
        self.count("refetched/alias")
        return [Fetch(first, "alias", self._depth.get(first, 0), again=True)]

    def _alias_unknown(self, url: str, stored: Known) -> bool:
        """A stored article met under the publisher's other domain at a URL its record
        does not carry (stored by a run that never met that URL). An article met on the
        domain the crawl runs on but stored under the other one is not this case: it
        moved, and :meth:`moved_here` fetches it there."""
        return bool(
            stored.url
            and _domain_of(stored.url) != _domain_of(url)
            and url not in stored.aliases
            and not self.moved_here(url, stored)
        )

    def _learn_alias(self, url: str, key: IdKey, stored: Known, depth: int) -> list[Fetch]:
        """Fetch the article once more under its stored URL, so that its record (the
        same article: one id of one publisher) carries ``url`` among its aliases. Once
        stored, the alias is known and the URL costs nothing in later runs."""
        home = str(stored.url)
        if not self.in_window(stored.published_at) or home in self.history.dead or self.full:
            return []
        self._aliases.setdefault(key, set()).add(url)
        self._depth[home] = depth
        self._requested_by_id[key] = home
        self.scheduled += 1
        self.count("refetched/alias")
        return [Fetch(home, "alias", depth)]

    def aliases_of(
        self, url: str, source_id: str | None, requested: str, stored_url: str | None = None
    ) -> list[str]:
        """Other-domain URLs of the article at ``url``: the one requested (a redirect
        between the domains), the one stored by an earlier run, those met in this run.
        Its record counts as yielded from now on."""
        found = {requested, stored_url}
        if source_id:
            key = id_key(source_id)
            found |= self._aliases.get(key, set())
            self._yielded_ids.add(key)
        return sorted(u for u in found if u and _domain_of(u) != _domain_of(url))

    def entries(self, entries: Sequence[Entry], via: str) -> list[Fetch]:
        """Articles to request from a listing page, feed or sitemap."""
        wanted = []
        for entry in entries:
            # A dated link teaches the id bounds as well as an article page does.
            self.learn(self.site.source_id(entry.url), entry.published_at)
        for entry in entries:
            if self.older_than_since(entry) or self.newer_than_until(entry):
                self.count("skipped/out_of_window")
                continue
            wanted.append(entry)
        stored = self.stored(self._undecided(e.url for e in wanted))
        out: list[Fetch] = []
        for e in wanted:
            out += self._article(e.url, 0, via, stored.get(e.url), e.published_at, e.modified_at)
        return out

    def links(self, urls: Sequence[str], via: str, depth: int = 0) -> list[Fetch]:
        """Articles to request from undated links (home page, frontier, retries)."""
        kept = []
        for url in urls:
            if self.newer_than_until(_Link(url)) or self.older_than_since(_Link(url)):
                self.count("skipped/out_of_window")
                continue
            kept.append(url)
        stored = self.stored(self._undecided(kept))
        out: list[Fetch] = []
        for url in kept:
            out += self._article(url, depth, via, stored.get(url))
        return out

    def parsed(
        self,
        url: str,
        requested: str,
        related: Sequence[str],
        source_id: str | None = None,
        published_at: str | None = None,
        hop: int | None = None,
    ) -> list[Fetch]:
        """An article page was read: learn from it and follow its related links.

        ``hop``: the depth the request carried (:data:`HOP`). In a fleet the page may
        have been asked for by another worker, or again, closer to a listing, after
        this worker asked for it deeper: the shallowest depth known wins.
        """
        self.learn(source_id, published_at)
        depth = min(
            self._depth.get(requested, 0 if hop is None else hop),
            self._depth.get(url, self.settings.related_depth),
        )
        if hop is not None:
            depth = min(depth, hop)
        links = tuple(related)
        for key in {requested, url}:
            self._depth[key] = depth
            if depth > 0:  # an article one hop or more out may yet be found closer
                self._related_of[key] = links
        return self._follow(url, depth, links)

    def _follow(self, url: str, depth: int, links: Sequence[str] | None = None) -> list[Fetch]:
        if depth >= self.settings.related_depth:
            return []
        links = self._related_of.get(url, ()) if links is None else links
        return self.links(list(links), "related", depth + 1)

    # --- listings, sections, sitemaps --------------------------------------------

    def section(self, slug: str | None) -> bool:
        """Request this section's listing? Once per section per run."""
        if slug is None or slug in self._sections:
            return False
        self._sections.add(slug)
        return True

    def next_page(self, entries: Sequence[Entry]) -> int | None:
        """Read the next page of a listing whose page showed ``entries``? Its request
        priority, or None to stop paging (counted with the reason)."""
        if not entries:
            return None
        if any(self.older_than_since(e) for e in entries):
            self.count("paging_stopped/since")
            return None
        if (
            self.refresh != "all"
            and self.history.previous_complete
            and not self.args.since
            and self._all_stored_earlier(entries)
        ):
            self.count("paging_stopped/all_stored")
            return None
        if self.full:
            return None
        return NEXT_PAGE_PRIORITY

    def _all_stored_earlier(self, entries: Sequence[Entry]) -> bool:
        """Every link of the page stored by an earlier run: the complete run that stored
        them saw the older pages too. Articles this run stored already (the page's
        articles come before the next page, and a feed or sitemap may name them first)
        say nothing about the older pages."""
        urls = {e.url for e in entries}
        stored = self.stored(urls)
        return len(stored) == len(urls) and all(map(self.stored_earlier, stored.values()))

    def unchanged_since_last_run(self, lastmod: str | None) -> bool:
        """A sitemap part last modified well before the last complete, unrestricted run
        that missed nothing began holds nothing that run did not see. A day's margin
        covers clock skew and date-only lastmods."""
        started = self.history.baseline_started
        modified = _parse_time(lastmod)
        if not (modified and started and self.history.previous_complete):
            return False
        if self.refresh == "all" or self.args.since:
            return False
        if started.tzinfo is None:
            started = started.replace(tzinfo=UTC)
        return modified < started - timedelta(days=1)

    def day_file_skipped(self, url: str) -> bool:
        """On a site of daily sitemap files (OneCMS), is this file one to leave unread?"""
        if not getattr(self.site, "daily_sitemaps", False):
            return False
        if not sitemap_needed(url):
            return True
        day = day_of_sitemap(url)
        if day is None:
            return False
        started = self.history.clean_started
        baseline = (
            (started if started.tzinfo else started.replace(tzinfo=UTC)).astimezone(VN_TZ).date()
            if started and self.history.previous_complete
            else None
        )
        return not day_file_wanted(
            day,
            today=self._now().astimezone(VN_TZ).date(),
            last_complete=baseline,
            since=self.args.since,
            until=self.args.until,
            refresh_all=self.refresh == "all",
            live_days=self.settings.day_files_live,
        )

    def sitemap(self, lastmod: str | None = None, depth: int = 0, url: str | None = None) -> bool:
        """Read this sitemap file (``depth`` 0 for a root, 1 for a part of an index)?"""
        if depth > 0 and url and self.day_file_skipped(url):
            self.count("skipped/sitemap_day_final")
            return False
        if depth > self.settings.sitemap_max_depth:
            self.count("skipped/sitemap_too_deep")
            return False
        if self.sitemap_files >= self.settings.sitemap_max_files:
            self.count("skipped/sitemap_limit")
            return False
        if depth > 0 and self.unchanged_since_last_run(lastmod):
            self.count("skipped/sitemap_unchanged")
            return False
        modified = _day_of(lastmod)
        if depth > 0 and self.args.since and modified and modified < self.args.since:
            self.count("skipped/out_of_window")  # the newest change in it is older
            return False
        self.sitemap_files += 1
        return True


class _Link(NamedTuple):
    url: str
    published_at: str | None = None
    modified_at: str | None = None
