"""A real Scrapy crawl whose store write cannot finish until the crawl has gone on.

Usage: python crawl_slow_store.py <store target> <stats.json>

The spider yields one article, then keeps ``CHAINS`` chains of page requests going
(``data:`` URLs, so the downloader and the reactor do the work, without a server;
each response asks for the next page) until the store's first batch write has gone on,
``LIMIT`` pages at most. That write waits until ``NEEDED`` more responses have been
parsed since it started (or ``GIVE_UP`` seconds, a safety net, not a measure): a write
on the crawl's thread holds the reactor, so no response arrives while it waits, and
the stats say how many did.
"""

from __future__ import annotations

import json
import sys
import threading

from scrapy import Request, Spider
from scrapy.crawler import CrawlerProcess

from newsbot.store.store import Store
from tests.store.factories import article

CHAINS = 4
LIMIT = 2000
NEEDED = 20
GIVE_UP = 30.0

parsed = 0
enough = threading.Event()
seen_by_write: dict[str, int] = {}
_write = Store.write_batch_results


def slow_write(self, records, run_id):  # type: ignore[no-untyped-def]
    if "start" not in seen_by_write:
        seen_by_write["start"] = parsed
        enough.wait(GIVE_UP)
        seen_by_write["end"] = parsed
    return _write(self, records, run_id)


Store.write_batch_results = slow_write  # type: ignore[method-assign]


class SlowStoreSpider(Spider):
    name = "slowstore"

    async def start(self):
        yield article(1)
        for n in range(CHAINS):
            yield self.page(n)

    def page(self, n: int) -> Request:
        return Request(f"data:text/plain,page-{n}", callback=self.parse, dont_filter=True)

    def parse(self, response):  # type: ignore[no-untyped-def]
        global parsed
        parsed += 1
        if "start" in seen_by_write and parsed - seen_by_write["start"] >= NEEDED:
            enough.set()
        if "end" not in seen_by_write and parsed < LIMIT:
            yield self.page(parsed)


def main() -> None:
    target, out = sys.argv[1:3]
    process = CrawlerProcess(
        {
            "ADDONS": {"newsbot.addon.Newsbot": 0},
            "NEWSBOT_STORE": target,
            "NEWSBOT_STORE_BATCH": 1,
            "CONCURRENT_REQUESTS": 4,
            "TELNETCONSOLE_ENABLED": False,
            "REMOTE_CONTROL_ENABLED": False,
            "LOG_LEVEL": "INFO",
        }
    )
    crawler = process.create_crawler(SlowStoreSpider)
    process.crawl(crawler)
    process.start()
    stats = {k: v for k, v in crawler.stats.get_stats().items() if not hasattr(v, "isoformat")}
    stats["test/parsed_when_write_started"] = seen_by_write.get("start")
    stats["test/parsed_when_write_went_on"] = seen_by_write.get("end")
    with open(out, "w", encoding="utf-8") as fh:
        json.dump(stats, fh, ensure_ascii=False, default=str)


if __name__ == "__main__":
    main()
