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
    from newsbot.store.store import Store

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

    Volume and latency cover articles first seen in the last ``days`` days (of ``site``
    when given). Coverage and provenance come from the latest finished run that saw
    items or article pages (a run that fetched no article has nothing to measure), of
    ``site`` when given; ``sites`` holds that judgement for every site with runs (only
    ``site`` when given), so one site's run cannot hide another's layout break.
    ``last_run`` is the latest run of any kind.
    """
    now = datetime.now(UTC)
    cutoff = (now - timedelta(days=days)).isoformat(timespec="seconds")
    latencies: list[float] = []
    for published_at, first_seen_at in store.articles.sightings(cutoff, site):
        try:
            delta = datetime.fromisoformat(first_seen_at) - datetime.fromisoformat(published_at)
        except (TypeError, ValueError):
            continue
        latencies.append(delta.total_seconds())
    runs = store.recent_runs(limit=50, site=site)
    coverage_run = _coverage_run(runs)
    sites = [site] if site else store.run_sites()
    per_site = {}
    for name in sites:
        run = coverage_run if site else _coverage_run(store.recent_runs(limit=50, site=name))
        per_site[name] = {
            "coverage_run": _run_summary(run) if run else None,
            "coverage": run["coverage"] if run else None,
            "provenance": run["provenance"] if run else None,
        }
    total, duplicates = store.articles.totals(site)
    return {
        "generated_at": now.isoformat(timespec="seconds"),
        "days": days,
        "site": site,
        "articles": total,
        "duplicates": duplicates,
        "per_section_day": [
            {"section": section, "day": day, "count": count}
            for section, day, count in store.articles.volume(cutoff, site)
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
        "sites": per_site,
    }


def _coverage_run(runs: list[dict[str, Any]]) -> dict[str, Any] | None:
    return next(
        (r for r in runs if r["status"] != "running" and r["spider"] != "reparse" and _measured(r)),
        None,
    )


def _measured(run: dict[str, Any]) -> bool:
    """Whether the run fetched anything coverage can be judged on."""
    counts = run.get("counts") or {}
    return bool(counts.get("seen") or counts.get("article_pages"))


def _run_summary(run: dict[str, Any]) -> dict[str, Any]:
    keys = ("run_id", "spider", "site", "started_at", "finished_at", "status", "counts")
    summary = {k: run.get(k) for k in keys}
    summary["errors"] = len(run.get("errors") or [])
    return summary


def coverage_ok(report: dict[str, Any], threshold: float = 0.9) -> bool:
    """False when title, published_at or body coverage of the last run is under ``threshold``,
    for the report's latest judged run or for any site's (see ``low_sites``).

    True when no run has seen items or article pages yet: there is nothing to judge. A
    judged run missing a field's coverage (e.g. no item at all) has 0 for it.
    """
    return _judged_ok(report, threshold) and not low_sites(report, threshold)


def low_sites(report: dict[str, Any], threshold: float = 0.9) -> list[str]:
    """Sites whose latest judged run has title, published_at or body under ``threshold``."""
    return [
        name
        for name, judged in sorted((report.get("sites") or {}).items())
        if not _judged_ok(judged, threshold)
    ]


def _judged_ok(judged: dict[str, Any], threshold: float) -> bool:
    if judged.get("coverage_run") is None:
        return True
    coverage = judged.get("coverage") or {}
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
    sites = report.get("sites") or {}
    if len(sites) > 1:
        for name, judged in sorted(sites.items()):
            run = judged.get("coverage_run")
            if run is None:
                lines.append(f"site {name}: no judged run yet")
                continue
            state = "OK" if _judged_ok(judged, threshold) else "LOW"
            cov = judged.get("coverage") or {}
            shares = ", ".join(f"{f} {float(cov.get(f, 0.0)):.1%}" for f in HEALTH_FIELDS)
            lines.append(f"site {name}: run {run['run_id']} {shares}  {state}")
    lines.append(
        "coverage OK" if coverage_ok(report, threshold) else "coverage LOW: layout change?"
    )
    return "\n".join(lines)
