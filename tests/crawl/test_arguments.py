"""``-a`` arguments: one row per argument a user (or a scheduler) gives."""

from __future__ import annotations

from datetime import date

import pytest

from newsbot.crawl.arguments import DISCOVERY, ArgumentError, CrawlArguments, section_slugs


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        pytest.param({"since": "yesterday"}, "expected YYYY-MM-DD", id="since-not-a-date"),
        pytest.param({"until": "2021-13-01"}, "expected YYYY-MM-DD", id="until-month-13"),
        pytest.param({"refresh": "sometimes"}, "all, recent, none", id="refresh-unknown"),
        pytest.param({"max_articles": "ten"}, "whole number", id="max-articles-not-a-number"),
        pytest.param({"related_depth": "-1"}, "whole number", id="negative-depth"),
        pytest.param({"sinse": "2021-01-01"}, "unknown argument", id="misspelt-argument"),
        pytest.param({"sections": "chính trị"}, "not a section slug", id="section-name-not-slug"),
        pytest.param({"discover": "home,rss"}, "unknown rss", id="discover-unknown-source"),
        pytest.param(
            {"since": "2022-01-02", "until": "2022-01-01"}, "is after", id="since-after-until"
        ),
    ],
)
def test_bad_arguments_are_refused_with_a_reason(raw, message):
    with pytest.raises(ArgumentError, match=message):
        CrawlArguments.parse(raw)


def test_scrapyd_job_argument_is_accepted_and_recorded_not_refused():
    args = CrawlArguments.parse({"_job": "6487ec79947e11e7", "_version": "r3", "since": None})
    assert args.scheduler == {"_job": "6487ec79947e11e7", "_version": "r3"}
    assert args.given == {}
    assert not args.restricting
    assert args.recorded() == {"_job": "6487ec79947e11e7", "_version": "r3"}


@pytest.mark.parametrize(
    ("raw", "restricting"),
    [
        pytest.param({}, False, id="nothing"),
        pytest.param({"refresh": "all"}, False, id="refresh-is-not-a-restriction"),
        pytest.param({"related_depth": "0"}, False, id="depth-is-not-a-restriction"),
        pytest.param({"sections": "kinh-te"}, True, id="sections"),
        pytest.param({"max_articles": "5"}, True, id="max-articles"),
        pytest.param({"until": "2021-01-01"}, True, id="until"),
        pytest.param({"discover": "feeds"}, True, id="discover"),
    ],
)
def test_which_arguments_restrict_a_run(raw, restricting):
    assert CrawlArguments.parse(raw).restricting is restricting


def test_good_arguments_are_parsed_to_values():
    args = CrawlArguments.parse(
        {
            "since": "2021-01-01",
            "until": "2021-12-31",
            "refresh": "all",
            "max_articles": "50",
            "related_depth": "0",
            "sections": "Chinh-Tri, kinh-te",
            "discover": "home, feeds",
        }
    )
    assert (args.since, args.until) == (date(2021, 1, 1), date(2021, 12, 31))
    assert (args.refresh, args.max_articles, args.related_depth) == ("all", 50, 0)
    assert args.sections == ("chinh-tri", "kinh-te")
    assert args.discover == {"home", "feeds"}


def test_no_arguments_discover_everything():
    assert CrawlArguments.parse({}).discover == set(DISCOVERY)


def test_section_slugs_forgive_case_and_spaces():
    assert section_slugs(" Chinh-Tri, kinh-te ,") == ["chinh-tri", "kinh-te"]
