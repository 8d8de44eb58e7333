"""newsbot.extract.urls.join_url: urljoin's result (or its ValueError), on links and
bases of every shape; the shortcuts for plain links change nothing."""

from __future__ import annotations

import random
from urllib.parse import urljoin

from newsbot.extract.urls import join_url

PARTS = ["http://", "https://", "/", "/", "a", "b.c", "..", ".", "?", "#", ";", "x=1", "[",
         "]", " ", "\t", "\n", "é", "%20", ":80", "@", "//", "A", "\u3002", "\uff0f"]  # fmt: skip


def _outcome(base: str, link: str, join: object) -> object:
    try:
        return join(base, link)  # type: ignore[operator]
    except ValueError as exc:
        return type(exc)


def test_join_url_is_urljoin():
    rng = random.Random(9)
    for _ in range(30000):
        base = rng.choice(["https://", "http://", ""]) + "".join(
            rng.choice(PARTS) for _ in range(rng.randrange(6))
        )
        link = rng.choice(["/", "", "https://", "//", "http://"]) + "".join(
            rng.choice(PARTS) for _ in range(rng.randrange(6))
        )
        assert _outcome(base, link, join_url) == _outcome(base, link, urljoin), (base, link)


def test_plain_links():
    page = "https://baohaiphong.vn/gia-loc-54312.html"
    assert join_url(page, "/kinh-te") == "https://baohaiphong.vn/kinh-te"
    assert join_url(page, "https://bhd.1cdn.vn/a.jpg") == "https://bhd.1cdn.vn/a.jpg"
    assert join_url(page, "/a/../b") == "https://baohaiphong.vn/b"  # urljoin's own work
    assert join_url(page, "x.jpg") == "https://baohaiphong.vn/x.jpg"
