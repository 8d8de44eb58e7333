"""Crawler helpers for the pipeline tests: a real Scrapy crawler and the item path."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from scrapy import Spider, signals
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from newsbot.pipelines import (
    DedupPipeline,
    NormalizePipeline,
    StorePipeline,
    ValidatePipeline,
)


class NewsSpider(Spider):
    name = "baohaiduong"


def make_crawler(target: str, spidercls: type[Spider] = NewsSpider, **settings: Any) -> Any:
    """A real crawler on the store ``target`` whose spider got ``-a refresh=recent``."""
    crawler = get_crawler(spidercls, {"NEWSBOT_STORE": target, **settings})
    crawler.spider = crawler._create_spider(refresh="recent")
    return crawler


def run_items(
    crawler: Any,
    items: list[dict[str, Any]],
    reason: str = "finished",
    extra: Sequence[type] = (),
) -> list[Any]:
    """Push items through the four pipelines, then the ``extra`` pipeline classes (built
    after them, as Scrapy builds in priority order), the way the engine does; then close
    the spider with ``reason``. Returns the pipelines."""
    pipelines = [
        NormalizePipeline(),
        ValidatePipeline.from_crawler(crawler),
        DedupPipeline.from_crawler(crawler),
        StorePipeline.from_crawler(crawler),
    ]
    pipelines += [cls.from_crawler(crawler) for cls in extra]
    pipelines[3].open_spider()
    crawler.signals.send_catch_log(signals.spider_opened, spider=crawler.spider)
    for item in items:
        try:
            for pipeline in pipelines:
                item = pipeline.process_item(item)
        except DropItem as exc:
            crawler.signals.send_catch_log(
                signals.item_dropped, item=item, response=None, exception=exc, spider=crawler.spider
            )
    pipelines[3].close_spider()
    crawler.signals.send_catch_log(signals.spider_closed, spider=crawler.spider, reason=reason)
    return pipelines
