"""Records shaped like the store returns them, for the feed tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

EXPECTED = Path(__file__).resolve().parents[2].parent / "shared" / "portal" / "expected"


def make_article(n: int, **overrides: Any) -> dict[str, Any]:
    """Article ``n``: published n hours after 2024-10-04 08:00 +07:00, section "Xã hội"."""
    hour = 8 + n
    day = 4 + hour // 24
    record: dict[str, Any] = {
        "url": f"https://baohaiduong.vn/bai-viet-so-{n}-{400000 + n}.html",
        "source_id": str(400000 + n),
        "site": "baohaiduong",
        "section": "Xã hội",
        "title": f"Bài viết số {n}: Hải Dương đẩy mạnh chuyển đổi số",
        "published_at": f"2024-10-{day:02d}T{hour % 24:02d}:00:00+07:00",
        "lead": f"Sáng {n}/10, Sở Thông tin và Truyền thông tổ chức hội nghị.",
        "body": "Đoạn thứ nhất của bài viết.\n\nĐoạn thứ hai, có “ngoặc kép” và dấu – gạch.",
        "author": "Minh Ngọc",
        "images": [{"url": f"https://bhd.1cdn.vn/2024/10/04/anh-{n}.jpg", "caption": None}],
        "related": [],
        "tags": ["chuyển đổi số", "Hải Dương"],
        "language": "vi",
        "content_hash": f"hash-{n}",
        "version": 1,
        "first_seen_at": "2024-10-05T01:00:00+00:00",
        "last_seen_at": "2024-10-05T01:00:00+00:00",
        "duplicate_of": None,
    }
    record.update(overrides)
    return record


@pytest.fixture
def current_article() -> dict[str, Any]:
    """The expected record of the current-layout specimen, when the shared tree is present."""
    path = EXPECTED / "current-article.json"
    if not path.is_file():
        pytest.skip(f"shared specimen missing: {path}")
    return json.loads(path.read_text(encoding="utf-8"))
