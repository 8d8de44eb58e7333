"""reparse: records rebuilt from kept raw HTML through the same dedup/version logic."""

from __future__ import annotations

import re
from datetime import date

import pytest

from newsbot.reparse import fetch_day, reparse
from newsbot.store import StoreLocked, open_store
from tests.store.factories import article


def page(n, body, author=""):
    return (
        f"<html><h1>Bài {n}</h1><time>2021-01-22T17:11:16+07:00</time>"
        f"<p>{body}</p><b>{author}</b></html>"
    ).encode()


def parser(with_author):
    """A tiny parser for the pages above; ``with_author`` is the "fixed" version."""

    def parse(html: bytes, url: str, fetched_on=None):
        text = html.decode()
        if "<h1>" not in text:
            return None
        n = re.search(r"<h1>Bài (\d+)</h1>", text).group(1)
        record = {
            "url": url.replace("//m.", "//"),
            "source_id": n,
            "site": "baohaiduong",
            "title": f"Bài {n}",
            "published_at": re.search(r"<time>(.*?)</time>", text).group(1),
            "body": re.search(r"<p>(.*?)</p>", text).group(1),
            "language": "vi",
        }
        if with_author:
            record["author"] = re.search(r"<b>(.*?)</b>", text).group(1)
        return record

    return parse


def crawl_with(store, parse, pages):
    """Store what a crawl with ``parse`` would have stored, raw pages included."""
    records = []
    for url, html in pages:
        record = parse(html, url)
        if record and record.get("body"):
            records.append({**record, "_raw_html": html, "_fetched_url": url})
        else:
            store.save_raw_pages([{"url": url, "_fetched_url": url, "_raw_html": html}])
    store.write_batch(records, "crawl-1")


def test_reparse_rebuilds_with_fixed_parser(store):
    pages = [
        ("https://m.baohaiduong.vn/a-1", page(1, "Nội dung một", "PV")),
        ("https://baohaiduong.vn/a-2", page(2, "Nội dung hai", "THÀNH CHUNG")),
        ("https://baohaiduong.vn/a-3", page(3, "", "PV")),  # body lost: dropped at crawl
        ("https://baohaiduong.vn/chuyen-muc/x/1", b"<html>listing</html>"),
    ]
    crawl_with(store, parser(with_author=False), pages)
    assert store.count_articles() == 2
    fixed = parser(with_author=True)

    def parse(html, url, fetched_on=None):
        record = fixed(html, url)
        if record and record["source_id"] == "3":
            record["body"] = "Nội dung ba, tìm lại được"  # the parser fix recovers the body
        return record

    counts = reparse(store, parse, run_id="reparse-1")
    assert counts["pages"] == 4
    assert (counts["parsed"], counts["unparsed"], counts["dropped"]) == (3, 1, 0)
    assert (counts["new"], counts["updated"], counts["unchanged"]) == (1, 2, 0)
    one = store.get_article("https://baohaiduong.vn/a-1")
    assert (one["author"], one["version"]) == ("PV", 1)  # metadata in place, same text
    assert store.get_article("https://baohaiduong.vn/a-3")["body"] == "Nội dung ba, tìm lại được"
    assert store.last_run()["spider"] == "reparse"
    assert store.last_run()["status"] == "finished"
    assert {r["url"] for r in store.iter_run_changes("reparse-1")} == {
        "https://baohaiduong.vn/a-1",
        "https://baohaiduong.vn/a-2",
        "https://baohaiduong.vn/a-3",
    }
    # Reparse saw nothing new on the site: last_seen_at stays the crawl's.
    assert one["last_seen_at"] == store.get_article("https://baohaiduong.vn/a-1")["last_seen_at"]


def test_reparse_twice_changes_nothing(store):
    crawl_with(store, parser(True), [("https://baohaiduong.vn/a-1", page(1, "Một", "PV"))])
    reparse(store, parser(True))
    counts = reparse(store, parser(True))
    assert (counts["unchanged"], counts["new"], counts["updated"]) == (1, 0, 0)
    assert store.count_articles() == 1


def test_parse_error_is_counted_not_fatal(store):
    crawl_with(store, parser(True), [("https://baohaiduong.vn/a-1", page(1, "Một", "PV"))])

    def broken(html, url, fetched_on=None):
        raise ValueError("selector exploded")

    counts = reparse(store, broken)
    assert counts["parse_errors"] == 1
    assert store.last_run()["errors"][0]["reason"] == "parse error: selector exploded"


def test_reparse_gives_each_page_its_fetch_day(store):
    """A profile picks the layout in use on the day a page was fetched, not today's."""
    crawl_with(store, parser(True), [("https://baohaiduong.vn/a-1", page(1, "Một", "PV"))])
    (kept,) = store.iter_raw_pages()
    seen = []

    def parse(html, url, fetched_on=None):
        seen.append(fetched_on)
        return parser(True)(html, url)

    reparse(store, parse)
    assert seen == [date.fromisoformat(kept.fetched_at[:10])]
    assert fetch_day("not a time") is None


def test_reparse_refuses_while_a_run_holds_the_lock(store, store_target):
    other = open_store(store_target)
    try:
        with other.run_lock(), pytest.raises(StoreLocked):
            reparse(store, parser(True))
    finally:
        other.close()


def test_article_factory_is_storable(store):
    # Guards the shared factory other tests rely on.
    assert store.write_batch([article(1)], "r") == ["new"]
