"""One section key in all three places: ``-a sections=``, ``export --section`` and the
feed file names, for every section every profile declares (the key as ``newsbot
sections`` prints it; the portal's slug and the name as aliases)."""

from __future__ import annotations

import argparse
import contextlib
import io
import json

import pytest

from newsbot.cli import main
from newsbot.crawl.arguments import CrawlArguments
from newsbot.feeds.export import add_export_arguments, run_export
from newsbot.feeds.publish import publish_run
from newsbot.sites import get_site, site_names
from newsbot.store import open_store

from .test_publish import incoming, run


def printed_sections() -> list[tuple[str, dict[str, str]]]:
    """(site, row) of every section, as ``newsbot sections --json`` lists them."""
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    with contextlib.redirect_stdout(out):
        assert main(["sections", "--json"]) == 0
    out.flush()
    listed = json.loads(out.buffer.getvalue().decode("utf-8"))
    return [(site, row) for site, rows in listed.items() for row in rows]


SECTIONS = printed_sections()


def url_of(site: str, n: int) -> str:
    return f"https://{get_site(site).canonical_host}/bai-viet-{n}.html"


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """A store with one article in every declared section of every site, published."""
    root = tmp_path_factory.mktemp("section-key")
    store = open_store(root / "newsbot.db")
    records = [
        incoming(n, site=site, section=row["name"], url=url_of(site, n), source_id=str(n))
        for n, (site, row) in enumerate(SECTIONS)
    ]
    run(store, "run-1", records)
    report = publish_run(store, "run-1", root / "feeds")
    store.close()
    assert report["complete"], report["errors"]
    return root


def export(capsysbinary, *argv: str) -> tuple[int, list[str], str]:
    parser = argparse.ArgumentParser(prog="newsbot export")
    add_export_arguments(parser)
    status = run_export(parser.parse_args(list(argv)))
    out, err = capsysbinary.readouterr()
    urls = [json.loads(line)["url"] for line in out.decode("utf-8").splitlines()]
    return status, urls, err.decode("utf-8")


def test_every_site_declares_sections_to_check():
    assert {site for site, _ in SECTIONS} == set(site_names())
    science = next(r for s, r in SECTIONS if r["name"] == "Khoa học - Giáo dục")
    assert (science["key"], science["slug"]) == ("khoa-hoc-giao-duc", "khoa-hoc---giao-duc")


@pytest.mark.parametrize(
    ("n", "site", "row"),
    [
        pytest.param(n, site, row, id=f"{site}-{row['key']}")
        for n, (site, row) in enumerate(SECTIONS)
    ],
)
def test_one_key_for_crawl_argument_export_and_feed_file(capsysbinary, published, n, site, row):
    key = row["key"]
    profile = get_site(site)

    # 1. -a sections=<key> crawls the section's listing on the portal.
    asked = CrawlArguments.parse({"sections": key}, profile.sections).sections
    assert asked == (row["slug"],)
    assert profile.section_listing_url(asked[0]) == profile.section_listing_url(row["slug"])

    # 2. The feed file is named by the key, and index.json lists it under the name.
    feed = published / "feeds" / site / f"{key}.atom"
    assert feed.is_file()
    index = json.loads((published / "feeds" / "index.json").read_text(encoding="utf-8"))
    assert index["sites"][site]["sections"][row["name"]]["atom"] == f"{site}/{key}.atom"

    # 3. export --section takes the key, and the portal's slug and name as aliases.
    store = str(published / "newsbot.db")
    for spelling in (key, row["slug"], row["name"], row["name"].upper()):
        status, urls, err = export(
            capsysbinary, "--store", store, "--site", site, "--section", spelling
        )
        assert (status, err, urls) == (0, "", [url_of(site, n)]), spelling


def test_an_unknown_section_exits_2_with_the_nearest(capsysbinary, published):
    store = str(published / "newsbot.db")
    status, urls, err = export(
        capsysbinary, "--store", store, "--site", "baohaiduong", "--section", "khoa-hoc-giao"
    )
    assert (status, urls) == (2, [])
    assert "no section 'khoa-hoc-giao' of site 'baohaiduong'" in err
    assert "did you mean 'Khoa học - Giáo dục'?" in err


def test_export_takes_a_portal_slug_unlike_the_key(capsysbinary, published, monkeypatch):
    # No shipped profile has a portal slug that does not slug to its key; a made-up one.
    from newsbot.feeds import export as export_module
    from newsbot.sites.sections import sections_of

    n, (site, row) = next((n, e) for n, e in enumerate(SECTIONS) if e[1]["key"] == "thoi-su")
    monkeypatch.setattr(
        export_module, "_profile_sections", lambda s: sections_of({"tin-24h": row["name"]})
    )
    store = str(published / "newsbot.db")
    status, urls, err = export(
        capsysbinary, "--store", store, "--site", site, "--section", "tin-24h"
    )
    assert (status, err, urls) == (0, "", [url_of(site, n)])
