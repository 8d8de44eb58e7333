"""newsbot.extract.article: the generic entry point over hand-written pages of 8 layouts.

One row per fixture page in ``tests/fixtures/generic`` (named by its quirk): the record
must equal the expected one field by field, provenance included. Then the rules the
rows rely on, one by one, and the regressions of issue 11 named after their finding.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from newsbot import cli
from newsbot.extract import extract_article
from newsbot.extract.article import clean_authors, clean_tags, clean_title

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "generic"
CASES = sorted(p.stem for p in FIXTURES.glob("*.json"))
COMPARED = ("section", "title", "published_at", "modified_at", "lead", "body", "author",
            "images", "related", "media", "tags", "language", "provenance")  # fmt: skip


def spec(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def test_fixture_set_is_diverse():
    assert len(CASES) >= 25
    layouts = {name.split("-")[0] for name in CASES}
    assert {"vi", "en", "de", "fr", "es", "pt"} <= layouts


@pytest.mark.parametrize("name", CASES)
def test_generic_fixture(name: str):
    s = spec(name)
    result = extract_article(
        (FIXTURES / f"{name}.html").read_bytes(), s["url"], **s.get("hints", {})
    )
    assert result.ok, result.error
    record = result.record or {}
    for key in COMPARED:
        assert record.get(key) == s["expected"].get(key), key
    # Every field that has a value names the rule that produced it.
    for key in ("title", "published_at", "lead", "body", "author", "images", "related", "tags"):
        if record.get(key):
            assert ":" in record["provenance"][key]
    if record.get("lead"):
        assert record["lead"] not in (record.get("body") or "")
    json.dumps(record, ensure_ascii=False).encode("utf-8")  # storable: no lone surrogates


def test_no_printed_lead_means_no_lead():
    for name in ("vi-meta-description-not-printed", "es-no-printed-lead", "pt-no-lead-no-tags"):
        assert spec(name)["expected"]["lead"] is None


# fmt: off
TITLES = [
    pytest.param("Rückbau beginnt – Golem.de", ["Golem.de"], (), "Rückbau beginnt", id="site-suffix-dash"),
    pytest.param("Báo Tỉnh Nhà | Lũ về sớm", ["Báo Tỉnh Nhà"], (), "Lũ về sớm", id="site-prefix"),
    pytest.param("Lũ về sớm - Báo X", [], (" - Báo X",), "Lũ về sớm", id="profile-suffix"),
    pytest.param("Golem.de", ["Golem.de"], (), "Golem.de", id="title-is-only-the-site-kept"),
]
AUTHORS = [
    pytest.param("City News", ["City News"], None, id="organisation-is-site"),
    pytest.param("tips@news.example", [], None, id="email"),
    pytest.param("12345", [], None, id="numeric-id"),
    pytest.param("jane-roe", [], None, id="slug"),
    pytest.param("By Jane Roe and John Doe", [], "Jane Roe, John Doe", id="by-and"),
    pytest.param("MINH HẢI", [], "MINH HẢI", id="all-caps-printed-case-kept"),
    pytest.param("TTXVN", [], "TTXVN", id="agency-kept-as-printed"),
    pytest.param("https://x.example/author/a", [], None, id="url"),
]
TAGS = [
    pytest.param(["Category: News", "Energie"], ["Energie"], id="category-noise"),
    pytest.param(["5f2b8c1e-3d4a-4b5c-9e8f-0a1b2c3d4e5f", "a"], ["a"], id="uuid"),
    pytest.param(["Lũ", "lũ", " #Bão "], ["Lũ", "Bão"], id="dupes-and-hash"),
]
# fmt: on


@pytest.mark.parametrize(("title", "sites", "suffixes", "expected"), TITLES)
def test_clean_title(title, sites, suffixes, expected):
    assert clean_title(title, sites, suffixes) == expected


@pytest.mark.parametrize(("value", "sites", "expected"), AUTHORS)
def test_clean_authors(value, sites, expected):
    assert clean_authors(value, sites) == expected


@pytest.mark.parametrize(("values", "expected"), TAGS)
def test_clean_tags(values, expected):
    assert clean_tags(values) == expected


def test_finding_6_breadcrumb_item_url_string_and_surrogate_author():
    name = "vi-jsonld-surrogate-author-breadcrumb-url"
    record = extract_article((FIXTURES / f"{name}.html").read_bytes(), spec(name)["url"]).record
    assert record is not None
    assert record["author"] == "Trần Thu Trang"
    record["author"].encode("utf-8")


def test_finding_10_impossible_printed_date_is_refused_not_guessed():
    name = "vi-impossible-date"
    record = extract_article((FIXTURES / f"{name}.html").read_bytes(), spec(name)["url"]).record
    assert record is not None
    assert record["published_at"] is None
    assert "day 30 out of range" in record["problems"]["published_at"]


def test_finding_1_body_nested_thousands_of_levels_parses_quickly():
    # 1,000 levels of div/span (libxml2 itself keeps at most 2,048 levels of any page).
    deep = "<div><span>" * 500 + "<p>" + "Một đoạn văn bản đủ dài của bài báo. " * 6 + "</p>"
    html = f"<html><body><h1>Bài lồng sâu</h1>{deep}{'</span></div>' * 500}</body></html>"
    start = time.perf_counter()
    for _ in range(3):  # a second parse must not block on state the first one left behind
        result = extract_article(html, "https://x.example/a.html")
        assert result.ok, result.error
    assert time.perf_counter() - start < 30
    assert "Một đoạn văn bản" in result.record["body"]


def test_not_an_article_has_a_reason():
    result = extract_article(
        b"<html><body><h1>404 Not Found</h1></body></html>", "https://x.example/"
    )
    assert not result.ok
    assert result.error
    assert extract_article(b"", "https://x.example/").error == "empty document"


def test_cli_parse_uses_generic_extraction_for_unowned_hosts(capsysbinary):
    name = "en-wordpress-graph-wp-caption"
    code = cli.main(["parse", str(FIXTURES / f"{name}.html"), "--url", spec(name)["url"]])
    out, err = capsysbinary.readouterr()
    assert code == cli.EXIT_OK
    assert b"generic extraction" in err
    assert json.loads(out)["title"] == spec(name)["expected"]["title"]


def test_cli_parse_generic_not_an_article_exit_3(tmp_path, capsysbinary):
    page = tmp_path / "p.html"
    page.write_bytes(b"<html><body><p>x</p></body></html>")
    code = cli.main(["parse", str(page), "--url", "https://x.example/a"])
    _, err = capsysbinary.readouterr()
    assert code == cli.EXIT_NOT_PARSEABLE
    assert b"not a parseable article" in err


def test_extract_from_tree_reads_a_parsed_page_without_changing_it():
    from lxml import etree

    from newsbot.extract import extract_from_tree
    from newsbot.extract.document import load_document

    name = "vi-sapo-figure-related-byline"
    doc, text = load_document((FIXTURES / f"{name}.html").read_bytes())
    before = etree.tostring(doc)
    result = extract_from_tree(doc, text, spec(name)["url"])
    assert etree.tostring(doc) == before
    assert result.record is not None
    assert result.record["images"] == spec(name)["expected"]["images"]
