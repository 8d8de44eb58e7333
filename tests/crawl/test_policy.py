"""The crawl's decisions, one table each, without Scrapy: request, refetch, page,
sitemap, related frontier, priorities."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from newsbot.crawl import policy as P
from newsbot.crawl.arguments import CrawlArguments
from newsbot.crawl.history import RunHistory
from newsbot.crawl.policy import CrawlPolicy, Fetch, PolicySettings
from newsbot.sites import get_site
from newsbot.sites.base import ListingEntry
from newsbot.store import KnownArticle

SITE = get_site("baohaiduong")
NOW = datetime(2024, 10, 20, 12, 0, tzinfo=UTC)


def url(n: int) -> str:
    return f"https://baohaiduong.vn/bai-viet-so-{n}-{390000 + n}.html"


class DictIndex:
    """Stored articles as a dict (the store's ``known`` contract)."""

    def __init__(self, known: dict[str, KnownArticle]) -> None:
        self.known_by_url = {u: k._replace(url=u) for u, k in known.items()}
        self.calls = 0
        self.asked: list[str] = []

    def known(self, site, *, urls=(), source_ids=()):
        self.calls += 1
        urls, ids = set(urls), set(source_ids)
        self.asked += sorted(urls)
        return [k for u, k in self.known_by_url.items() if u in urls or k.source_id in ids]


def known(n: int, published: datetime, seen: datetime | None = None) -> KnownArticle:
    return KnownArticle(str(390000 + n), published.isoformat(), (seen or published).isoformat())


def policy(args=None, stored=None, history=None, **settings) -> CrawlPolicy:
    """A policy as a run would build it: settings, then the run's ``-a`` overrides."""
    parsed = CrawlArguments.parse(args or {})
    return CrawlPolicy(
        SITE,
        parsed,
        replace(PolicySettings.from_settings(None, parsed), **settings),
        history,
        DictIndex(stored or {}),
        now=lambda: NOW,
    )


OLD = NOW - timedelta(days=400)
YESTERDAY = NOW - timedelta(days=1)

# --- request this? -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "stored", "entry", "requested", "counted"),
    [
        pytest.param({}, {}, ListingEntry(url(1)), True, None, id="new-article"),
        pytest.param(
            {},
            {},
            ListingEntry("https://baohaiduong.vn/kinh-te/"),
            False,
            None,
            id="not-an-article",
        ),
        pytest.param(
            {},
            {url(1): known(1, OLD)},
            ListingEntry(url(1)),
            False,
            "skipped/stored",
            id="stored-old",
        ),
        pytest.param(
            {},
            {"https://baohaiduong.vn/other-path-390001.html": known(1, OLD)},
            ListingEntry(url(1)),
            False,
            "skipped/stored",
            id="stored-under-another-url-same-id",
        ),
        pytest.param(
            {}, {url(1): known(1, YESTERDAY)}, ListingEntry(url(1)), True, None, id="stored-recent"
        ),
        pytest.param(
            {"refresh": "none"},
            {url(1): known(1, YESTERDAY)},
            ListingEntry(url(1)),
            False,
            "skipped/stored",
            id="refresh-none",
        ),
        pytest.param(
            {"refresh": "all"},
            {url(1): known(1, OLD)},
            ListingEntry(url(1)),
            True,
            None,
            id="refresh-all",
        ),
        pytest.param(
            {},
            {url(1): known(1, OLD)},
            ListingEntry(url(1), modified_at=(OLD + timedelta(days=1)).isoformat()),
            True,
            "refetched/modified",
            id="sitemap-lastmod-after-last-seen",
        ),
        pytest.param(
            {"since": "2024-10-01"},
            {},
            ListingEntry(url(1), published_at="2024-09-30T10:00:00+07:00"),
            False,
            "skipped/out_of_window",
            id="before-since",
        ),
        pytest.param(
            {"since": "2024-10-01"},
            {},
            ListingEntry(url(1), modified_at="2024-09-29T10:00:00+07:00"),
            False,
            "skipped/out_of_window",
            id="last-changed-before-since",
        ),
        pytest.param(
            {"until": "2024-10-01"},
            {},
            ListingEntry(url(1), published_at="2024-10-02T10:00:00+07:00"),
            False,
            "skipped/out_of_window",
            id="after-until",
        ),
    ],
)
def test_request_this_article(args, stored, entry, requested, counted):
    p = policy(args, stored)
    fetches = p.entries([entry], "listing")
    assert bool(fetches) is requested
    if counted:
        assert p.counts[counted] == 1
    if requested:
        assert fetches == [Fetch(entry.url, "listing", 0)]


def test_an_article_is_requested_once_per_run_whatever_its_url():
    p = policy()
    first = p.entries([ListingEntry(url(1))], "listing")
    again = p.entries([ListingEntry(url(1))], "feed")
    mirror = p.links(["https://baohaiduong.vn/same-story-elsewhere-390001.html"], "home")
    assert len(first) == 1 and again == [] and mirror == []


@pytest.mark.parametrize(
    ("source_id", "key"),
    [
        pytest.param("390001", 390001, id="number"),
        pytest.param("0", 0, id="zero"),
        pytest.param("0390001", "0390001", id="leading-zero-stays-apart-from-390001"),
        pytest.param("abc-12", "abc-12", id="not-a-number"),
        pytest.param("\u0663\u0669\u0660", "\u0663\u0669\u0660", id="non-ascii-digits"),
        pytest.param("9" * 19, "9" * 19, id="longer-than-a-machine-word"),
    ],
)
def test_article_ids_are_kept_as_ints_where_they_are_plain_numbers(source_id, key):
    assert P.id_key(source_id) == key and type(P.id_key(source_id)) is type(key)


def test_an_alias_met_after_the_record_is_out_fetches_the_article_once_more():
    p = policy()
    here = url(1)
    there = here.replace("baohaiduong.vn", "baohaiphong.vn")
    assert p.links([here], "home") == [Fetch(here, "home", 0)]
    assert p.links([there], "related") == []  # before its record: only remembered
    assert p.aliases_of(here, "390001", here) == [there]
    elsewhere = there.replace("bai-viet-so-1", "same-story")
    assert p.links([elsewhere], "related") == [Fetch(here, "alias", 0, again=True)]
    assert p.counts["refetched/alias"] == 1
    assert p.links([elsewhere], "related") == []  # each alias once
    assert p.aliases_of(here, "390001", here) == sorted([there, elsewhere])


def test_an_alias_of_an_article_stored_by_an_earlier_run_is_learned_once():
    """Stored under the new domain by a run that never met its old URL: meeting that URL
    later fetches the article once under its stored URL, so its record gains the alias;
    once the store has it, the old URL costs nothing."""
    new_home = url(1).replace("baohaiduong.vn", "baohaiphong.vn")
    old = url(1).replace("bai-viet-so-1", "bai-cu")
    stored = known(1, OLD)
    p = policy(stored={new_home: stored})
    assert p.links([old], "related") == [Fetch(new_home, "alias", 0)]
    assert p.counts["refetched/alias"] == 1
    assert p.aliases_of(new_home, "390001", new_home, new_home) == [old]
    assert p.links([old], "related") == []  # once a run
    # A later run, the alias stored: nothing to learn, nothing fetched.
    p = policy(stored={new_home: stored._replace(aliases=(old,))})
    assert p.links([old], "related") == []
    assert p.counts.get("refetched/alias", 0) == 0


def test_an_article_stored_on_the_old_domain_met_on_the_new_one_moves_not_aliases():
    old_home = url(1)
    new = url(1).replace("baohaiduong.vn", "baohaiphong.vn")
    p = policy(stored={old_home: known(1, OLD)})
    assert p.links([new], "related") == [Fetch(new, "related", 0)]
    assert p.counts["refetched/moved"] == 1 and p.counts.get("refetched/alias", 0) == 0


def test_the_policy_keeps_one_small_key_per_requested_id():
    """What the policy keeps per requested article grows with the run: a numeric id is an
    int in both id maps, and the URL is the one string the depth map holds."""
    p = policy()
    p.entries([ListingEntry(url(n)) for n in range(3)], "sitemap")
    for n in range(3):
        p.aliases_of(url(n), str(390000 + n), url(n))
    assert set(p._requested_by_id) == p._yielded_ids == {390000, 390001, 390002}
    depth_keys = {id(u) for u in p._depth}
    assert all(id(u) in depth_keys for u in p._requested_by_id.values())


def test_max_articles_stops_requesting():
    p = policy({"max_articles": "2"})
    fetches = p.entries([ListingEntry(url(n)) for n in range(1, 5)], "listing")
    assert [f.url for f in fetches] == [url(1), url(2)]
    assert p.counts["skipped/max_articles"] == 2
    assert p.full


def test_finding_9_dead_links_are_not_requested_until_they_expire():
    dead = RunHistory(dead=frozenset({url(7)}))
    p = policy(history=dead)
    assert p.links([url(7), url(8)], "frontier", depth=1) == [Fetch(url(8), "frontier", 1)]
    assert p.counts["skipped/dead_link"] == 1


def test_one_lookup_per_page_not_one_per_link():
    p = policy(stored={url(1): known(1, OLD)})
    p.entries([ListingEntry(url(n)) for n in range(1, 30)], "listing")
    assert p.index.calls == 1


def test_links_the_run_decided_on_are_not_looked_up_again():
    p = policy()
    p.entries([ListingEntry(url(n)) for n in range(1, 5)], "listing")
    assert p.index.calls == 1
    # A page relating articles already requested (one under another URL of its id)
    # needs no lookup; one new link among them is the only URL asked for.
    other_url = f"https://baohaiduong.vn/tieu-de-khac-{390000 + 2}.html"
    assert p.parsed(url(1), url(1), [url(3), other_url]) == []
    assert p.index.calls == 1
    fetched = p.parsed(url(3), url(3), [url(4), url(9)])
    assert [f.url for f in fetched] == [url(9)]
    assert p.index.asked[-1:] == [url(9)] and p.index.calls == 2


# --- refetch this? -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("published", "recent"),
    [
        pytest.param(NOW - timedelta(days=1), True, id="yesterday"),
        pytest.param(NOW - timedelta(days=2, hours=23), True, id="inside-3-days"),
        pytest.param(NOW - timedelta(days=3, hours=1), False, id="outside-3-days"),
        pytest.param(NOW + timedelta(hours=6), True, id="hours-ahead-clock-skew"),
        pytest.param(NOW + timedelta(days=2), False, id="days-ahead"),
        pytest.param(datetime(2999, 1, 1, tzinfo=UTC), False, id="finding-9-dated-2999"),
        pytest.param(None, False, id="no-date"),
    ],
)
def test_finding_9_future_dates_are_not_recent(published, recent):
    p = policy()
    assert p.is_recent(published.isoformat() if published else None) is recent


def test_finding_9_an_article_dated_2999_is_not_refetched():
    p = policy(stored={url(1): known(1, datetime(2999, 1, 1, tzinfo=UTC), seen=OLD)})
    assert p.entries([ListingEntry(url(1))], "listing") == []
    assert p.counts["skipped/stored"] == 1


# --- read the next page? --------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "history", "stored", "entries", "priority", "counted"),
    [
        pytest.param(
            {}, None, {}, [ListingEntry(url(1))], P.NEXT_PAGE_PRIORITY, None, id="new-on-page"
        ),
        pytest.param(
            {},
            None,
            {url(1): known(1, OLD), url(2): known(2, OLD)},
            [ListingEntry(url(1)), ListingEntry(url(2))],
            None,
            "paging_stopped/all_stored",
            id="all-stored",
        ),
        pytest.param(
            {},
            RunHistory(previous_complete=False),
            {url(1): known(1, OLD)},
            [ListingEntry(url(1))],
            P.NEXT_PAGE_PRIORITY,
            None,
            id="all-stored-but-last-run-killed",
        ),
        pytest.param(
            {"refresh": "all"},
            None,
            {url(1): known(1, OLD)},
            [ListingEntry(url(1))],
            P.NEXT_PAGE_PRIORITY,
            None,
            id="all-stored-refresh-all",
        ),
        pytest.param(
            {"since": "2024-10-01"},
            None,
            {},
            [ListingEntry(url(1), published_at="2024-09-01T00:00:00+07:00")],
            None,
            "paging_stopped/since",
            id="older-than-since",
        ),
        pytest.param(
            {"since": "2024-09-01"},
            None,
            {},
            [ListingEntry(url(1), published_at="2024-10-01T00:00:00+07:00")],
            P.NEXT_PAGE_PRIORITY,
            None,
            id="since-pages-after-articles",
        ),
        pytest.param({}, None, {}, [], None, None, id="empty-page"),
    ],
)
def test_read_the_next_page(args, history, stored, entries, priority, counted):
    p = policy(args, stored, history)
    assert p.next_page(entries) == priority
    if counted:
        assert p.counts[counted] == 1


def test_undated_links_are_judged_by_id_once_bounds_are_learned():
    p = policy({"since": "2024-10-01", "until": "2024-10-10"})
    p.learn("390010", "2024-09-01T08:00:00+07:00")  # well before since: floor
    p.learn("390050", "2024-10-20T08:00:00+07:00")  # well after until: ceiling
    p.learn("390020", "2024-09-30T08:00:00+07:00")  # too close to since: not learned
    assert (p.id_floor, p.id_ceiling) == (390010, 390050)
    fetched = p.links([url(5), url(10), url(11), url(49), url(50), url(60)], "home")
    assert [f.url for f in fetched] == [url(11), url(49)]
    assert p.next_page([ListingEntry(url(9))]) is None  # older than since, by id


def test_dated_links_teach_the_id_bounds_too():
    p = policy({"until": "2024-10-10"})
    p.entries([ListingEntry(url(50), published_at="2024-10-19T08:00:00+07:00")], "feed")
    assert p.id_ceiling == 390050
    assert p.links([url(60)], "home") == []


@pytest.mark.parametrize(
    ("args", "last"),
    [
        pytest.param({}, False, id="no-window"),
        pytest.param({"since": "2024-10-01"}, True, id="since"),
        pytest.param({"until": "2024-10-01"}, True, id="until"),
    ],
)
def test_sitemaps_wait_for_dated_pages_when_a_window_is_set(args, last):
    assert policy(args).sitemaps_last is last


def test_ids_are_not_learned_on_a_portal_whose_ids_do_not_follow_time(monkeypatch):
    p = policy({"since": "2024-10-01"})
    monkeypatch.setattr(p.site, "ids_increase_with_time", False)
    p.learn("390010", "2024-01-01T08:00:00+07:00")
    assert p.id_floor is None


# --- read this sitemap file? ---------------------------------------------------------

BASELINE = RunHistory(baseline_started=NOW - timedelta(days=1))


@pytest.mark.parametrize(
    ("args", "history", "lastmod", "depth", "read", "counted"),
    [
        pytest.param({}, None, None, 0, True, None, id="root"),
        pytest.param({}, None, None, 1, True, None, id="part-first-run"),
        pytest.param(
            {},
            BASELINE,
            (NOW - timedelta(days=30)).isoformat(),
            1,
            False,
            "skipped/sitemap_unchanged",
            id="part-unchanged-since-clean-run",
        ),
        pytest.param(
            {},
            BASELINE,
            (NOW - timedelta(hours=30)).isoformat(),
            1,
            True,
            None,
            id="part-changed-within-a-days-margin",
        ),
        pytest.param(
            {"refresh": "all"},
            BASELINE,
            (NOW - timedelta(days=30)).isoformat(),
            1,
            True,
            None,
            id="refresh-all-reads-every-part",
        ),
        pytest.param(
            {},
            RunHistory(baseline_started=NOW - timedelta(days=1), previous_complete=False),
            (NOW - timedelta(days=30)).isoformat(),
            1,
            True,
            None,
            id="previous-run-killed",
        ),
        pytest.param(
            {"since": "2024-10-01"},
            None,
            "2024-09-20T00:00:00+00:00",
            1,
            False,
            "skipped/out_of_window",
            id="part-older-than-since",
        ),
        pytest.param({}, None, None, 4, False, "skipped/sitemap_too_deep", id="finding-9-too-deep"),
    ],
)
def test_read_this_sitemap(args, history, lastmod, depth, read, counted):
    p = policy(args, history=history)
    assert p.sitemap(lastmod, depth) is read
    if counted:
        assert p.counts[counted] == 1


def test_finding_9_sitemap_files_per_run_are_capped():
    p = policy(sitemap_max_files=5)
    reads = [p.sitemap(None, 1) for _ in range(8)]
    assert reads == [True] * 5 + [False] * 3
    assert p.counts["skipped/sitemap_limit"] == 3


# --- the related-link frontier -------------------------------------------------------


def test_related_links_are_followed_to_the_depth_limit():
    p = policy(related_depth=2)
    [first] = p.entries([ListingEntry(url(1))], "listing")
    hop1 = p.parsed(url(1), url(1), [url(2)])
    hop2 = p.parsed(url(2), url(2), [url(3)])
    hop3 = p.parsed(url(3), url(3), [url(4)])
    assert first.depth == 0
    assert hop1 == [Fetch(url(2), "related", 1)]
    assert hop2 == [Fetch(url(3), "related", 2)]
    assert hop3 == []


def test_an_article_found_closer_later_extends_the_crawl():
    p = policy(related_depth=1)
    p.entries([ListingEntry(url(1))], "listing")
    p.parsed(url(1), url(1), [url(2)])
    assert p.parsed(url(2), url(2), [url(3)]) == []  # at the depth limit
    # url(2) turns up on a listing: depth 0, so its related links now get a hop.
    assert p.entries([ListingEntry(url(2))], "listing") == [Fetch(url(3), "related", 1)]


def test_the_hop_a_request_carried_wins_when_it_is_closer():
    """In a fleet another worker may ask for a page this worker asked for deeper: the
    request's own hop (closer to a listing) decides how far its related links go."""
    p = policy(related_depth=1)
    p.entries([ListingEntry(url(1))], "listing")
    p.parsed(url(1), url(1), [url(2)])  # url(2) asked for at hop 1, the limit
    assert p.parsed(url(2), url(2), [url(3)], hop=0) == [Fetch(url(3), "related", 1)]
    # A page this worker never asked for (another worker did) keeps the request's hop.
    assert p.parsed(url(7), url(7), [url(8)], hop=1) == []
    assert p.parsed(url(9), url(9), [url(10)], hop=0) == [Fetch(url(10), "related", 1)]


def test_in_a_fleet_a_page_found_closer_before_it_was_read_is_asked_for_again():
    """Asked for at the limit, then met on a listing before this worker read it: another
    worker may read it at the deeper hop, so the fleet is asked again at hop 0."""
    p = policy(related_depth=1, shared_frontier=True)
    p.entries([ListingEntry(url(1))], "listing")
    p.parsed(url(1), url(1), [url(2)])  # url(2) asked for at hop 1
    assert p.entries([ListingEntry(url(2))], "listing") == [Fetch(url(2), "listing", 0)]
    # One process alone reads it at the hop it knows best (0 now): nothing to ask again.
    alone = policy(related_depth=1)
    alone.entries([ListingEntry(url(1))], "listing")
    alone.parsed(url(1), url(1), [url(2)])
    assert alone.entries([ListingEntry(url(2))], "listing") == []
    assert alone.parsed(url(2), url(2), [url(3)]) == [Fetch(url(3), "related", 1)]


def test_related_depth_zero_follows_nothing():
    p = policy({"related_depth": "0"})
    p.entries([ListingEntry(url(1))], "listing")
    assert p.parsed(url(1), url(1), [url(2)]) == []


def test_stored_related_links_are_not_requested():
    p = policy(stored={url(2): known(2, OLD)})
    p.entries([ListingEntry(url(1))], "listing")
    assert p.parsed(url(1), url(1), [url(2), url(3)]) == [Fetch(url(3), "related", 1)]


# --- sections and priorities ----------------------------------------------------------


def test_a_section_is_requested_once():
    p = policy()
    assert [p.section("kinh-te"), p.section("kinh-te"), p.section(None)] == [True, False, False]


def test_finding_4_priorities_put_discovery_before_articles_before_sitemaps():
    # A listing's next page comes after the articles found so far (the scheduler holds
    # a page of them per listing, not every article of every listing), before sitemaps.
    assert (
        P.HOME_PRIORITY
        > P.FEED_PRIORITY
        > P.LISTING_PRIORITY
        > P.ARTICLE_PRIORITY
        > P.NEXT_PAGE_PRIORITY
        > P.SITEMAP_PRIORITY
    )


def test_articles_this_run_stored_do_not_stop_paging():
    """A page whose articles this run stored already (its feed named them first, or the
    page's articles were fetched before its next page) says nothing of older pages."""
    earlier = known(1, OLD)._replace(first_seen_at=(NOW - timedelta(days=2)).isoformat())
    this_run = known(2, OLD)._replace(first_seen_at=(NOW + timedelta(seconds=5)).isoformat())
    entries = [ListingEntry(url(1)), ListingEntry(url(2))]
    p = policy(stored={url(1): earlier, url(2): this_run})
    assert p.next_page(entries) == P.NEXT_PAGE_PRIORITY
    assert p.counts["paging_stopped/all_stored"] == 0
    p = policy(stored={url(1): earlier, url(2): earlier})
    assert p.next_page(entries) is None
    assert p.counts["paging_stopped/all_stored"] == 1


def test_settings_come_from_scrapy_style_settings_with_argument_overrides():
    args = CrawlArguments.parse({"refresh": "none", "related_depth": "1"})
    s = PolicySettings.from_settings(
        {"NEWSBOT_REFRESH": "all", "NEWSBOT_REFRESH_DAYS": "5", "NEWSBOT_SITEMAP_MAX_DEPTH": "2"},
        args,
    )
    assert (s.refresh, s.refresh_days, s.related_depth, s.sitemap_max_depth) == ("none", 5.0, 1, 2)
    assert PolicySettings.from_settings({}).refresh == "recent"


def test_policy_lookups_against_a_real_store(store):
    from tests.store.factories import article

    rec = article(3)
    store.write_batch([rec], "r1")
    p = CrawlPolicy(SITE, CrawlArguments(), PolicySettings(), index=store, now=lambda: NOW)
    other_url = "https://m.baohaiduong.vn/chinh-tri/khac-" + rec["source_id"]
    found = p.stored([rec["url"], url(99), other_url])
    assert set(found) == {rec["url"], other_url}  # by URL, and by (site, source_id)
    assert found[rec["url"]].source_id == rec["source_id"]
    assert date.fromisoformat(found[rec["url"]].published_at[:10]) == date(2021, 1, 22)
