"""Helpers of the end-to-end tests: the crawl runner and reading the store back."""

from __future__ import annotations

from typing import Any

from replica.crawl import ROOT, CrawlResult, crawl_command, field_differences, run_crawl

__all__ = [
    "ROOT",
    "CrawlResult",
    "crawl_command",
    "field_differences",
    "run_crawl",
    "stored_articles",
]


def stored_articles(store_target: str) -> list[dict[str, Any]]:
    from newsbot.store import open_store

    store = open_store(store_target)
    try:
        return list(store.iter_articles(include_duplicates=True))
    finally:
        store.close()
