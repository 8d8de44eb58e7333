"""DedupPipeline: fingerprints each record and marks near-duplicates before storing.

Thin Scrapy glue over :class:`newsbot.store.dedup.Deduplicator` (shared with
``reparse``): it asks for the item's write request (see
:meth:`newsbot.pipelines.run.RunState.write_request`) to get the content hash, the
MinHash signature and, for an article not stored yet whose text is a near-copy of a
stored story (MinHash LSH, ``NEWSBOT_NEAR_DUP_THRESHOLD``), ``duplicate_of`` = the
earlier publication's URL. The fingerprints are made by the store writer's thread just
before the record's batch is written (:mod:`newsbot.pipelines.writer`), off the crawl's
thread and in write order. The item itself is not touched: it gets the store's verdict
once written. Exact re-crawls and edits are decided by the store.
"""

from __future__ import annotations

from typing import Any

from newsbot.pipelines.run import RunState


class DedupPipeline:
    def __init__(self, state: RunState) -> None:
        self.state = state

    @classmethod
    def from_crawler(cls, crawler: Any) -> DedupPipeline:
        return cls(RunState.of(crawler))

    def process_item(self, item: Any, spider: Any = None) -> Any:
        self.state.want_dedup(item)
        return item
