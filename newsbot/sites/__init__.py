"""Publisher profiles and the registry that finds them.

Every module of ``newsbot.sites.publishers`` is one publisher exposing ``SITE`` (a
:class:`~newsbot.sites.portal.PortalSite`); the registry lists that package, so
spiders, pipelines and the CLI need no change when a publisher is added.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from newsbot.sites import publishers
from newsbot.sites.portal import PortalSite


@cache
def site_names() -> list[str]:
    """Names of every publisher module."""
    return sorted(
        m.name for m in pkgutil.iter_modules(publishers.__path__) if not m.name.startswith("_")
    )


@cache
def get_site(name: str) -> PortalSite:
    """The profile of publisher ``name``; ``KeyError`` if there is none."""
    if name not in site_names():
        raise KeyError(f"no site profile named {name!r} (known: {', '.join(site_names())})")
    module = importlib.import_module(f"{publishers.__name__}.{name}")
    site = module.SITE
    if not isinstance(site, PortalSite) or site.name != name:
        raise TypeError(f"{module.__name__}.SITE must be a PortalSite named {name!r}")
    return site


def site_for_url(url: str) -> PortalSite | None:
    """The profile owning ``url``'s host, if any."""
    for name in site_names():
        site = get_site(name)
        if site.owns(url):
            return site
    return None
