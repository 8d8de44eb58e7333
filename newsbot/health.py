"""Per-site health of a store, for ``newsbot stats``: is each site's crawl doing its job?

Sites are judged one by one, each on its own runs (the runs recorded for that site),
so a healthy crawl of one site never hides a broken one. A site
raises an alert when

* **coverage dropped**: in its latest run that fetched articles, the share of article
  pages giving a title, ``published_at`` or body is under the threshold (a layout
  change), as :func:`newsbot.store.stats.coverage_ok` judges it; or
* **its latest run fetched nothing it needed**: that run (the latest one no longer
  running) ended with a status saying every start point was given up on
  (``nothing_fetched``, e.g. a 429 storm) or the portal could not be reached
  (``portal_unreachable``). Such a run fetched no article, so coverage alone would
  never look at it.

Pure reads of an open store; the command prints and exits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from newsbot.store.stats import coverage_ok, stats_report

#: Run statuses of a run that could not fetch what it needed.
STARVED_STATUSES: frozenset[str] = frozenset({"nothing_fetched", "portal_unreachable"})


@dataclass
class SiteHealth:
    """One site's report (:func:`newsbot.store.stats.stats_report`) and its alerts."""

    site: str
    report: dict[str, Any]
    alerts: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.alerts


def sites_in(store: Any) -> list[str]:
    """Every site with a run or an article in the store, sorted."""
    names = set(store.run_sites())
    names |= {str(row[0]) for row in store.query("SELECT DISTINCT site FROM articles")}
    return sorted(names)


def latest_finished_run(store: Any, site: str) -> dict[str, Any] | None:
    """The site's latest run that is no longer running."""
    runs = store.recent_runs(limit=50, site=site)
    return next((r for r in runs if r["status"] != "running"), None)


def site_health(store: Any, site: str, *, days: int = 30, threshold: float = 0.9) -> SiteHealth:
    report = stats_report(store, days=days, site=site)
    health = SiteHealth(site, report)
    if not coverage_ok(report, threshold):
        run = report["coverage_run"] or {}
        health.alerts.append(
            f"{site}: coverage of title, published_at or body under {threshold:.0%} in run "
            f"{run.get('run_id')}: a layout change?"
        )
    latest = latest_finished_run(store, site)
    if latest is not None and latest["status"] in STARVED_STATUSES:
        errors = latest.get("errors") or []
        reason = f" ({errors[0].get('reason')})" if errors and isinstance(errors[0], dict) else ""
        health.alerts.append(
            f"{site}: the latest run {latest['run_id']} fetched nothing it needed: "
            f"{latest['status']}{reason}"
        )
    return health


def store_health(
    store: Any, sites: list[str] | None = None, *, days: int = 30, threshold: float = 0.9
) -> list[SiteHealth]:
    """The health of ``sites`` (default: every site in the store)."""
    return [
        site_health(store, site, days=days, threshold=threshold)
        for site in (sites if sites is not None else sites_in(store))
    ]
