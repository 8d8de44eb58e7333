"""How a run ended, decided from what happened to its start points and connections.

:class:`RunOutcome` is told of each start point (home page, feed, sitemap, the sections
asked for) requested, read or given up on, and of each failure to reach the host; it
says when the run can stop trying: the portal is unreachable (a name that does not
resolve at once, refused connections after a few tries, before any response), or
every start point was given up on (a 429 storm): the run fetched nothing it needed.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Close reason and run status of a run whose every start point failed.
NOTHING_FETCHED = "nothing_fetched"
#: Close reason of a run that could not reach the portal.
UNREACHABLE = "portal_unreachable"
#: Connection failures before any response after which the portal counts as unreachable.
CONNECT_FAILURES = 3


@dataclass(slots=True)
class RunOutcome:
    """Start points and connection failures of one run (see the module docstring)."""

    requested: int = 0
    read: int = 0
    failed: int = 0
    #: All start points have been made (a run may fail before the last is requested).
    all_requested: bool = False
    connect_failures: int = 0
    unreachable_reason: str | None = None

    def start_requested(self) -> None:
        self.requested += 1

    def start_read(self) -> None:
        self.read += 1

    def start_failed(self) -> str | None:
        """A start point was given up on: :data:`NOTHING_FETCHED` if that was the last."""
        self.failed += 1
        return NOTHING_FETCHED if self.all_requested and self.nothing_fetched else None

    @property
    def nothing_fetched(self) -> bool:
        return bool(self.requested) and not self.read and self.failed >= self.requested

    def connection_failed(self, reason: str, *, dns: bool, responses: int) -> str | None:
        """The host could not be reached: :data:`UNREACHABLE` when the run should stop
        (a DNS failure at once; refusals after a few; never once something answered)."""
        if responses:
            return None
        self.unreachable_reason = self.unreachable_reason or reason
        self.connect_failures += 1
        if dns or self.connect_failures >= CONNECT_FAILURES:
            return UNREACHABLE
        return None

    def at_close(self, responses: int) -> str | None:
        """What the run amounted to, when it closes on its own: a fatal verdict or None."""
        if not responses and self.unreachable_reason:
            return UNREACHABLE
        if self.nothing_fetched:
            return NOTHING_FETCHED
        return None
