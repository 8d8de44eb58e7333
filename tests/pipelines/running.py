"""Crawler helpers for the pipeline tests: a real Scrapy crawler and the item path."""

from __future__ import annotations

import asyncio
import inspect
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

ADDONS = {"ADDONS": {"newsbot.addon.Newsbot": 0}}


class NewsSpider(Spider):
    name = "baohaiduong"


def make_crawler(target: str, spidercls: type[Spider] = NewsSpider, **settings: Any) -> Any:
    """A real crawler (newsbot add-on on) on the store ``target`` whose spider got
    ``-a refresh=recent``."""
    crawler = get_crawler(spidercls, {**ADDONS, "NEWSBOT_STORE": target, **settings})
    crawler.spider = crawler._create_spider(refresh="recent")
    return crawler


async def _through(crawler: Any, pipelines: list[Any], item: Any) -> Any:
    try:
        for pipeline in pipelines:
            item = pipeline.process_item(item)
            if inspect.isawaitable(item):
                item = await item
    except DropItem as exc:
        crawler.signals.send_catch_log(
            signals.item_dropped, item=item, response=None, exception=exc, spider=crawler.spider
        )
        return None
    return item


def run_items(
    crawler: Any,
    items: list[Any],
    reason: str = "finished",
    extra: Sequence[type] = (),
) -> list[Any]:
    """Push items through the four pipelines, then the ``extra`` pipeline classes (built
    after them, as Scrapy builds in priority order), the way the engine does: each item
    on its own task, so items wait for their batch together; then close the spider with
    ``reason``. Returns the pipelines; ``pipelines[0].passed`` lists the items that came
    out of the last pipeline, in order."""
    pipelines = [
        NormalizePipeline(),
        ValidatePipeline.from_crawler(crawler),
        DedupPipeline.from_crawler(crawler),
        StorePipeline.from_crawler(crawler),
    ]
    pipelines += [cls.from_crawler(crawler) for cls in extra]

    async def crawl() -> list[Any]:
        pipelines[3].open_spider()
        crawler.signals.send_catch_log(signals.spider_opened, spider=crawler.spider)
        tasks = []
        for item in items:
            tasks.append(asyncio.ensure_future(_through(crawler, pipelines, item)))
            await asyncio.sleep(0)  # the item reaches the store before the next starts
        # Scrapy closes the pipelines once no item is in flight: the deadline writes
        # the last batch.
        passed = await asyncio.gather(*tasks)
        pipelines[3].close_spider()
        crawler.signals.send_catch_log(signals.spider_closed, spider=crawler.spider, reason=reason)
        return [item for item in passed if item is not None]

    passed = asyncio.run(crawl())
    pipelines[0].passed = passed
    return pipelines
