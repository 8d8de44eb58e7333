"""A real Scrapy crawl through the newsbot pipelines, run in a subprocess by the tests.

Usage: python crawl_items.py <store target> <mode> <stats.json>
mode ``items``: the spider yields records from its start (no network) and reports
one given-up request in ``newsbot/errors``; mode ``request``: it would request a
loopback URL (used when the store is locked, so no request may be sent).
"""

from __future__ import annotations

import json
import sys

from scrapy import Request, Spider
from scrapy.crawler import CrawlerProcess

from tests.store.factories import article


class ItemsSpider(Spider):
    name = "itemspider"

    async def start(self):
        if self.mode == "request":
            yield Request("http://127.0.0.1:9/never")
            return
        self.crawler.stats.set_value(
            "newsbot/errors", [{"url": "https://baohaiduong.vn/x-9", "reason": "HTTP 503 x3"}]
        )
        yield article(1)
        yield article(2, body=article(1)["body"])  # same text, other id: near-duplicate
        yield article(3, body="Một bài hoàn toàn khác về thể thao tỉnh nhà.")
        yield article(4, title="")  # dropped: missing_title
        yield article(1)  # the same article again in the run: unchanged


def main() -> None:
    target, mode, out = sys.argv[1:4]
    process = CrawlerProcess(
        {
            "ADDONS": {"newsbot.addon.Newsbot": 0},
            "NEWSBOT_STORE": target,
            "NEWSBOT_STORE_BATCH": 2,
            "TELNETCONSOLE_ENABLED": False,
            "REMOTE_CONTROL_ENABLED": False,
            "LOG_LEVEL": "INFO",
        }
    )
    crawler = process.create_crawler(ItemsSpider)
    process.crawl(crawler, mode=mode)
    process.start()
    stats = {k: v for k, v in crawler.stats.get_stats().items() if not hasattr(v, "isoformat")}
    with open(out, "w", encoding="utf-8") as fh:
        json.dump(stats, fh, ensure_ascii=False, default=str)


if __name__ == "__main__":
    main()
