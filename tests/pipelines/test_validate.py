"""ValidatePipeline: drops with reasons, coverage and provenance counted for every item."""

from __future__ import annotations

import logging

import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from newsbot.pipelines.validate import ValidatePipeline, missing_reason
from tests.store.factories import article


@pytest.mark.parametrize(
    "changes, reason",
    [
        pytest.param({}, None, id="complete"),
        pytest.param(
            {"author": None, "images": [], "lead": None}, None, id="optional-fields-absent"
        ),
        pytest.param({"title": None}, "missing_title", id="no-title"),
        pytest.param({"title": ""}, "missing_title", id="empty-title"),
        pytest.param({"published_at": None}, "missing_published_at", id="no-date"),
        pytest.param(
            {"published_at": "22/01/2021 17:11"}, "invalid_published_at", id="unparsed-date-line"
        ),
        pytest.param({"body": ""}, "missing_body", id="empty-body"),
        pytest.param({"url": None}, "missing_url", id="no-url"),
    ],
)
def test_missing_reason(changes, reason):
    assert missing_reason(article(1, **changes)) == reason


def test_drop_is_logged_once_and_counted(caplog):
    crawler = get_crawler()
    pipeline = ValidatePipeline.from_crawler(crawler)
    with caplog.at_level(logging.WARNING), pytest.raises(DropItem) as exc:
        pipeline.process_item(article(1, body=None))
    assert str(exc.value).startswith("missing_body: https://baohaiduong.vn/")
    lines = [r.getMessage() for r in caplog.records if article(1)["url"] in r.getMessage()]
    assert lines == [f"dropped {article(1)['url']}: missing_body"]
    assert crawler.stats.get_value("newsbot/dropped/missing_body") == 1


def test_coverage_and_provenance_counted_for_every_item():
    crawler = get_crawler()
    pipeline = ValidatePipeline.from_crawler(crawler)
    pipeline.process_item(article(1))
    pipeline.process_item(article(2, author=None, provenance={"title": "structured:og"}))
    with pytest.raises(DropItem):
        pipeline.process_item(article(3, body=""))
    stats = crawler.stats.get_stats()
    assert stats["newsbot/items_seen"] == 3
    assert stats["newsbot/coverage/title"] == 3
    assert stats["newsbot/coverage/body"] == 2
    assert stats["newsbot/coverage/author"] == 2
    assert "newsbot/coverage/modified_at" not in stats
    assert stats["newsbot/provenance/title/layout:legacy"] == 2
    assert stats["newsbot/provenance/title/structured:og"] == 1
