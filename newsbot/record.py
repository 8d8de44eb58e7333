"""The article record, declared once: :class:`ArticleItem` and what follows from it.

Every field is declared on :class:`ArticleItem` with its metadata (read through
``ItemAdapter.get_field_meta_from_class``): what it is (``kind``), whether a record is
stored without it (``required``), whether a crawl reports its coverage (``coverage``),
whether it is left out rather than null when the page does not state it
(``optional``), whether it is held as JSON (``json``), whether the store does not keep it
(``transient``), and its JSON Schema.
From that one declaration come the field tuples other modules use (store columns,
CSV columns, validation, coverage), :func:`json_schema` (shipped as
``newsbot/record.schema.json``, checked against this module by the tests) and
:func:`public_view`, the shape every output has: ``scrapy crawl -O``/``FEEDS``, the
run files, the by-date files and ``newsbot export``.

Field kinds: ``page`` (parsed from the article page or its URL), ``meta`` (about the
record: provenance, schema version) and ``store`` (bookkeeping the store sets when it
writes the record). Internal bytes (raw HTML, fetch times, MinHash signatures) are
never fields: they travel beside the item (see :mod:`newsbot.pipelines.run`).

``SCHEMA_VERSION`` changes when a field is removed or changes meaning; adding a field
does not change it (consumers ignore fields they do not know).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from importlib import resources
from typing import Any

from itemadapter import ItemAdapter
from scrapy.item import Field, Item

from newsbot.extract.chain import has_value  # noqa: F401  (re-exported: coverage counts these)

#: Version of the record shape (also in the feeds' ``index.json``).
SCHEMA_VERSION = 1

_DATETIME = {"type": "string", "format": "date-time"}
_URL = {"type": "string", "format": "uri", "pattern": "^https?://"}
_TEXT = {"type": "string", "minLength": 1}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


def _links(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "array",
        "items": {
            "type": "object",
            "required": list(item),
            "properties": item,
        },
    }


def _field(kind: str, description: str, schema: dict[str, Any], **meta: Any) -> Field:
    return Field(kind=kind, description=description, schema=schema, **meta)


class ArticleItem(Item):
    """One article as every newsbot component passes it (field metadata: module docstring).

    Built from a parser's dict (``ArticleItem(record)``); ``schema_version`` is set on
    creation. An undeclared key is a programming error (``KeyError``).
    """

    url = _field(
        "page",
        "canonical article URL: https, desktop host, no query or fragment",
        _URL,
        required=True,
    )
    source_id = _field(
        "page", "the portal's numeric article id, as a string", _nullable({"type": "string"})
    )
    site = _field("page", "site profile name, e.g. baohaiduong", _TEXT)
    section = _field(
        "page", "section name as the breadcrumb shows it", _nullable(_TEXT), coverage=True
    )
    title = _field("page", "headline", _TEXT, required=True, coverage=True)
    published_at = _field(
        "page", "publication time, ISO 8601 with offset", _DATETIME, required=True, coverage=True
    )
    modified_at = _field(
        "page",
        "last modification time when the page states a later one; absent otherwise",
        _DATETIME,
        optional=True,
    )
    lead = _field("page", "the sapo / lead paragraph", _nullable({"type": "string"}), coverage=True)
    body = _field(
        "page",
        "the text, paragraphs joined by one blank line",
        _TEXT,
        required=True,
        coverage=True,
        paragraphs=True,
    )
    author = _field(
        "page",
        "byline as printed, or structured authors joined with ', '",
        _nullable({"type": "string"}),
        coverage=True,
    )
    images = _field(
        "page",
        "images in page order; caption null when the page shows none",
        _links({"url": _URL, "caption": _nullable({"type": "string"})}),
        coverage=True,
        json=True,
    )
    related = _field(
        "page",
        "related articles of this publisher, canonical URLs, each once",
        _links({"url": _URL, "title": _nullable({"type": "string"})}),
        coverage=True,
        json=True,
    )
    media = _field(
        "page",
        "audio/video in the body; absent when none",
        _links({"url": _URL, "kind": {"type": "string"}}),
        optional=True,
        json=True,
    )
    aliases = _field(
        "page",
        "other URLs of the same article (the publisher's other domain), canonical; absent "
        "when none",
        {"type": "array", "items": _URL},
        optional=True,
        json=True,
    )
    tags = _field(
        "page",
        "keywords, in order",
        {"type": "array", "items": {"type": "string"}},
        coverage=True,
        json=True,
    )
    language = _field("page", "ISO 639-1 language code", _nullable({"type": "string"}))
    provenance = _field(
        "meta",
        "field -> extractor that produced it (layout:..., structured:..., fallback:...)",
        {"type": "object", "additionalProperties": {"type": "string"}},
        json=True,
    )
    problems = _field(
        "meta",
        "field -> why the parser did not find it; absent when every field was found",
        {"type": "object", "additionalProperties": {"type": "string"}},
        optional=True,
        json=True,
        transient=True,
    )
    schema_version = _field(
        "meta",
        "version of this record shape",
        {"type": "integer", "const": SCHEMA_VERSION},
        transient=True,
    )
    content_hash = _field(
        "store", "sha256 of the normalised title, lead and body", {"type": "string"}
    )
    version = _field("store", "1, then +1 for each changed text", {"type": "integer", "minimum": 1})
    first_seen_at = _field("store", "when the store first saw the article (UTC)", _DATETIME)
    last_seen_at = _field("store", "when a crawl last saw the article (UTC)", _DATETIME)
    duplicate_of = _field(
        "store", "URL of the earlier article when this is a near-duplicate", _nullable(_URL)
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.setdefault("schema_version", SCHEMA_VERSION)


def field_meta(name: str) -> Mapping[str, Any]:
    """The declared metadata of a record field."""
    return ItemAdapter.get_field_meta_from_class(ArticleItem, name)


def _fields(**wanted: Any) -> tuple[str, ...]:
    return tuple(
        name
        for name in ItemAdapter.get_field_names_from_class(ArticleItem)
        if all(field_meta(name).get(k, False) == v for k, v in wanted.items())
    )


#: Every field, in the order records are printed.
ALL_FIELDS: tuple[str, ...] = tuple(ItemAdapter.get_field_names_from_class(ArticleItem))
#: The page's fields (what a parser produces), in order.
RECORD_FIELDS: tuple[str, ...] = _fields(kind="page")
#: Fields the store keeps (columns of ``articles``); the others are set on output.
STORED_FIELDS: tuple[str, ...] = _fields(transient=False)
#: Fields the store sets when it writes a record.
BOOKKEEPING_FIELDS: tuple[str, ...] = _fields(kind="store")
#: Fields a record must have to be stored (the url too; the rest may be empty).
REQUIRED_FIELDS: tuple[str, ...] = tuple(f for f in _fields(required=True) if f != "url")
#: Fields whose coverage a crawl reports (a drop shows a layout change).
COVERAGE_FIELDS: tuple[str, ...] = _fields(coverage=True)
#: Fields absent (not null) from a record when the page does not state them.
OPTIONAL_FIELDS: frozenset[str] = frozenset(_fields(optional=True))
#: Fields held as JSON (lists and objects): JSON columns in the store, JSON in CSV cells.
JSON_FIELDS: tuple[str, ...] = _fields(json=True)
#: Fields whose text keeps paragraph breaks (the rest are one line).
PARAGRAPH_FIELDS: frozenset[str] = frozenset(_fields(paragraphs=True))


def public_view(record: Mapping[str, Any]) -> dict[str, Any]:
    """The record as consumers see it: declared fields in order, ``schema_version`` set,
    then any other fields; keys starting with ``_`` (internal) dropped."""
    out = {k: record[k] for k in ALL_FIELDS if k in record}
    out["schema_version"] = SCHEMA_VERSION
    for k, v in record.items():
        if k not in out and not str(k).startswith("_"):
            out[k] = v
    return out


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a stored record, derived from :class:`ArticleItem`.

    Every field but the optional ones is required; other fields may appear.
    """
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"urn:newsbot:record:{SCHEMA_VERSION}",
        "title": "newsbot article record",
        "type": "object",
        "required": [f for f in ALL_FIELDS if f not in OPTIONAL_FIELDS],
        "properties": {
            name: {"description": field_meta(name)["description"], **field_meta(name)["schema"]}
            for name in ALL_FIELDS
        },
        "additionalProperties": True,
    }


def render_json_schema() -> str:
    """:func:`json_schema` as the text of the shipped file."""
    return json.dumps(json_schema(), ensure_ascii=False, indent=2) + "\n"


def shipped_json_schema() -> dict[str, Any]:
    """The schema file shipped in the package (``newsbot/record.schema.json``)."""
    text = resources.files("newsbot").joinpath("record.schema.json").read_text("utf-8")
    return json.loads(text)


if __name__ == "__main__":  # pragma: no cover - `python -m newsbot.record` rewrites the file
    import sys

    sys.stdout.write(render_json_schema())
