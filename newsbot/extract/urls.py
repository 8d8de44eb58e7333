"""``urljoin`` for the parse path: the same result, without re-parsing a link that is
already absolute.

Most image and link addresses on a page are absolute (``https://cdn/...jpg``), and the
standard library's ``urljoin`` splits and reassembles them to return them unchanged,
which costs more than everything else done for an image. :func:`join_url` returns such
a link as it is when ``urljoin`` provably would too, and asks ``urljoin`` otherwise.
"""

from __future__ import annotations

from urllib.parse import urljoin

__all__ = ["join_url"]

#: Characters that make ``urljoin`` change or check an absolute URL: an empty query or
#: fragment is dropped, ``;params`` are re-split, tabs and newlines removed, brackets
#: checked as an IPv6 host.
_NOT_PLAIN = frozenset("?#;[]\t\r\n")


def join_url(base: str, url: str) -> str:
    """``urllib.parse.urljoin(base, url)``, with a fast path for plain absolute links."""
    if (
        url.startswith(("https://", "http://"))
        and url.isascii()
        and not _NOT_PLAIN.intersection(url)
    ):
        rest = url[url.index("//") + 2 :]
        if rest and rest[0] != "/":
            # An ASCII host and no query, fragment or params: urljoin returns it as is
            # (another scheme than the base's: untouched; the same: split and rejoined).
            return url
    return urljoin(base, url)
