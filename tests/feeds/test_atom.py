from datetime import UTC, datetime

import pytest
from lxml import etree

from newsbot.feeds.atom import render_atom, write_atom
from newsbot.feeds.selection import latest

from .conftest import make_article

NS = {"a": "http://www.w3.org/2005/Atom"}


def parse(data: bytes) -> etree._Element:
    return etree.fromstring(data)


def entry_ids(root) -> list[str]:
    return root.xpath("a:entry/a:id/text()", namespaces=NS)


META = {"title": "baohaiduong: Xã hội", "feed_id": "urn:newsbot:feed:xa-hoi"}


def test_entries_in_order_without_duplicates():
    records = [make_article(n) for n in range(150)]
    records.append(make_article(200, duplicate_of=records[0]["url"]))
    records.append(make_article(149))  # the same article listed twice
    root = parse(render_atom(latest(records, 100), **META))

    ids = entry_ids(root)
    assert ids == [make_article(n)["url"] for n in range(149, 49, -1)]
    assert len(set(ids)) == 100
    assert make_article(200)["url"] not in ids


def test_entry_fields(current_article):
    root = parse(render_atom([current_article], **META, home_url="https://baohaiduong.vn/"))
    (entry,) = root.xpath("a:entry", namespaces=NS)

    def one(path):
        (value,) = entry.xpath(path, namespaces=NS)
        return value

    assert one("a:id/text()") == current_article["url"]
    assert one("a:link/@href") == current_article["url"]
    assert one("a:title/text()") == current_article["title"]
    assert one("a:published/text()") == "2024-10-04T10:15:00+07:00"
    assert one("a:updated/text()") == "2024-10-04T14:02:31+07:00"
    assert one("a:author/a:name/text()") == "Minh Ngọc"
    assert one("a:summary/text()") == current_article["lead"]
    assert one("a:summary/@type") == "text"
    assert one("a:content/text()") == current_article["body"]
    assert one("a:content/@type") == "text"
    assert entry.xpath("a:category/@term", namespaces=NS) == current_article["tags"]
    # The feed's own metadata, which RFC 4287 requires.
    assert root.xpath("a:id/text()", namespaces=NS) == ["urn:newsbot:feed:xa-hoi"]
    assert root.xpath("a:title/text()", namespaces=NS) == ["baohaiduong: Xã hội"]
    assert root.xpath("a:updated/text()", namespaces=NS) == ["2024-10-04T14:02:31+07:00"]
    assert root.xpath("a:author/a:name/text()", namespaces=NS) == ["baohaiduong: Xã hội"]


@pytest.mark.parametrize(
    ("overrides", "check"),
    [
        pytest.param(
            {"body": "Đoạn\x0bmột\x00 và\x1f hai\ufffe"},
            lambda e: e.xpath("a:content/text()", namespaces=NS) == ["Đoạnmột và hai"],
            id="xml-forbidden-control-chars-stripped",
        ),
        pytest.param(
            {"author": None},
            lambda e: e.xpath("a:author", namespaces=NS) == [],
            id="no-byline-uses-feed-author",
        ),
        pytest.param(
            {"lead": ""},
            lambda e: e.xpath("a:summary", namespaces=NS) == [],
            id="empty-lead-no-summary",
        ),
        pytest.param(
            {"title": ""},
            lambda e: e.xpath("a:title/text()", namespaces=NS) == [make_article(1)["url"]],
            id="empty-title-falls-back-to-url",
        ),
        pytest.param(
            {"tags": []},
            lambda e: e.xpath("a:category", namespaces=NS) == [],
            id="no-tags",
        ),
        pytest.param(
            {"body": "<p>Không phải HTML & “ký tự”</p>"},
            lambda e: (
                e.xpath("a:content/text()", namespaces=NS) == ["<p>Không phải HTML & “ký tự”</p>"]
            ),
            id="markup-like-text-escaped",
        ),
        pytest.param(
            {"published_at": "2024-10-04T03:00:00Z"},
            lambda e: e.xpath("a:published/text()", namespaces=NS) == ["2024-10-04T03:00:00+00:00"],
            id="utc-publish-time",
        ),
    ],
)
def test_entry_quirks(overrides, check):
    root = parse(render_atom([make_article(1, **overrides)], **META))
    (entry,) = root.xpath("a:entry", namespaces=NS)
    assert check(entry)


def test_utf8_without_character_references():
    data = render_atom([make_article(1)], **META)
    assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    assert "Bài viết số 1".encode() in data
    assert b"&#" not in data


def test_same_records_same_bytes_and_empty_feed_is_valid():
    records = [make_article(n) for n in range(5)]
    assert render_atom(records, **META) == render_atom(list(records), **META)
    fixed = datetime(2024, 10, 5, tzinfo=UTC)
    root = parse(render_atom([], **META, updated=fixed))
    assert entry_ids(root) == []
    assert root.xpath("a:updated/text()", namespaces=NS) == ["2024-10-05T00:00:00+00:00"]


def test_write_atom_only_when_changed(tmp_path):
    path = tmp_path / "xa-hoi.atom"
    assert write_atom(path, [make_article(1)], **META) is True
    assert write_atom(path, [make_article(1)], **META) is False
    assert write_atom(path, [make_article(2), make_article(1)], **META) is True
    assert len(entry_ids(parse(path.read_bytes()))) == 2
