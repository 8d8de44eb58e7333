"""``-a`` arguments: one row per argument a user (or a scheduler) gives."""

from __future__ import annotations

from datetime import date

import pytest

from newsbot.crawl.arguments import DISCOVERY, ArgumentError, CrawlArguments, section_slugs
from newsbot.sites import get_site, site_names
from newsbot.sites.sections import sections_of


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


# --- one section key: -a sections= takes it and every alias ---------------------------

BAOHAIDUONG = get_site("baohaiduong")


@pytest.mark.parametrize(
    "given",
    [
        pytest.param("khoa-hoc-giao-duc", id="key"),
        pytest.param("khoa-hoc---giao-duc", id="portal-slug"),
        pytest.param("Khoa học - Giáo dục", id="name"),
        pytest.param("KHOA HỌC - GIÁO DỤC", id="name-upper-case"),
        pytest.param("khoa hoc - giao duc", id="name-without-diacritics"),
        pytest.param("Khoa-Hoc---Giao-Duc", id="portal-slug-mixed-case"),
    ],
)
def test_sections_take_the_key_and_its_aliases_to_the_portals_listing(given):
    args = CrawlArguments.parse({"sections": f"{given},kinh-te"}, BAOHAIDUONG.sections)
    assert args.sections == ("khoa-hoc---giao-duc", "kinh-te")
    assert "/khoa-hoc---giao-duc/" in BAOHAIDUONG.section_listing_url(args.sections[0])
    # What was given is recorded with the run as given.
    assert args.recorded() == {"sections": f"{given},kinh-te"}


def test_every_declared_section_is_found_by_the_key_newsbot_sections_prints():
    for name in site_names():
        declared = get_site(name).sections
        for section in sections_of(declared):
            parsed = CrawlArguments.parse({"sections": section.key}, declared)
            assert parsed.sections == (section.slug,), (name, section)
            assert CrawlArguments.parse({"sections": section.name}, declared).sections == (
                section.slug,
            )


def test_one_section_given_twice_is_asked_for_once():
    args = CrawlArguments.parse(
        {"sections": "khoa-hoc-giao-duc, Khoa học - Giáo dục,khoa-hoc---giao-duc"},
        BAOHAIDUONG.sections,
    )
    assert args.sections == ("khoa-hoc---giao-duc",)


def test_a_slug_the_profile_does_not_declare_goes_to_the_portal_as_given():
    # The portal's menu may hold sections the profile does not name; the run says so
    # when such a slug has no listing.
    args = CrawlArguments.parse({"sections": "Tin-Moi"}, BAOHAIDUONG.sections)
    assert args.sections == ("tin-moi",)


def test_an_unknown_section_name_is_refused_with_the_nearest_keys():
    with pytest.raises(ArgumentError) as refused:
        CrawlArguments.parse({"sections": "Khoa học và Giáo dục"}, BAOHAIDUONG.sections)
    message = str(refused.value)
    assert "'Khoa học và Giáo dục' is not a section slug or name" in message
    assert "did you mean khoa-hoc-giao-duc?" in message
    with pytest.raises(ArgumentError, match="did you mean chinh-tri"):
        CrawlArguments.parse({"sections": "chính trị"})


@pytest.mark.parametrize(
    ("given", "slug"),
    [
        ("thoi-su", "tin-24h"),
        ("Thời sự", "tin-24h"),
        ("tin-24h", "tin-24h"),
        ("KT", "kt"),
        ("kinh te", "kt"),
    ],
)
def test_a_key_unlike_the_portals_slug_still_finds_the_section(given, slug):
    declared = {"tin-24h": "Thời sự", "kt": "Kinh tế"}
    assert CrawlArguments.parse({"sections": given}, declared).sections == (slug,)
