"""The generated portal: determinism, ground truth shape, link graph, special articles."""

from __future__ import annotations

import unicodedata
from datetime import timedelta

import pytest

from newsbot.record import OPTIONAL_FIELDS, RECORD_FIELDS
from replica.generator import SECTIONS, Portal, slugify

REQUIRED = set(RECORD_FIELDS) - OPTIONAL_FIELDS


@pytest.fixture(scope="module")
def portal() -> Portal:
    return Portal(300, 1)


def test_same_seed_same_portal(portal):
    assert Portal(300, 1).ground_truth() == portal.ground_truth()


def test_other_seed_other_portal(portal):
    assert Portal(300, 2).ground_truth() != portal.ground_truth()


@pytest.mark.parametrize("size", [10, 300, 5000])
def test_ground_truth_has_one_record_per_article(size):
    records = Portal(size, 7).ground_truth()
    assert len(records) == size
    assert len({r["url"] for r in records}) == size
    assert len({r["source_id"] for r in records}) == size


def test_every_record_has_the_contract_fields(portal):
    for record in portal.ground_truth():
        assert REQUIRED <= record.keys(), record["url"]
        assert set(record) <= set(RECORD_FIELDS)
        assert record["site"] == "baohaiduong" and record["language"] == "vi"
        assert record["url"].startswith("https://baohaiduong.vn/")
        assert record["url"].endswith(record["source_id"]) or record["url"].endswith(
            record["source_id"] + ".html"
        )
        assert record["published_at"].endswith("+07:00") and len(record["published_at"]) == 25
        assert record["title"] and record["lead"] and record["body"] and record["author"]
        for text in (record["title"], record["lead"], record["body"]):
            assert unicodedata.is_normalized("NFC", text)
            assert "  " not in text and "\xa0" not in text
        for image in record["images"]:
            assert image["url"].startswith("https://") and "\\" not in image["url"]
        if "media" in record:
            assert record["media"] and {m["kind"] for m in record["media"]} <= {"audio", "video"}
        if "modified_at" in record:
            assert record["modified_at"] > record["published_at"]


def test_layout_shares_and_url_shapes(portal):
    legacy = [m for m in portal.articles if m.layout == "legacy"]
    current = [m for m in portal.articles if m.layout == "current"]
    assert len(legacy) == 180 and len(current) == 120
    assert all(2019 <= m.published.year <= 2023 for m in legacy)
    assert all(2024 <= m.published.year <= 2025 for m in current)
    assert all(m.path.startswith(f"/{m.section.slug}/") for m in legacy)
    assert all(m.path.endswith(".html") and m.path.count("/") == 1 for m in current)


@pytest.mark.parametrize(
    ("quirk", "check"),
    [
        pytest.param("caption null", lambda r: any(i["caption"] is None for i in r["images"])),
        pytest.param("no images", lambda r: r["images"] == []),
        pytest.param("media", lambda r: "media" in r),
        pytest.param("modified_at", lambda r: "modified_at" in r),
        pytest.param("several authors", lambda r: ", " in r["author"]),
        pytest.param("wire byline", lambda r: r["author"] == "Theo TTXVN"),
        pytest.param("byline PV", lambda r: r["author"] == "PV"),
        pytest.param("no related", lambda r: r["related"] == []),
        pytest.param("four related", lambda r: len(r["related"]) == 4),
        pytest.param("no tags", lambda r: r["tags"] == []),
        pytest.param("document link", lambda r: "Xem toàn văn báo cáo tại đây." in r["body"]),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_quirks_occur_in_a_300_article_portal(portal, quirk, check):
    assert any(check(r) for r in portal.ground_truth()), quirk


def test_hidden_articles_are_reachable_only_through_related_links(portal):
    hidden = set(portal.hidden)
    assert len(hidden) == 15
    listed = set(portal.all_listed)
    assert not hidden & listed
    assert listed | hidden == set(range(len(portal.articles)))
    # Walk related links from the listed articles, two hops at most.
    frontier, reached = set(listed), set(listed)
    for _ in range(2):
        frontier = {j for i in frontier for j in portal.articles[i].related_unique()} - reached
        reached |= frontier
    assert hidden <= reached
    assert any(portal.hidden_parent[h] in hidden for h in hidden), "no depth-2 chain"


def test_related_links_are_zero_to_four_and_never_self(portal):
    for meta in portal.articles:
        related = meta.related_unique()
        assert len(related) <= 4
        assert meta.index not in related


def test_cross_posts_are_listed_in_two_sections(portal):
    assert len(portal.cross_posted) == 15
    for i in portal.cross_posted:
        meta = portal.articles[i]
        assert meta.extra_section not in (None, meta.section)
        slugs = [s.slug for s in SECTIONS if i in portal.listed[s.slug]]
        assert slugs == sorted([meta.section.slug, meta.extra_section.slug], key=_menu_order)
        assert portal.record(i)["section"] == meta.section.name


def _menu_order(slug: str) -> int:
    return [s.slug for s in SECTIONS].index(slug)


def test_listings_are_newest_first(portal):
    for ids in portal.listed.values():
        stamps = [portal.articles[i].published for i in ids]
        assert stamps == sorted(stamps, reverse=True)


def test_near_duplicates_differ_by_one_sentence_or_the_title(portal):
    assert portal.near_duplicates
    for a, b in portal.near_duplicates:
        first, second = portal.record(a), portal.record(b)
        assert first["author"] == second["author"] == "Theo TTXVN"
        assert first["source_id"] != second["source_id"]
        if portal.articles[b].dup_variant == "title":
            assert first["title"] != second["title"] and first["body"] == second["body"]
        else:
            assert first["title"] == second["title"] and first["body"] != second["body"]
            old, new = first["body"].split("\n\n"), second["body"].split("\n\n")
            changed = [k for k, (x, y) in enumerate(zip(old, new, strict=True)) if x != y]
            assert len(changed) == 1 and new[changed[0]].startswith(old[changed[0]])


def test_edit_appends_a_paragraph_and_moves_date_modified(portal):
    local = Portal(30, 5)
    current = next(m for m in local.articles if m.layout == "current")
    before = local.record(current.index)
    local.edit(current.source_id, "Đoạn  văn   bổ sung sau khi biên tập.")
    after = local.record(current.index)
    assert after["body"] == before["body"] + "\n\nĐoạn văn bổ sung sau khi biên tập."
    assert after["modified_at"] > before.get("modified_at", before["published_at"])
    with pytest.raises(KeyError):
        local.edit("1", "x")


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        pytest.param("Bế mạc Hội nghị lần thứ 3", "be-mac-hoi-nghi-lan-thu-3", id="diacritics"),
        pytest.param("Đất và người xứ Đông", "dat-va-nguoi-xu-dong", id="d-stroke"),
        pytest.param("Khoa học - Giáo dục", "khoa-hoc-giao-duc", id="dash"),
        pytest.param("Gần 2.000 học sinh?", "gan-2-000-hoc-sinh", id="punctuation"),
        pytest.param(unicodedata.normalize("NFD", "Tiếng Việt"), "tieng-viet", id="nfd-input"),
    ],
)
def test_slugify(title, slug):
    assert slugify(title) == slug


@pytest.mark.parametrize("size", [9, 100_001])
def test_size_out_of_range_is_refused(size):
    with pytest.raises(ValueError):
        Portal(size, 1)


def test_onecms_edition_builds_in_the_first_minutes_of_a_vietnamese_day():
    """06:00:30 in Hà Nội (23:00:30 UTC): today's span of publication times is under a
    minute, which once made the generator call randrange(0) and every OneCMS test fail."""
    from datetime import datetime

    from replica.onecms import VN_TZ, OneCMSEdition

    for second in (0, 30, 59, 90):
        now = datetime(2026, 6, 1, 6, 0, tzinfo=VN_TZ) + timedelta(seconds=second)
        edition = OneCMSEdition(10, 3, now=now)
        assert edition.stories, second
        assert all(s.meta.published <= now for s in edition.stories), second
