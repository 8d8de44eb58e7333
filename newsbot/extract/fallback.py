"""The generic fallback: trafilatura, for pages no layout of ours understands.

Only called when the layout and structured data leave title, date or body empty,
so its cost (tens of milliseconds) stays off the common path.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import trafilatura
from lxml.html import HtmlElement

from newsbot.extract.dates import parse_datetime
from newsbot.extract.text import normalize_text

log = logging.getLogger(__name__)

# Pages past this size are cut before the fallback: trafilatura's heuristics are
# super-linear on huge trees and no real article needs more.
MAX_FALLBACK_CHARS = 2_000_000
#: Less text than this is not an article body (a headline-sized scrap of a page).
MIN_BODY_CHARS = 80


def extract_fallback(html: str, url: str, *, lead: str | None = None) -> dict[str, Any]:
    """Title, published date (raw string) and body paragraphs found by trafilatura.

    ``lead``, when known, is removed from the body so the record keeps them apart.
    """
    if len(html) > MAX_FALLBACK_CHARS:
        html = html[:MAX_FALLBACK_CHARS]
    try:
        doc = trafilatura.bare_extraction(
            html,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_tables=False,
            include_images=False,
            favor_precision=True,
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
    except Exception as exc:  # third-party heuristics on hostile input: a reason, not a crash
        log.debug("trafilatura failed on %s: %s", url, exc)
        return {}
    if doc is None:
        return {}
    data = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    out: dict[str, Any] = {}
    if data.get("title"):
        out["title"] = normalize_text(data["title"])
    if data.get("date") and _corroborated(str(data["date"]), html, url):
        out["published_at"] = str(data["date"])
    text = data.get("text") or data.get("raw_text") or ""
    skip = {normalize_text(lead)} if lead else set()
    if "title" in out:
        skip.add(out["title"])
    paragraphs = [
        p
        for p in (normalize_text(line) for line in text.split("\n"))
        if p and p not in skip and not p.startswith(">>")
    ]
    # A lone date line or a menu entry is what trafilatura returns from pages with no
    # article text (cut-off or navigation-only pages); that is no body.
    paragraphs = [p for p in paragraphs if not (len(p) <= 40 and parse_datetime(p).value)]
    if sum(len(p) for p in paragraphs) >= MIN_BODY_CHARS:
        out["body"] = "\n\n".join(paragraphs)
    return out


_ISO_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


def _corroborated(date: str, html: str, url: str) -> bool:
    """True when the page or its URL states the calendar day trafilatura returned.

    htmldate "repairs" what it cannot read (30/02/2021 becomes 2021-02-01, year 0001
    becomes 2001); a day the page never states is such a guess, and a guess is worse
    than no date (the record then says why it has none).
    """
    m = _ISO_DAY.match(date)
    if m is None:
        return False
    y, mo, d = m.group(1), m.group(2), m.group(3)
    mo_i, d_i = int(mo), int(d)
    forms = (
        f"{y}-{mo}-{d}",
        f"{y}/{mo}/{d}",
        f"{y}{mo}{d}",
        f"{d}/{mo}/{y}",
        f"{d_i}/{mo_i}/{y}",
        f"{d}.{mo}.{y}",
        f"{d_i}.{mo_i}.{y}",
        f"{d}-{mo}-{y}",
        f"{y}/{mo_i}/{d_i}",
        f"/{y}/{mo}/{d}/",
        f"{d_i} tháng {mo_i}",
    )
    haystack = url + html
    if any(form in haystack for form in forms):
        return True
    # Written with the month's name ("20 May 2025", "May 20, 2025"): the day and year
    # both printed close together is enough.
    return (
        re.search(rf"(?<!\d){d_i}(?!\d)\D{{1,20}}{y}|{y}\D{{1,20}}(?<!\d){d_i}(?!\d)", html)
        is not None
    )


# Elements whose class names say they hold a date or time ("ngay" is Vietnamese for
# day), after the headline when there is one (a masthead or sidebar comes before it),
# leaving out update stamps and lists of other stories.
_DATE_CLASS = (
    "(contains(@class, 'date') or contains(@class, 'time') or contains(@class, 'ngay')"
    " or contains(@class, 'publish') or contains(@class, 'publica') or contains(@class, 'fecha')"
    " or contains(@class, 'datum'))"
    " and not(contains(@class, 'updat')) and not(contains(@class, 'modif'))"
    " and not(ancestor::li) and not(self::script) and not(self::style)"
)
# Strings evaluated per call, not compiled ``lxml.etree.XPath`` objects: a compiled one
# is shared state with a lock, which a RecursionError inside it once left held (see
# newsbot.sites.layout).
_DATE_AFTER_HEADLINE = f"(//body//h1)[1]/following::*[{_DATE_CLASS}]"
_DATE_ANYWHERE = f"//body//*[{_DATE_CLASS}]"


_CLOCK = re.compile(r"\d{1,2}\s*[:h]\s*\d{2}")


def find_page_date_text(doc: HtmlElement) -> str | None:
    """The printed date line of a page (its text), when no extractor knew where to look.

    Generic heuristic: the first element whose class mentions a date or time and
    whose text holds a date (Vietnamese and ISO formats, see ``newsbot.extract.dates``),
    one with a time of day preferred (a masthead shows today's date alone). A line with
    an impossible date ("30/02/2021") is returned too, so the caller can report it.
    """
    date_only = None
    candidates = doc.xpath(_DATE_AFTER_HEADLINE) or doc.xpath(_DATE_ANYWHERE)
    for el in candidates[:20]:
        text = " ".join(el.itertext())
        if len(text) > 120:
            continue
        parsed = parse_datetime(text)
        refused = ("day ", "month ", "year ", "date in the future")
        if parsed.value is None and not (parsed.reason or "").startswith(refused):
            continue
        if _CLOCK.search(text):
            return text
        date_only = date_only or text
    return date_only


def find_page_date(doc: HtmlElement) -> str | None:
    """A publication time printed on the page (ISO, +07:00), see :func:`find_page_date_text`."""
    text = find_page_date_text(doc)
    return parse_datetime(text).iso if text else None
