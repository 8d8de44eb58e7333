"""One name for a section everywhere: its key, the ASCII slug of the name it is shown under.

A profile declares its sections as the portal knows them (``slug → name``, the slug being
the one in the portal's listing URLs, e.g. ``khoa-hoc---giao-duc`` for "Khoa học - Giáo
dục"). Outside the profile a section goes by its **key**, :func:`section_key` of its
name (``khoa-hoc-giao-duc``): what ``newsbot sections`` prints first, what ``-a
sections=`` and ``newsbot export --section`` take and what the feed files are named
after (``<site>/<key>.atom``). The portal's slug, the name and any spelling of either
that differs only in case, diacritics, spaces or punctuation are accepted as aliases of
the key.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# Letters that carry no combining mark in Unicode, so NFD does not reduce them to ASCII.
# "Ð" (U+00D0, Icelandic eth) is typed for "Đ" by some CMS keyboards.
_BASE_LETTERS = str.maketrans({"đ": "d", "Đ": "d", "ð": "d", "Ð": "d"})

_NON_ALNUM = re.compile(r"[^a-z0-9]+")

__all__ = ["Section", "find_section", "near_sections", "section_key", "sections_of"]


def section_key(section: str | None) -> str:
    """ASCII slug of a section name: diacritics stripped, ``đ``→``d``, runs of other
    characters → ``-``; e.g. ``"Khoa học - Giáo dục"`` → ``"khoa-hoc-giao-duc"``, and so
    is ``"khoa-hoc---giao-duc"``.

    Returns ``""`` when nothing ASCII is left (the caller picks a fallback name).
    """
    if not section:
        return ""
    # NFKD splits accents off their letters and also turns compatibility forms
    # (full-width letters, ligatures) into plain ones.
    text = unicodedata.normalize("NFKD", section.translate(_BASE_LETTERS))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.translate(_BASE_LETTERS).lower()
    return _NON_ALNUM.sub("-", text).strip("-")


@dataclass(frozen=True, slots=True)
class Section:
    """A section a profile declares."""

    #: The canonical key: :func:`section_key` of the name.
    key: str
    #: The portal's slug, as in its listing URLs (the profile's mapping key).
    slug: str
    #: The name the portal shows (and records carry in ``section``).
    name: str

    @property
    def aliases(self) -> tuple[str, ...]:
        """Every spelling that finds this section, the key first."""
        return tuple(dict.fromkeys((self.key, self.slug, self.name)))


def sections_of(declared: Mapping[str, Any] | Iterable[Sequence[Any]]) -> list[Section]:
    """The sections of a profile's ``sections`` in its order.

    A mapping of slug → name (or → an object with a ``name``); ``(slug, ..., name)``
    rows are read too.
    """
    if isinstance(declared, Mapping):
        pairs = [(str(k), str(getattr(v, "name", v))) for k, v in declared.items()]
    else:
        pairs = [(str(row[0]), str(row[-1])) for row in declared]
    return [Section(section_key(name) or section_key(slug), slug, name) for slug, name in pairs]


def find_section(sections: Iterable[Section], wanted: str) -> Section | None:
    """The section ``wanted`` names (its key, the portal's slug or its name, in any case,
    with or without diacritics), or None."""
    wanted = wanted.strip()
    sections = list(sections)
    for section in sections:
        if wanted in section.aliases:
            return section
    key = section_key(wanted)
    if not key:
        return None
    for section in sections:
        if key in (section.key, section_key(section.slug)):
            return section
    return None


def near_sections(sections: Iterable[Section], wanted: str, n: int = 3) -> list[str]:
    """Keys of the sections nearest ``wanted`` (a part of it, or a near spelling)."""
    by_key = {s.key: s for s in sections}
    key = section_key(wanted)
    if not key:
        return []
    near = [k for k in by_key if key in k or k in key]
    near += [
        k for k in difflib.get_close_matches(key, list(by_key), n=n, cutoff=0.6) if k not in near
    ]
    return near[:n]
