"""Spidermon, for users who have it: a field-coverage monitor on every run.

Optional (``pip install 'newsbot[spidermon]'``). With ``SPIDERMON_ENABLED=True`` the
:class:`SpidermonCoverage` add-on enables Spidermon's extension, its field coverage
counting, and :class:`CoverageMonitorSuite` at spider close, with
:data:`DEFAULT_RULES` unless ``SPIDERMON_FIELD_COVERAGE_RULES`` is set. A failed rule
is reported the Spidermon way (its log lines, and whatever actions the user adds to
the suite: mail, Slack...).

Spidermon measures coverage over the items that were scraped; a page the parser
could not read never becomes an item, so a total layout break shows here as "no
items" rather than as low coverage. The ``newsbot_field_coverage`` metric and
``newsbot stats`` count every article page and catch that case too.
"""

from __future__ import annotations

from typing import Any

from scrapy.exceptions import NotConfigured

from newsbot.record import ArticleItem

#: Spidermon names coverage stats after the item's class.
_ITEM = ArticleItem.__name__

#: Share of scraped records that must carry each field (``ArticleItem/<field>``).
#: Tuned on the portal: every article has these; images and tags vary.
DEFAULT_RULES: dict[str, float] = {
    f"{_ITEM}/title": 0.9,
    f"{_ITEM}/published_at": 0.9,
    f"{_ITEM}/body": 0.9,
    f"{_ITEM}/lead": 0.8,
    f"{_ITEM}/section": 0.8,
    f"{_ITEM}/author": 0.5,
}

try:
    from spidermon import MonitorSuite
    from spidermon.contrib.scrapy.monitors import FieldCoverageMonitor
except ImportError:  # the optional extra is not installed
    MonitorSuite = None  # type: ignore[assignment,misc]
else:

    class CoverageMonitorSuite(MonitorSuite):  # type: ignore[misc,valid-type]
        """Field coverage of the run's records against ``SPIDERMON_FIELD_COVERAGE_RULES``."""

        monitors = [FieldCoverageMonitor]


class SpidermonCoverage:
    """Scrapy add-on: wires Spidermon's coverage monitor when ``SPIDERMON_ENABLED``."""

    def update_settings(self, settings: Any) -> None:
        if not settings.getbool("SPIDERMON_ENABLED"):
            return
        if MonitorSuite is None:
            raise NotConfigured(
                "SPIDERMON_ENABLED needs spidermon: pip install 'newsbot[spidermon]'"
            )
        settings.set_in_component_priority_dict(
            "EXTENSIONS", "spidermon.contrib.scrapy.extensions.Spidermon", 500
        )
        settings.set("SPIDERMON_ADD_FIELD_COVERAGE", True, "addon")
        # Records carry every field, null when the page gave none: a null is missing.
        settings.set("SPIDERMON_FIELD_COVERAGE_SKIP_NONE", True, "addon")
        if not settings.getdict("SPIDERMON_FIELD_COVERAGE_RULES"):
            settings.set("SPIDERMON_FIELD_COVERAGE_RULES", DEFAULT_RULES, "addon")
        if not settings.getlist("SPIDERMON_SPIDER_CLOSE_MONITORS"):
            settings.set(
                "SPIDERMON_SPIDER_CLOSE_MONITORS",
                ["newsbot.monitors.CoverageMonitorSuite"],
                "addon",
            )
