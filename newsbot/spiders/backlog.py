"""Article fetches decided faster than the crawl can make them, held until the scheduler
has room.

Scrapy keeps every scheduled request in its memory queue as a full ``Request`` (about
4 KB with its meta, headers and fingerprint). A crawl often finds articles much faster
than it fetches them: a sitemap file names 50,000 at once (and while a response over
``SCRAPER_SLOT_MAX_ACTIVE_SIZE``, 5 MB, is in the scraper, nothing is downloaded, so all
of them were queued before the first was fetched), and every article page names a few
related ones. Halfway through a 50,000-article run 25,000 requests waited in the queue.
:class:`FetchBacklog` keeps the crawl policy's decisions instead (a ``Fetch``: the URL,
how it was found, its hop; under 200 bytes) and hands them out, oldest first, while fewer
than ``low`` of the requests it made are alive (queued, downloading or being parsed;
counted by weak references, so a fleet's requests, sent on to Redis, leave at once).
The spider tops up from every callback and when the crawl would otherwise go idle.
Nothing is decided later than before: only the request is made later.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from typing import Any
from weakref import WeakSet

from newsbot.crawl.policy import Fetch

#: Requests of the backlog in flight below which more fetches are handed out.
LOW_WATER = 500


class FetchBacklog:
    """Decided fetches waiting for the scheduler to drain, in the order decided."""

    def __init__(self, low: int = LOW_WATER) -> None:
        self.low = low
        self._waiting: deque[Fetch] = deque()
        # The requests made for fetches of the backlog that are still alive: on their way
        # to the scheduler (a callback's output is taken later), queued, downloading or
        # being parsed. Weak references: each leaves when Scrapy lets go of it.
        self._live: WeakSet[Any] = WeakSet()

    def __len__(self) -> int:
        return len(self._waiting)

    def add(self, fetches: Iterable[Fetch]) -> None:
        self._waiting.extend(fetches)

    def handed(self, request: Any) -> Any:
        """Note a request made for a fetch of the backlog; returns it."""
        self._live.add(request)
        return request

    def in_flight(self) -> int:
        """Requests handed out that Scrapy still holds."""
        return len(self._live)

    def due(self, *, idle: bool = False) -> Iterator[Fetch]:
        """The fetches to request now: enough to have ``low`` requests in flight; with
        ``idle`` (nothing else left to crawl) at least one."""
        room = self.low - self.in_flight()
        if idle:
            room = max(room, 1)
        waiting = self._waiting
        while room > 0 and waiting:
            room -= 1
            yield waiting.popleft()
