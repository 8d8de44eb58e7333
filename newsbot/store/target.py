"""Where a crawl's store is, and how its runs are named: shared by the crawl, the
feeds, the metrics and every command, so it sits below all of them."""

from __future__ import annotations

import os
import secrets
from datetime import UTC, datetime
from typing import Any

from newsbot.store.store import DEFAULT_TARGET


def store_target(settings: Any) -> str:
    """Where the store is: setting ``NEWSBOT_STORE``, else env ``NEWSBOT_STORE``, else default.

    The setting wins: the add-on already defaults it from the environment, so a value
    here is either the environment's or a deliberate ``-s NEWSBOT_STORE=...``.
    ``settings`` is Scrapy ``Settings`` or any mapping with ``get``.
    """
    return settings.get("NEWSBOT_STORE") or os.environ.get("NEWSBOT_STORE") or DEFAULT_TARGET


def new_run_id() -> str:
    return f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"
