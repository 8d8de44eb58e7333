"""Where requests really go: the portal itself, or a stand-in origin.

With ``NEWSBOT_ORIGIN`` set (the local replica, a caching proxy), every request for
one of the publisher's hosts is sent to that origin with the same path and query,
while records and fingerprints keep the portal's canonical URLs. A publisher on two
domains (baohaiduong.vn and baohaiphong.vn) can have one origin per domain
(``NEWSBOT_ORIGINS=baohaiphong.vn=http://127.0.0.1:8124,...``), so a redirect from
one domain's stand-in to the other's is still the publisher's own.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit


def _domain(host: str) -> str:
    """``m.baohaiphong.vn`` → ``baohaiphong.vn`` (the mirrors share their domain's origin)."""
    host = host.lower()
    for prefix in ("www.", "m.", "tab."):
        if host.startswith(prefix):
            return host[len(prefix) :]
    return host


def parse_origins(value: str | dict[str, str] | None) -> dict[str, str]:
    """``NEWSBOT_ORIGINS`` as domain → origin (``a.vn=http://127.0.0.1:1,b.vn=...``)."""
    if not value:
        return {}
    if isinstance(value, dict):
        return {_domain(k): str(v) for k, v in value.items()}
    out: dict[str, str] = {}
    for item in str(value).split(","):
        domain, sep, origin = item.strip().partition("=")
        if not sep or not domain or not origin:
            raise ValueError(f"NEWSBOT_ORIGINS: expected domain=origin pairs, got {item!r}")
        out[_domain(domain.strip())] = origin.strip()
    return out


def _check(origin: str) -> tuple[str, str]:
    parts = urlsplit(origin)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"NEWSBOT_ORIGIN must look like http://127.0.0.1:8123, got {origin!r}")
    return parts.scheme, parts.netloc.lower()


class Addressing:
    """Maps portal URLs to the URLs fetched, and back."""

    def __init__(
        self,
        canonical_host: str,
        origin: str | None = None,
        origins: dict[str, str] | None = None,
    ) -> None:
        self.canonical_host = canonical_host
        self.origin = origin.rstrip("/") if origin else None
        #: domain -> (scheme, netloc) of its stand-in; the default origin stands in
        #: for the canonical host's domain and any domain without one of its own.
        self._by_domain = {d: _check(o.rstrip("/")) for d, o in (origins or {}).items()}
        if self.origin is None and self._by_domain:
            first = self._by_domain.get(_domain(canonical_host)) or next(
                iter(self._by_domain.values())
            )
            self.origin = f"{first[0]}://{first[1]}"
        if self.origin:
            self._scheme, self._netloc = _check(self.origin)
            self._by_domain.setdefault(_domain(canonical_host), (self._scheme, self._netloc))
        self._by_netloc = {netloc: domain for domain, (_, netloc) in self._by_domain.items()}

    @property
    def netlocs(self) -> frozenset[str]:
        """Every ``host:port`` requests may go to (the origins), empty without one."""
        return frozenset(self._by_netloc)

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
        scheme, netloc = self._by_domain.get(
            _domain(parts.hostname or ""), (self._scheme, self._netloc)
        )
        return urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))

    def to_portal(self, fetched_url: str) -> str:
        """The portal URL a fetched URL stands for (identity without an origin)."""
        if not self.origin:
            return fetched_url
        parts = urlsplit(fetched_url)
        domain = self._by_netloc.get(parts.netloc.lower())
        if domain is None:
            return fetched_url
        host = self.canonical_host if domain == _domain(self.canonical_host) else domain
        return urlunsplit(("https", host, parts.path or "/", parts.query, ""))
