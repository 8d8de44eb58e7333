"""Dead links: a negative cache of article links that failed for good (404, 410, ...).

One row per link a run found gone; runs skip it until ``retry_after``, which doubles
with each failure (``days``, twice that, ... at most 16 times ``days``), so a link
that comes back is tried again and 200 dead related links are not requested every run.
Times are UTC ISO text on SQLite and ``timestamptz`` on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from newsbot.store.engines import Engine


class DeadLinks:
    """The ``dead_links`` table of one store."""

    def __init__(self, db: Engine) -> None:
        self._db = db

    def due_not(self, site: str, now: datetime | None = None) -> set[str]:
        """Links of ``site`` that failed for good and are not due for another try yet."""
        p = self._db.param
        when = (now or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds")
        rows = self._db.query(
            f"SELECT url FROM dead_links WHERE site = {p} AND retry_after > {p}", (site, when)
        )
        return {str(row[0]) for row in rows}

    def mark(
        self,
        site: str,
        links: Sequence[tuple[str, str]],
        *,
        now: datetime | None = None,
        days: float = 7.0,
    ) -> None:
        """Remember ``(url, reason)`` links as gone, each failure doubling the wait."""
        if not links:
            return
        p = self._db.param
        moment = (now or datetime.now(UTC)).astimezone(UTC)
        stamp = moment.isoformat(timespec="seconds")
        with self._db.transaction():
            for url, reason in links:
                rows = self._db.query(f"SELECT failures FROM dead_links WHERE url = {p}", (url,))
                failures = int(rows[0][0]) + 1 if rows else 1
                retry = moment + timedelta(days=days * 2 ** min(failures - 1, 4))
                retry_at = retry.isoformat(timespec="seconds")
                if rows:
                    self._db.execute(
                        f"UPDATE dead_links SET reason = {p}, failures = {p},"
                        f" last_failed_at = {p}, retry_after = {p} WHERE url = {p}",
                        (reason, failures, stamp, retry_at, url),
                    )
                else:
                    self._db.execute(
                        "INSERT INTO dead_links (url, site, reason, failures, first_failed_at,"
                        f" last_failed_at, retry_after) VALUES ({p}, {p}, {p}, 1, {p}, {p}, {p})",
                        (url, site, reason, stamp, stamp, retry_at),
                    )
