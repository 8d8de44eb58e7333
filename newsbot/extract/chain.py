"""The merge chain: one record from several extractors, field by field.

Each extractor (a layout, structured data, the generic fallback) offers a dict of
fields; the chain takes, for every field, the first source in that field's order that
has a value, and records the source in ``provenance``. Publisher-independent.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any


def has_value(value: Any) -> bool:
    """True when a field holds something: the chain moves on past empty values, and
    coverage counts the fields that hold one."""
    if value is None:
        return False
    if isinstance(value, str | list | dict | tuple):
        return len(value) > 0
    return True


#: Default order: what the page's own layout says, then what it declares, then guesses.
DEFAULT_ORDER: tuple[str, ...] = ("layout", "structured", "fallback")

#: Per-field exceptions. The byline as structured data is cleaner than the printed
#: one (case, "Ảnh:" credits), so it wins where both exist (record contract).
FIELD_ORDER: dict[str, tuple[str, ...]] = {
    "author": ("structured", "layout", "fallback"),
}


def merge_fields(
    fields: list[str],
    sources: dict[str, tuple[Mapping[str, Any], Callable[[str], str]]],
) -> tuple[dict[str, Any], dict[str, str]]:
    """Pick each field from the first source (in its order) holding a value.

    ``sources`` maps a source kind (``layout``, ``structured``, ``fallback``) to its
    fields and a function naming the precise provenance of a field
    (e.g. ``layout:legacy``, ``structured:jsonld``).
    """
    record: dict[str, Any] = {}
    provenance: dict[str, str] = {}
    for name in fields:
        for kind in FIELD_ORDER.get(name, DEFAULT_ORDER):
            found = sources.get(kind)
            if found is None:
                continue
            values, label = found
            if name in values and has_value(values[name]):
                record[name] = values[name]
                provenance[name] = label(name)
                break
            # A layout that found the field's container and it was empty (an
            # article without images) is an answer, not a gap to fill.
            if kind == "layout" and name in values and isinstance(values[name], list):
                record[name] = []
                provenance[name] = label(name)
                break
    return record, provenance


def decided_before(name: str, kind: str, sources: Mapping[str, Mapping[str, Any]]) -> bool:
    """Does a source ahead of ``kind`` in field ``name``'s order decide the field (as
    :func:`merge_fields` takes it), so that ``kind``'s value for it is never used?
    ``sources``: the fields of the sources known so far, by kind."""
    for earlier in FIELD_ORDER.get(name, DEFAULT_ORDER):
        if earlier == kind:
            return False
        values = sources.get(earlier)
        if values is None or name not in values:
            continue
        if has_value(values[name]) or (earlier == "layout" and isinstance(values[name], list)):
            return True
    return False


def ordered_record(
    identity: Mapping[str, Any], fields: Mapping[str, Any], language: str | None
) -> dict[str, Any]:
    """A record in the contract's field order: ``identity`` (url, source_id, site), then
    the extracted ``fields``; ``modified_at`` and ``media`` only when they hold a value,
    lists as ``[]`` when absent. Provenance is the caller's to add."""
    out: dict[str, Any] = {
        **identity,
        "section": fields.get("section"),
        "title": fields.get("title"),
        "published_at": fields.get("published_at"),
    }
    if fields.get("modified_at"):
        out["modified_at"] = fields["modified_at"]
    out.update(
        lead=fields.get("lead"),
        body=fields.get("body"),
        author=fields.get("author"),
        images=fields.get("images", []),
        related=fields.get("related", []),
    )
    if fields.get("media"):
        out["media"] = fields["media"]
    out["tags"] = fields.get("tags", [])
    out["language"] = language
    return out
