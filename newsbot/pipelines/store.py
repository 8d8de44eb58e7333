"""StorePipeline: writes records to the store in batches and records the run.

Opening the pipeline starts the run (lock, ``crawl_runs`` row; see
:mod:`newsbot.pipelines.run`); each item waits until its batch is written (one
transaction per batch) and leaves with the store's bookkeeping (``content_hash``,
``version``, ``first_seen_at``, ``last_seen_at``, ``duplicate_of``); closing writes
the rest. An item the store could not write is dropped with the store's reason
(counted in the run's ``store_errors``), so no output shows it as stored.
"""

from __future__ import annotations

from typing import Any

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem
from scrapy.utils.defer import maybe_deferred_to_future

from newsbot.pipelines.run import RunState


class StorePipeline:
    def __init__(self, state: RunState) -> None:
        self.state = state

    @classmethod
    def from_crawler(cls, crawler: Any) -> StorePipeline:
        return cls(RunState.of(crawler))

    def open_spider(self, spider: Any = None) -> None:
        spider = spider or self.state.crawler.spider
        self.state.start(spider)

    async def process_item(self, item: Any, spider: Any = None) -> Any:
        result = await maybe_deferred_to_future(self.state.add(item))
        if result.outcome == "error":
            url = ItemAdapter(item).get("url")
            raise DropItem(f"store_error: {url}: {result.reason}", log_level="DEBUG")
        return item

    def close_spider(self, spider: Any = None) -> None:
        self.state.flush()
