"""The ``dead_links`` table: article links a crawl found gone for good (a negative cache).

A run records the links that answered 404/410 (or looped) and later runs skip them
until ``retry_after``: ``days`` after the first failure, doubling with each further
failure (at most 16 times ``days``), so a link that comes back is tried again.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from newsbot.store.engines import Engine


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


class DeadLinks:
    """The ``dead_links`` table of one store."""

    def __init__(self, db: Engine) -> None:
        self._db = db

    def current(self, site: str, now: datetime | None = None) -> set[str]:
        """Links of ``site`` that failed for good and are not due for another try yet."""
        p = self._db.param
        rows = self._db.query(
            f"SELECT url FROM dead_links WHERE site = {p} AND retry_after > {p}",
            (site, _iso(now or datetime.now(UTC))),
        )
        return {row[0] for row in rows}

    def mark(
        self,
        site: str,
        links: Sequence[tuple[str, str]],
        *,
        now: datetime | None = None,
        days: float = 7.0,
    ) -> None:
        """Remember ``(url, reason)`` links of ``site`` as gone."""
        if not links:
            return
        p = self._db.param
        moment = now or datetime.now(UTC)
        with self._db.transaction():
            for url, reason in links:
                rows = self._db.query(f"SELECT failures FROM dead_links WHERE url = {p}", (url,))
                failures = int(rows[0][0]) + 1 if rows else 1
                retry = _iso(moment + timedelta(days=days * 2 ** min(failures - 1, 4)))
                if rows:
                    self._db.execute(
                        f"UPDATE dead_links SET reason = {p}, failures = {p},"
                        f" last_failed_at = {p}, retry_after = {p} WHERE url = {p}",
                        (reason, failures, _iso(moment), retry, url),
                    )
                else:
                    self._db.execute(
                        "INSERT INTO dead_links (url, site, reason, failures, first_failed_at,"
                        f" last_failed_at, retry_after) VALUES ({p}, {p}, {p}, 1, {p}, {p}, {p})",
                        (url, site, reason, _iso(moment), _iso(moment), retry),
                    )
