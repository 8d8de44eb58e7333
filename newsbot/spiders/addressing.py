"""Where requests really go: the portal itself, or a stand-in origin.

With ``NEWSBOT_ORIGIN`` set (the local replica, a caching proxy), every request for
one of the publisher's hosts is sent to that origin with the same path and query,
while records and fingerprints keep the portal's canonical URLs.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit


class Addressing:
    """Maps portal URLs to the URLs fetched, and back."""

    def __init__(self, canonical_host: str, origin: str | None = None) -> None:
        self.canonical_host = canonical_host
        self.origin = origin.rstrip("/") if origin else None
        if self.origin:
            parts = urlsplit(self.origin)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise ValueError(
                    f"NEWSBOT_ORIGIN must look like http://127.0.0.1:8123, got {origin!r}"
                )
            self._scheme, self._netloc = parts.scheme, parts.netloc

    @property
    def fetch_host(self) -> str:
        """The host that every request goes to."""
        if self.origin:
            return urlsplit(self.origin).hostname or ""
        return self.canonical_host

    def to_fetch(self, portal_url: str) -> str:
        """The URL to request for a (canonical) portal URL."""
        if not self.origin:
            return portal_url
        parts = urlsplit(portal_url)
        return urlunsplit((self._scheme, self._netloc, parts.path or "/", parts.query, ""))

    def to_portal(self, fetched_url: str) -> str:
        """The portal URL a fetched URL stands for (identity without an origin)."""
        if not self.origin:
            return fetched_url
        parts = urlsplit(fetched_url)
        if parts.netloc != self._netloc:
            return fetched_url
        return urlunsplit(("https", self.canonical_host, parts.path or "/", parts.query, ""))
