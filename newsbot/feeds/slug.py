"""File names of per-section feeds: an ASCII slug of the section name as the portal prints it."""

from __future__ import annotations

import re
import unicodedata

# Letters that carry no combining mark in Unicode, so NFD does not reduce them to ASCII.
# "Ð" (U+00D0, Icelandic eth) is typed for "Đ" by some CMS keyboards.
_BASE_LETTERS = str.maketrans({"đ": "d", "Đ": "d", "ð": "d", "Ð": "d"})

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def section_slug(section: str | None) -> str:
    """ASCII slug of a section name: diacritics stripped, ``đ``→``d``, runs of other
    characters → ``-``; e.g. ``"Khoa học - Giáo dục"`` → ``"khoa-hoc-giao-duc"``.

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
