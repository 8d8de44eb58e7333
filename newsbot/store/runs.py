"""Run records: the ``crawl_runs`` table (one row per crawl or reparse), per site.

A run is started "running" and finished with its status, counts, coverage,
provenance mix and errors. A run killed with SIGKILL stays "running", which later
runs read as "did not finish". Rows read back are dicts with JSON decoded and
times as UTC ISO 8601 text with microseconds (runs started within one second still
sort in order), whichever engine holds them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from newsbot.store.engines import Engine

_COLUMNS = (
    "run_id",
    "spider",
    "site",
    "started_at",
    "finished_at",
    "status",
    "args",
    "counts",
    "coverage",
    "provenance",
    "errors",
)
_JSON = ("args", "counts", "coverage", "provenance", "errors")
_TIMES = ("started_at", "finished_at")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class RunLog:
    """The ``crawl_runs`` table of one store."""

    def __init__(self, db: Engine) -> None:
        self._db = db

    def start(
        self,
        run_id: str,
        spider: str,
        args: dict[str, Any],
        site: str | None = None,
        *,
        store_wide: bool = False,
    ) -> None:
        """Record a run "running"; its site is ``site``, else the spider's name, and none
        for a ``store_wide`` run (reparse), which belongs to no site."""
        p = self._db.param
        with self._db.transaction():
            self._db.execute(
                "INSERT INTO crawl_runs (run_id, spider, site, started_at, status, args)"
                f" VALUES ({p}, {p}, {p}, {p}, 'running', {p})",
                (run_id, spider, None if store_wide else site or spider, _now(), _dumps(args)),
            )

    def finish(
        self,
        run_id: str,
        status: str,
        counts: dict[str, Any],
        coverage: dict[str, Any],
        provenance: dict[str, Any],
        errors: list[dict[str, Any]],
    ) -> None:
        p = self._db.param
        with self._db.transaction():
            self._db.execute(
                f"UPDATE crawl_runs SET finished_at = {p}, status = {p}, counts = {p},"
                f" coverage = {p}, provenance = {p}, errors = {p} WHERE run_id = {p}",
                (
                    _now(),
                    status,
                    _dumps(counts),
                    _dumps(coverage),
                    _dumps(provenance),
                    _dumps(errors),
                    run_id,
                ),
            )

    def abort_stale(self, spider: str, keep: str | None = None) -> int:
        """Mark ``spider``'s runs still "running", except ``keep``, as "aborted".

        Call only while holding the site's run lock (or its fleet run): then no other
        run of it is going, and a "running" row is one killed without a clean end.
        """
        p = self._db.param
        with self._db.transaction():
            cursor = self._db.execute(
                f"UPDATE crawl_runs SET status = 'aborted' WHERE spider = {p}"
                f" AND status = 'running' AND run_id <> {p}",
                (spider, keep or ""),
            )
        return int(getattr(cursor, "rowcount", 0) or 0)

    def recent(
        self, spider: str | None = None, limit: int = 20, *, site: str | None = None
    ) -> list[dict[str, Any]]:
        """Runs newest first, of one spider and/or site if given."""
        p = self._db.param
        where: list[str] = []
        params: list[Any] = []
        if spider:
            where.append(f"spider = {p}")
            params.append(spider)
        if site:
            where.append(f"site = {p}")
            params.append(site)
        sql = "SELECT " + ", ".join(_COLUMNS) + " FROM crawl_runs"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += f" ORDER BY started_at DESC, run_id DESC LIMIT {p}"
        return [self._run(row) for row in self._db.query(sql, (*params, int(limit)))]

    def latest(
        self, spider: str | None = None, *, site: str | None = None
    ) -> dict[str, Any] | None:
        runs = self.recent(spider, 1, site=site)
        return runs[0] if runs else None

    def sites(self) -> list[str]:
        """Every site a run has been recorded for, in name order."""
        rows = self._db.query("SELECT DISTINCT site FROM crawl_runs WHERE site IS NOT NULL")
        return sorted(str(r[0]) for r in rows)

    def _run(self, row: Sequence[Any]) -> dict[str, Any]:
        run = dict(zip(_COLUMNS, row, strict=True))
        for key in _JSON:
            run[key] = self._db.json_value(run[key]) if run[key] is not None else None
        for key in _TIMES:
            run[key] = self._db.time_value(run[key], "microseconds")
        return run

    def prune(self, before: str, *, dry_run: bool = False) -> int:
        """Delete finished runs started before the UTC instant ``before``; how many went
        (``dry_run``: how many would go, nothing deleted)."""
        p = self._db.param
        if dry_run:
            rows = self._db.query(
                f"SELECT COUNT(*) FROM crawl_runs WHERE started_at < {p} AND status <> 'running'",
                (before,),
            )
            return int(rows[0][0])
        with self._db.transaction():
            cur = self._db.execute(
                f"DELETE FROM crawl_runs WHERE started_at < {p} AND status <> 'running'",
                (before,),
            )
        return int(cur.rowcount or 0)
