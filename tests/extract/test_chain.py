"""newsbot.extract.chain.merge_fields: the field-by-field merge and its provenance.

Rows are the merge rules the record contract needs: layout before structured data
before the fallback, structured author before the printed byline, an empty list from
the layout as an answer, and empty strings or ``None`` as gaps.
"""

from __future__ import annotations

from typing import Any

import pytest

from newsbot.extract.chain import DEFAULT_ORDER, merge_fields

FIELDS = ["title", "published_at", "body", "author", "images", "tags"]


def sources(
    layout: dict[str, Any] | None = None,
    structured: dict[str, Any] | None = None,
    fallback: dict[str, Any] | None = None,
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if layout is not None:
        out["layout"] = (layout, lambda _f: "layout:legacy")
    if structured is not None:
        # Structured data names its precise origin per field.
        origin = {"author": "structured:jsonld", "title": "structured:og"}
        out["structured"] = (structured, lambda f: origin.get(f, "structured:meta"))
    if fallback is not None:
        out["fallback"] = (fallback, lambda _f: "fallback:trafilatura")
    return out


# (sources, field, expected value or None for absent, expected provenance or None)
# fmt: off
ROWS: list[Any] = [
    pytest.param(sources({"title": "Lớp"}, {"title": "Cấu trúc"}, {"title": "Dự phòng"}),
                 "title", "Lớp", "layout:legacy", id="layout-first"),
    pytest.param(sources({}, {"title": "Cấu trúc"}, {"title": "Dự phòng"}),
                 "title", "Cấu trúc", "structured:og", id="structured-when-layout-lacks-field"),
    pytest.param(sources(None, None, {"body": "Thân bài"}),
                 "body", "Thân bài", "fallback:trafilatura", id="fallback-last"),
    pytest.param(sources({"title": ""}, {"title": "Cấu trúc"}),
                 "title", "Cấu trúc", "structured:og", id="empty-string-is-a-gap"),
    pytest.param(sources({"title": None}, None, {"title": "Dự phòng"}),
                 "title", "Dự phòng", "fallback:trafilatura", id="none-is-a-gap"),
    pytest.param(sources({"author": "THANH HƯƠNG"}, {"author": "Thanh Hương"}),
                 "author", "Thanh Hương", "structured:jsonld", id="structured-author-wins"),
    pytest.param(sources({"author": "PV"}, {}),
                 "author", "PV", "layout:legacy", id="printed-byline-without-structured"),
    pytest.param(sources({}, {}, {"author": "Ai đó"}),
                 "author", "Ai đó", "fallback:trafilatura", id="fallback-author-last"),
    pytest.param(sources({"images": []}, {"images": ["https://bhd.1cdn.vn/logo.png"]}),
                 "images", [], "layout:legacy", id="empty-list-from-layout-is-an-answer"),
    pytest.param(sources({}, {"images": ["https://bhd.1cdn.vn/a.jpg"]}),
                 "images", ["https://bhd.1cdn.vn/a.jpg"], "structured:meta",
                 id="images-from-structured-when-layout-has-no-container"),
    pytest.param(sources(None, {"tags": []}, {"tags": ["x"]}),
                 "tags", ["x"], "fallback:trafilatura",
                 id="empty-list-from-structured-is-a-gap"),
    pytest.param(sources({"title": "Lớp"}, {"title": "Cấu trúc"}),
                 "published_at", None, None, id="absent-everywhere-stays-absent"),
    pytest.param({}, "title", None, None, id="no-sources"),
]
# fmt: on


@pytest.mark.parametrize(("found", "field", "value", "provenance"), ROWS)
def test_merge_fields(found: dict[str, Any], field: str, value: Any, provenance: str | None):
    record, prov = merge_fields(FIELDS, found)
    if value is None:
        assert field not in record
        assert field not in prov
    else:
        assert record[field] == value
        assert prov[field] == provenance
    assert set(record) == set(prov)


def test_every_field_named_once_and_only_requested_fields():
    record, prov = merge_fields(
        ["title"], sources({"title": "Lớp", "body": "Thân"}, {"lead": "Sapo"})
    )
    assert record == {"title": "Lớp"}
    assert prov == {"title": "layout:legacy"}


def test_default_order():
    assert DEFAULT_ORDER == ("layout", "structured", "fallback")


def test_decided_before_says_when_a_later_source_is_never_taken():
    """decided_before against merge_fields itself: whenever it says the layout decides
    a field, no value of the structured source changes what the merge takes."""
    import random

    from newsbot.extract.chain import decided_before

    rng = random.Random(5)
    values = [None, "", "x", [], ["a"], {}, {"k": 1}, 0]
    fields = ["title", "author", "images", "tags"]
    for _ in range(2000):
        layout = {f: rng.choice(values) for f in fields if rng.random() < 0.6}
        structured = {f: rng.choice(values) for f in fields if rng.random() < 0.6}
        for name in fields:
            if not decided_before(name, "structured", {"layout": layout}):
                continue
            merged = merge_fields(fields, sources(layout=layout, structured=structured))
            alone = merge_fields(fields, sources(layout=layout, structured={}))
            assert merged[0].get(name, "absent") == alone[0].get(name, "absent")
            assert merged[1].get(name) == alone[1].get(name)
