"""FetchedPageMiddleware: keeps the page each item was parsed from beside the item.

A spider middleware, because it is the one place that sees a callback's response and
the items it yields together: it hands ``(item, response.url, response.body)`` to the
run state (:meth:`newsbot.pipelines.run.RunState.keep_page`), so the raw HTML reaches
the store's ``raw_pages`` (for ``newsbot reparse``) without ever being a field of the
item, and so never reaches ``-O``/``FEEDS`` files or logs.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any

from itemadapter import is_item
from scrapy.http import Response

from newsbot.pipelines.run import RunState


class FetchedPageMiddleware:
    def __init__(self, state: RunState) -> None:
        self.state = state

    @classmethod
    def from_crawler(cls, crawler: Any) -> FetchedPageMiddleware:
        return cls(RunState.of(crawler))

    def _keep(self, response: Response, output: Any) -> Any:
        if is_item(output) and not isinstance(output, dict | list):
            self.state.keep_page(output, response.url, response.body)
        return output

    def process_spider_output(
        self, response: Response, result: Iterable[Any], spider: Any = None
    ) -> Iterator[Any]:
        for output in result:
            yield self._keep(response, output)

    async def process_spider_output_async(
        self, response: Response, result: AsyncIterator[Any], spider: Any = None
    ) -> AsyncIterator[Any]:
        async for output in result:
            yield self._keep(response, output)
