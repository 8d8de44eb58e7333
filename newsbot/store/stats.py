"""What ``newsbot stats`` reports: volume, ingest latency and the last run's coverage.

``stats_report`` gathers the numbers (a plain dict, JSON-ready), ``format_stats``
prints them for a terminal or cron mail, and ``coverage_ok`` is the health check
whose failure makes the command exit non-zero: when the share of articles with a
title, ``published_at`` or body in the last run that saw items or article pages
falls under the threshold, the publisher's layout has most likely changed. Article
pages the parser failed on count against coverage, so a total layout break (pages
fetched, no items) reads as coverage 0, not as a run with nothing to measure.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from newsbot.record import REQUIRED_FIELDS

if TYPE_CHECKING:
    from newsbot.store.backend import Store

#: Fields whose coverage decides the exit status.
#: The fields a record cannot be stored without: their coverage is the health check.
HEALTH_FIELDS: tuple[str, ...] = REQUIRED_FIELDS


def _percentile(values: list[float], share: float) -> float | None:
    """Nearest-rank percentile; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def stats_report(store: Store, *, days: int = 30, site: str | None = None) -> dict[str, Any]:
    """Articles per section and day, latency published_at → first_seen_at, last-run coverage.

    Volume and latency cover articles first seen in the last ``days`` days. Coverage
    and provenance come from the latest finished run that saw items or article pages
    (a run that fetched no article has nothing to measure); ``last_run`` is the latest
    run of any kind. With ``site``, only that site's articles and runs (its spider's).
    """
    now = datetime.now(UTC)
    cutoff = (now - timedelta(days=days)).isoformat(timespec="seconds")
    of_site, site_params = (" AND site = ?", (site,)) if site else ("", ())
    per_day = store.query(
        "SELECT section, substr(published_at, 1, 10) AS day, COUNT(*) FROM articles"
        f" WHERE first_seen_at >= ?{of_site} GROUP BY section, substr(published_at, 1, 10)"
        " ORDER BY day DESC, section",
        (cutoff, *site_params),
    )
    latencies: list[float] = []
    for published_at, first_seen_at in store.query(
        f"SELECT published_at, first_seen_at FROM articles WHERE first_seen_at >= ?{of_site}",
        (cutoff, *site_params),
    ):
        try:
            delta = datetime.fromisoformat(first_seen_at) - datetime.fromisoformat(published_at)
        except (TypeError, ValueError):
            continue
        latencies.append(delta.total_seconds())
    runs = store.recent_runs(site, limit=50) if site else store.recent_runs(limit=50)
    coverage_run = next(
        (r for r in runs if r["status"] != "running" and r["spider"] != "reparse" and _measured(r)),
        None,
    )
    where_site = " WHERE site = ?" if site else ""
    total = store.query(
        f"SELECT COUNT(*), COUNT(duplicate_of) FROM articles{where_site}", site_params
    )[0]
    return {
        "generated_at": now.isoformat(timespec="seconds"),
        "site": site,
        "days": days,
        "articles": int(total[0]),
        "duplicates": int(total[1]),
        "per_section_day": [
            {"section": section, "day": day, "count": int(count)} for section, day, count in per_day
        ],
        "latency": {
            "count": len(latencies),
            "median_s": _percentile(latencies, 0.5),
            "p95_s": _percentile(latencies, 0.95),
        },
        "last_run": _run_summary(runs[0]) if runs else None,
        "coverage_run": _run_summary(coverage_run) if coverage_run else None,
        "coverage": coverage_run["coverage"] if coverage_run else None,
        "provenance": coverage_run["provenance"] if coverage_run else None,
    }


def _measured(run: dict[str, Any]) -> bool:
    """Whether the run fetched anything coverage can be judged on."""
    counts = run.get("counts") or {}
    return bool(counts.get("seen") or counts.get("article_pages"))


def _run_summary(run: dict[str, Any]) -> dict[str, Any]:
    keys = ("run_id", "spider", "started_at", "finished_at", "status", "counts")
    summary = {k: run.get(k) for k in keys}
    summary["errors"] = len(run.get("errors") or [])
    return summary


def coverage_ok(report: dict[str, Any], threshold: float = 0.9) -> bool:
    """False when title, published_at or body coverage of the last run is under ``threshold``.

    True when no run has seen items or article pages yet: there is nothing to judge. A
    judged run missing a field's coverage (e.g. no item at all) has 0 for it.
    """
    if report.get("coverage_run") is None:
        return True
    coverage = report.get("coverage") or {}
    return all(float(coverage.get(f, 0.0)) >= threshold for f in HEALTH_FIELDS)


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    if seconds < 3600:
        return f"{sign}{seconds / 60:.1f} min"
    if seconds < 86400 * 2:
        return f"{sign}{seconds / 3600:.1f} h"
    return f"{sign}{seconds / 86400:.1f} d"


def format_stats(report: dict[str, Any], threshold: float = 0.9) -> str:
    """The report as text for a terminal or cron mail."""
    lines = [
        f"articles: {report['articles']} ({report['duplicates']} near-duplicates)",
        f"first seen in the last {report['days']} days, per section and publication day:",
    ]
    rows = report["per_section_day"]
    if not rows:
        lines.append("  (none)")
    for row in rows:
        lines.append(f"  {row['day']}  {row['count']:>5}  {row['section'] or '(no section)'}")
    latency = report["latency"]
    lines.append(
        f"latency published_at -> first_seen_at over {latency['count']} articles:"
        f" median {_duration(latency['median_s'])}, p95 {_duration(latency['p95_s'])}"
    )
    last = report["last_run"]
    if last:
        lines.append(
            f"last run: {last['run_id']} ({last['spider']}) {last['status']},"
            f" started {last['started_at']}, counts {last['counts'] or {}},"
            f" {last['errors']} errors"
        )
    else:
        lines.append("last run: none")
    cov_run = report["coverage_run"]
    if not cov_run:
        lines.append("coverage: no finished run has seen items or article pages yet")
        return "\n".join(lines)
    counts = cov_run["counts"] or {}
    measured = f"{counts.get('seen') or 0} items"
    if counts.get("article_pages"):
        measured += f" of {counts['article_pages']} article pages"
    lines.append(f"coverage of run {cov_run['run_id']} ({measured}):")
    provenance = report.get("provenance") or {}
    coverage = {field: 0.0 for field in HEALTH_FIELDS} | (report["coverage"] or {})
    for field, share in sorted(coverage.items()):
        flag = "  LOW" if field in HEALTH_FIELDS and share < threshold else ""
        mix = ", ".join(f"{src} {n}" for src, n in sorted(provenance.get(field, {}).items()))
        lines.append(f"  {field:<13} {share:6.1%}{flag}" + (f"  [{mix}]" if mix else ""))
    lines.append(
        "coverage OK" if coverage_ok(report, threshold) else "coverage LOW: layout change?"
    )
    return "\n".join(lines)
