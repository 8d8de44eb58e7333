"""A DNS resolver for tests that resolves nothing (``DNS_RESOLVER`` setting): every
name fails as an unknown host would, and no query leaves the machine."""

from __future__ import annotations

from typing import Any

from twisted.internet import defer
from twisted.internet.error import DNSLookupError
from twisted.internet.interfaces import IResolverSimple
from zope.interface import implementer


@implementer(IResolverSimple)
class NoDnsResolver:
    def __init__(self, reactor: Any) -> None:
        self.reactor = reactor

    @classmethod
    def from_crawler(cls, crawler: Any, reactor: Any) -> NoDnsResolver:
        return cls(reactor)

    def install_on_reactor(self) -> None:
        self.reactor.installResolver(self)

    def getHostByName(self, name: str, timeout: Any = ()) -> defer.Deferred:  # noqa: N802
        if name in ("127.0.0.1", "localhost"):
            return defer.succeed("127.0.0.1")
        return defer.fail(DNSLookupError(f"no address for {name} (test resolver)"))
