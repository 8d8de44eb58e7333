"""File names of per-section feeds: the section's key (:func:`newsbot.sites.sections.section_key`),
an ASCII slug of the section name as the portal prints it."""

from __future__ import annotations

from newsbot.sites.sections import section_key

#: The feeds' name for :func:`~newsbot.sites.sections.section_key`.
section_slug = section_key

__all__ = ["section_slug"]
