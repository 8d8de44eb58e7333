"""The spider's ``-a`` arguments: parsed and checked once, with a one-line reason.

:meth:`CrawlArguments.parse` is what ``scrapy crawl`` checks before a run starts
(exit status 2 on a bad argument) and what the spider keeps for the run. Arguments
whose name starts with ``_`` are the scheduler's, not the user's (scrapyd adds
``-a _job=<id>``): they are kept and recorded with the run, never refused.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from newsbot.sites.sections import find_section, near_sections, section_key, sections_of

REFRESH_MODES = ("all", "recent", "none")
DISCOVERY = ("home", "sections", "feeds", "sitemaps", "frontier")
ARGUMENTS = ("since", "until", "sections", "max_articles", "refresh", "related_depth", "discover")
#: Arguments that restrict what a run looks at: such a run saw only part of the portal.
RESTRICTING = frozenset({"sections", "max_articles", "since", "until", "discover"})

_SLUG = re.compile(r"^[a-z0-9]+(?:-+[a-z0-9]+)*$")


class ArgumentError(ValueError):
    """A ``-a`` argument that cannot be used; the message names it and says why."""


def section_slugs(value: str | None, declared: Mapping[str, Any] | None = None) -> list[str]:
    """The portal's slugs of the sections ``-a sections=`` asks for, each once, in order.

    ``declared`` is the profile's ``sections`` (portal slug → name). A section may be given
    by its key (``khoa-hoc-giao-duc``, what ``newsbot sections`` prints first), by the
    portal's slug (``khoa-hoc---giao-duc``) or by its name (``Khoa học - Giáo dục``), in
    any case, with or without diacritics. A slug the profile does not declare is passed
    on as the portal's (its menu may have more sections than the profile names); the run
    says so if it has no listing. Anything else is refused, with the nearest keys.
    """
    known = sections_of(declared or {})
    slugs: list[str] = []
    for wanted in (s.strip() for s in (value or "").split(",")):
        if not wanted:
            continue
        found = find_section(known, wanted)
        if found is not None:
            slug = found.slug
        elif _SLUG.match(wanted.lower()):
            slug = wanted.lower()
        else:
            near = near_sections(known, wanted) if known else [section_key(wanted)]
            hint = f"; did you mean {' or '.join(near)}?" if any(near) else ""
            raise ArgumentError(
                f"-a sections: {wanted!r} is not a section slug or name{hint} "
                "(`newsbot sections` lists them, e.g. chinh-tri or khoa-hoc-giao-duc)"
            )
        if slug not in slugs:
            slugs.append(slug)
    return slugs


def _day(value: Any, name: str) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ArgumentError(f"-a {name}={value!r}: expected YYYY-MM-DD") from None


def _count(value: Any, name: str) -> int | None:
    if value in (None, ""):
        return None
    if not str(value).isdigit():
        raise ArgumentError(f"-a {name}={value!r}: expected a whole number")
    return int(value)


@dataclass(frozen=True, slots=True)
class CrawlArguments:
    """What one run was asked to do."""

    since: date | None = None
    until: date | None = None
    #: The portal's slugs (the profile's keys) of the sections asked for, however spelt.
    sections: tuple[str, ...] = ()
    max_articles: int | None = None
    #: None: the ``NEWSBOT_REFRESH`` setting decides.
    refresh: str | None = None
    #: None: the ``NEWSBOT_RELATED_DEPTH`` setting decides.
    related_depth: int | None = None
    discover: frozenset[str] = frozenset(DISCOVERY)
    #: The user's arguments as given (recorded with the run).
    given: Mapping[str, Any] = field(default_factory=dict)
    #: ``_``-prefixed arguments of a scheduler (scrapyd's ``_job``), as given.
    scheduler: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def parse(
        cls, raw: Mapping[str, Any], sections: Mapping[str, Any] | None = None
    ) -> CrawlArguments:
        """Check every argument; :class:`ArgumentError` names the first bad one.

        ``sections`` is the profile's (portal slug → name): ``-a sections=`` may then
        name a section by its key, the portal's slug or its name (see
        :func:`section_slugs`).
        """
        given = {k: v for k, v in raw.items() if v is not None and not k.startswith("_")}
        scheduler = {k: v for k, v in raw.items() if v is not None and k.startswith("_")}
        unknown = sorted(set(given) - set(ARGUMENTS))
        if unknown:
            raise ArgumentError(
                f"unknown argument(s) {', '.join(unknown)}; known: {', '.join(ARGUMENTS)}"
            )
        since, until = _day(given.get("since"), "since"), _day(given.get("until"), "until")
        if since and until and since > until:
            raise ArgumentError(f"-a since={since} is after -a until={until}")
        refresh = given.get("refresh")
        if refresh is not None and refresh not in REFRESH_MODES:
            raise ArgumentError(
                f"-a refresh={refresh!r}: expected one of {', '.join(REFRESH_MODES)}"
            )
        discover = frozenset(DISCOVERY)
        if given.get("discover"):
            asked = [s.strip() for s in str(given["discover"]).split(",") if s.strip()]
            bad = sorted(set(asked) - set(DISCOVERY))
            if bad:
                raise ArgumentError(
                    f"-a discover: unknown {', '.join(bad)}; choose from {', '.join(DISCOVERY)}"
                )
            discover = frozenset(asked)
        return cls(
            since=since,
            until=until,
            sections=tuple(section_slugs(given.get("sections"), sections)),
            max_articles=_count(given.get("max_articles"), "max_articles"),
            refresh=refresh,
            related_depth=_count(given.get("related_depth"), "related_depth"),
            discover=discover,
            given=given,
            scheduler=scheduler,
        )

    @property
    def restricting(self) -> bool:
        """Does this run look at only part of the portal?"""
        return bool(RESTRICTING & set(self.given))

    def recorded(self) -> dict[str, Any]:
        """The arguments as the run's row records them (user's and scheduler's)."""
        return {**self.given, **self.scheduler}
