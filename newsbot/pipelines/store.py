"""StorePipeline: writes records to the store in batches and records the run.

Opening the pipeline starts the run (lock, ``crawl_runs`` row; see
:mod:`newsbot.pipelines.run`); each item is buffered and written
``NEWSBOT_STORE_BATCH`` at a time, one transaction per batch; closing writes the
rest. Items pass on unchanged, so a later pipeline may still see them.
"""

from __future__ import annotations

from typing import Any

from newsbot.pipelines.run import RunRecorder


class StorePipeline:
    def __init__(self, recorder: RunRecorder) -> None:
        self.recorder = recorder

    @classmethod
    def from_crawler(cls, crawler: Any) -> StorePipeline:
        return cls(RunRecorder.for_crawler(crawler))

    def open_spider(self, spider: Any = None) -> None:
        spider = spider or self.recorder.crawler.spider
        self.recorder.start(spider)

    def process_item(self, item: Any, spider: Any = None) -> Any:
        self.recorder.add(item)
        return item

    def close_spider(self, spider: Any = None) -> None:
        self.recorder.flush()
