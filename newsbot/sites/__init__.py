"""Publisher profiles. One module per publisher, each exposing ``SITE``.

Adding a portal means adding one module here (and its fixtures); the registry finds
it by name, so spiders, pipelines and the CLI need no change.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from newsbot.sites.portal import PortalSite

_NOT_PUBLISHERS = frozenset({"base", "portal", "onecms"})


def site_names() -> list[str]:
    """Names of every publisher module."""
    return sorted(
        m.name
        for m in pkgutil.iter_modules(__path__)
        if m.name not in _NOT_PUBLISHERS and not m.name.startswith("_")
    )


@cache
def get_site(name: str) -> PortalSite:
    """The profile of publisher ``name``; ``KeyError`` if there is none."""
    if name not in site_names():
        raise KeyError(f"no site profile named {name!r} (known: {', '.join(site_names())})")
    module = importlib.import_module(f"{__name__}.{name}")
    return module.SITE


def site_for_url(url: str) -> PortalSite | None:
    """The profile owning ``url``'s host, if any."""
    for name in site_names():
        site = get_site(name)
        if site.owns(url):
            return site
    return None
