"""What earlier runs tell this one, read once from the store at the start.

:func:`load_history` asks the store for the recent runs of the spider, the related
links of stored articles that are not stored themselves, and the links known to be
dead; :class:`RunHistory` keeps the answers. The rules over run rows
(:func:`saw_everything`, :func:`got_going`, :func:`worth_retrying`) are pure
functions of the rows, so they are tested without a store.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from newsbot.crawl.arguments import RESTRICTING
from newsbot.crawl.errors import is_transient


class Profile(Protocol):
    """The parts of a site profile the crawl policy uses."""

    name: str
    ids_increase_with_time: bool

    def canonical_url(self, url: str, base: str | None = None) -> str | None: ...
    def url_kind(self, url: str) -> Any: ...
    def source_id(self, url: str) -> str | None: ...


def saw_everything(run: Mapping[str, Any]) -> bool:
    """A finished run over the whole portal that missed nothing it could have got.

    A permanent failure (a redirect loop, a page over the size limit, a 404) would
    fail the same way in any run, so it does not make a run incomplete; a transient
    one (a timeout, a 503) means a page may hold something that run never saw.
    """
    args = run.get("args") or {}
    errors = run.get("errors") or []
    return (
        run.get("status") == "finished"
        and not (RESTRICTING & set(args))
        and not any(is_transient(e) for e in errors if isinstance(e, Mapping))
    )


def got_going(run: Mapping[str, Any]) -> bool:
    """A run that fetched something (one that found the portal unreachable, or the
    store locked, walked no listing and cannot have left one half walked)."""
    counts = run.get("counts") or {}
    # "aborted": killed mid-run, so marked by the run after it; its counts were never written.
    return run.get("status") in ("running", "aborted") or bool(counts.get("requests"))


def worth_retrying(errors: Iterable[Mapping[str, Any]], site: Profile) -> list[str]:
    """Article URLs an earlier run gave up on for a transient reason, canonical, once each."""
    urls: dict[str, None] = {}
    for err in errors:
        url = err.get("url")
        if not url or err.get("kind", "fetch") != "fetch" or not is_transient(err):
            continue
        canonical = site.canonical_url(str(url))
        if canonical and site.url_kind(canonical) == "article":
            urls[canonical] = None
    return list(urls)


@dataclass(slots=True)
class RunHistory:
    """What the store said at the start of this run."""

    #: False when the latest run that got going did not finish: listings may be half
    #: walked, so this run pages every listing to its end.
    previous_complete: bool = True
    #: Start of the latest run that saw everything (sitemap parts older are skipped).
    baseline_started: datetime | None = None
    #: Start of the latest such run that gave up on nothing at all (OneCMS day files,
    #: whose rule was written against it).
    clean_started: datetime | None = None
    #: Article URLs the previous run gave up on for a transient reason.
    retry: list[str] = field(default_factory=list)
    #: Related links of stored articles that are not stored themselves.
    frontier: list[str] = field(default_factory=list)
    #: Links that failed for good recently (the negative cache), not to be requested.
    dead: frozenset[str] = frozenset()

    @classmethod
    def from_runs(
        cls, runs: Sequence[Mapping[str, Any]], site: Profile, current_run_id: str | None = None
    ) -> RunHistory:
        """The history from run rows, newest first (this run's own row is ignored)."""
        went = [r for r in runs if r.get("run_id") != current_run_id and got_going(r)]
        previous = went[0] if went else None
        baseline = next((r for r in went if saw_everything(r)), None)
        started = (baseline or {}).get("started_at")
        clean = next((r for r in went if saw_everything(r) and not r.get("errors")), None)
        clean_started = (clean or {}).get("started_at")
        return cls(
            previous_complete=previous is None or previous.get("status") == "finished",
            baseline_started=datetime.fromisoformat(started) if started else None,
            clean_started=datetime.fromisoformat(clean_started) if clean_started else None,
            retry=worth_retrying(previous.get("errors") or [], site) if previous else [],
        )


class HistoryStore(Protocol):
    """The store queries :func:`load_history` makes."""

    def recent_runs(self, spider: str | None = None, limit: int = 20) -> list[dict[str, Any]]: ...
    def related_frontier(self, site: str) -> list[str]: ...
    def dead_links(self, site: str, now: datetime) -> set[str]: ...


def load_history(
    store: HistoryStore,
    site: Profile,
    spider: str,
    *,
    now: datetime,
    current_run_id: str | None = None,
    frontier: bool = True,
) -> RunHistory:
    """Everything this run needs to know about earlier runs, in a few queries."""
    history = RunHistory.from_runs(store.recent_runs(spider, limit=20), site, current_run_id)
    history.dead = frozenset(store.dead_links(site.name, now))
    if frontier:
        history.frontier = [u for u in store.related_frontier(site.name) if u not in history.dead]
    return history


def dead_links_of(errors: Iterable[Mapping[str, Any]], site: Profile) -> list[tuple[str, str]]:
    """(canonical URL, reason) of article links this run found gone for good, to
    remember in the store's negative cache: permanent fetch failures, and pages whose
    bytes no parser can read (nested too deep, binary). A page the parser merely failed
    on is not remembered: a fixed parser must get it at the next run."""
    out: dict[str, str] = {}
    for err in errors:
        url = err.get("url")
        kind = err.get("kind", "fetch")
        if not url or is_transient(err):
            continue
        if not (kind == "fetch" or (kind == "parse" and err.get("unreadable"))):
            continue
        canonical = site.canonical_url(str(url))
        if canonical and site.url_kind(canonical) == "article":
            out.setdefault(canonical, str(err.get("reason") or "gone"))
    return list(out.items())
