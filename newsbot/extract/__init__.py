"""Publisher-independent extraction building blocks: pure functions, no Scrapy, no network.

The public entry point is :func:`extract_article` (``newsbot.extract.article``): any
news page as ``(html, url)`` to a record with per-field provenance, no profile needed.
It is imported lazily so that ``newsbot.extract.dates`` and friends stay cheap to import.
"""

from __future__ import annotations

from typing import Any

__all__ = ["ArticleExtraction", "extract_article", "extract_from_tree"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from newsbot.extract import article

        return getattr(article, name)
    raise AttributeError(f"module 'newsbot.extract' has no attribute {name!r}")
