"""DedupPipeline: fingerprints each record and marks near-duplicates before storing.

Thin Scrapy glue over :class:`newsbot.store.dedup.Deduplicator` (shared with
``reparse``): it adds ``_content_hash`` and ``_signature`` to the item and, for an
article not stored yet whose text is a near-copy of a stored story (MinHash LSH,
``NEWSBOT_NEAR_DUP_THRESHOLD``), ``duplicate_of`` = the earlier publication's URL.
Exact re-crawls and edits are decided by the store when it writes the record.
"""

from __future__ import annotations

from typing import Any

from itemadapter import ItemAdapter

from newsbot.pipelines.run import RunRecorder


class DedupPipeline:
    def __init__(self, recorder: RunRecorder) -> None:
        self.recorder = recorder

    @classmethod
    def from_crawler(cls, crawler: Any) -> DedupPipeline:
        return cls(RunRecorder.for_crawler(crawler))

    def process_item(self, item: Any, spider: Any = None) -> Any:
        self.recorder.dedup.annotate(ItemAdapter(item))
        return item
