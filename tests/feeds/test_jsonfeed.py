import json

import pytest

from newsbot.feeds.jsonfeed import JSON_FEED_VERSION, json_feed_item, render_json_feed
from newsbot.feeds.selection import latest

from .conftest import make_article


def test_required_fields_and_items(current_article):
    # The specimen (10:15) sorts between article 3 (11:00) and article 2 (10:00).
    records = [make_article(n) for n in range(120)] + [current_article]
    records.append(make_article(300, duplicate_of=current_article["url"]))
    data = render_json_feed(
        latest(records, 120),
        title="baohaiduong",
        home_page_url="https://baohaiduong.vn/",
        feed_url="https://feeds.example/all.json",
    )
    feed = json.loads(data)

    # Required by JSON Feed 1.1: version, title, items; each item an id (string).
    assert feed["version"] == "https://jsonfeed.org/version/1.1" == JSON_FEED_VERSION
    assert feed["title"] == "baohaiduong"
    assert feed["home_page_url"] == "https://baohaiduong.vn/"
    assert feed["feed_url"] == "https://feeds.example/all.json"
    assert feed["language"] == "vi"
    items = feed["items"]
    assert len(items) == 120
    assert all(isinstance(i["id"], str) and i["id"] for i in items)
    assert all("content_text" in i or "content_html" in i for i in items)
    ids = [i["id"] for i in items]
    assert len(set(ids)) == 120
    assert ids[0] == make_article(119)["url"]
    # 121 candidates, limit 120: the oldest (article 0) is cut.
    assert ids[-4:] == [make_article(3)["url"], current_article["url"]] + [
        make_article(n)["url"] for n in (2, 1)
    ]
    assert make_article(300)["url"] not in ids
    assert "\\u" not in data.decode("utf-8")


def test_item_fields(current_article):
    item = json_feed_item(current_article)
    assert item == {
        "id": current_article["url"],
        "url": current_article["url"],
        "title": current_article["title"],
        "summary": current_article["lead"],
        "content_text": current_article["body"],
        "date_published": "2024-10-04T10:15:00+07:00",
        "date_modified": "2024-10-04T14:02:31+07:00",
        "authors": [{"name": "Minh Ngọc"}],
        "tags": ["học tập suốt đời", "văn hóa đọc"],
        "image": "https://bhd.1cdn.vn/2024/10/04/img_7722(1).jpg",
        "language": "vi",
    }


@pytest.mark.parametrize(
    ("overrides", "absent", "present"),
    [
        pytest.param({"images": []}, ["image"], {}, id="no-images-no-image"),
        pytest.param({"author": None}, ["authors"], {}, id="no-byline-no-authors"),
        pytest.param({"tags": []}, ["tags"], {}, id="no-tags-key-left-out"),
        pytest.param({"lead": None}, ["summary"], {}, id="no-lead"),
        pytest.param(
            {"body": ""}, [], {"content_text": ""}, id="empty-body-still-has-content-text"
        ),
        pytest.param(
            {"images": [{"url": None, "caption": "x"}, {"url": "https://bhd.1cdn.vn/b.jpg"}]},
            [],
            {"image": "https://bhd.1cdn.vn/b.jpg"},
            id="first-image-with-a-url",
        ),
        pytest.param(
            {},
            [],
            {"date_modified": "2024-10-04T09:00:00+07:00"},
            id="date-modified-falls-back-to-published",
        ),
    ],
)
def test_item_quirks(overrides, absent, present):
    item = json_feed_item(make_article(1, **overrides))
    for key in absent:
        assert key not in item
    for key, value in present.items():
        assert item[key] == value
    assert None not in item.values()
