"""An article of the publisher's old domain met on the new one: one row, moved.

Both engines: the row (with its versions, raw page and signature) moves to the URL the
record names when the record lists the stored URL among its ``aliases``; aliases
accumulate; a record without aliases never moves a row.
"""

from __future__ import annotations

from tests.store.factories import article

OLD = "https://baohaiduong.vn/chinh-tri/bai-viet-so-1-150101"
NEW = "https://baohaiphong.vn/bai-viet-so-1-150101.html"


def test_met_on_the_new_domain_the_row_moves(store):
    assert store.write_batch([article(1)], "run-1") == ["new"]
    moved = article(1, url=NEW, aliases=[OLD])
    assert store.write_batch([moved], "run-2") == ["updated"]
    rows = list(store.iter_articles())
    assert [(r["url"], r.get("aliases")) for r in rows] == [(NEW, [OLD])]
    assert rows[0]["version"] == 1  # same text: no new version, the old one moved along
    assert [v["version"] for v in store.versions(NEW)] == [1]
    assert store.versions(OLD) == []


def test_aliases_accumulate_and_stay(store):
    store.write_batch([article(1, url=NEW, aliases=[OLD])], "run-1")
    other = "https://m.baohaiduong.vn/chinh-tri/bai-khac-150101"
    store.write_batch([article(1, url=NEW, aliases=[other])], "run-2")
    store.write_batch([article(1, url=NEW)], "run-3")
    [row] = list(store.iter_articles())
    assert row["aliases"] == [OLD, other]


def test_without_aliases_a_row_keeps_its_url(store):
    store.write_batch([article(1)], "run-1")
    store.write_batch([article(1, url=NEW)], "run-2")  # same id, no alias: not a move
    [row] = list(store.iter_articles())
    assert row["url"] == OLD
    assert "aliases" not in row
