"""Fingerprints and near-duplicates (newsbot/store/dedup.py), against real stores."""

from __future__ import annotations

import numpy as np
import pytest

from newsbot.store.dedup import (
    Deduplicator,
    content_hash,
    signature_bytes,
    signature_from_bytes,
    text_minhash,
)
from tests.store.factories import BODY, WIRE, wire


@pytest.mark.parametrize(
    "a, b, same",
    [
        pytest.param(
            {"title": "Tin A", "body": "x y"},
            {"title": "Tin A", "body": "x y"},
            True,
            id="identical",
        ),
        pytest.param(
            {"title": "Tin  A ", "body": "x\n\ny"},
            {"title": "Tin A", "body": "x y"},
            True,
            id="whitespace-only",
        ),
        pytest.param({"title": "Tie\u0302\u0301u đề"}, {"title": "Tiếu đề"}, True, id="nfd-vs-nfc"),
        pytest.param(
            {"title": "a", "lead": "bc"}, {"title": "ab", "lead": "c"}, False, id="field-boundary"
        ),
        pytest.param(
            {"title": "Tin A", "body": "x"},
            {"title": "Tin A", "body": "X"},
            False,
            id="case-is-an-edit",
        ),
        pytest.param(
            {"title": "T", "lead": None}, {"title": "T", "lead": ""}, True, id="none-vs-empty"
        ),
    ],
)
def test_content_hash(a, b, same):
    assert (content_hash(a) == content_hash(b)) is same


def test_signature_bytes_round_trip():
    mh = text_minhash({"title": "Tin", "body": WIRE})
    back = signature_from_bytes(signature_bytes(mh))
    assert np.array_equal(np.asarray(back.hashvalues), np.asarray(mh.hashvalues))
    assert back.jaccard(mh) == 1.0


def store_all(store, *records, threshold=0.8):
    dedup = Deduplicator.from_store(store, threshold)
    outcomes = store.write_batch([dedup.annotate(dict(r)) for r in records], "run-1")
    return outcomes


@pytest.mark.parametrize(
    "copy_body, marked",
    [
        pytest.param(WIRE, True, id="verbatim-republication"),
        pytest.param(WIRE.replace("6,3%", "6,4%"), True, id="one-figure-changed"),
        pytest.param(WIRE + " (Theo TTXVN)", True, id="credit-appended"),
        pytest.param(BODY, False, id="different-story"),
    ],
)
def test_near_duplicate_marked_duplicate_of_earlier(store, copy_body, marked):
    outcomes = store_all(
        store,
        wire(1, "2024-04-01T08:00:00+07:00"),
        wire(2, "2024-04-01T10:00:00+07:00", body=copy_body),
    )
    copy = store.get_article(wire(2, "")["url"])
    if marked:
        assert outcomes == ["new", "duplicate"]
        assert copy["duplicate_of"] == wire(1, "")["url"]
    else:
        assert outcomes == ["new", "new"]
        assert copy["duplicate_of"] is None
    assert store.get_article(wire(1, "")["url"])["duplicate_of"] is None


def test_third_copy_points_at_the_original(store):
    store_all(
        store,
        wire(1, "2024-04-01T08:00:00+07:00"),
        wire(2, "2024-04-01T09:00:00+07:00"),
        wire(3, "2024-04-01T10:00:00+07:00"),
    )
    assert {r["source_id"]: r["duplicate_of"] for r in store.iter_articles()} == {
        "150101": None,
        "150102": wire(1, "")["url"],
        "150103": wire(1, "")["url"],
    }


def test_earlier_publication_found_later_becomes_the_original(store):
    # Listings are newest first: the republication is often stored before the original.
    store_all(store, wire(2, "2024-04-02T08:00:00+07:00"))
    store_all(store, wire(3, "2024-04-03T08:00:00+07:00"))  # already a copy of 2
    dedup = Deduplicator.from_store(store)
    results = store.write_batch_results(
        [dedup.annotate(dict(wire(1, "2024-04-01T08:00:00+07:00")))], "run-2"
    )
    # Only 2 is newly a duplicate (3 already was); the caller counts it.
    assert results == [("new", None, wire(2, "")["url"])]
    assert store.get_article(wire(1, "")["url"])["duplicate_of"] is None
    assert store.get_article(wire(2, "")["url"])["duplicate_of"] == wire(1, "")["url"]
    assert store.get_article(wire(3, "")["url"])["duplicate_of"] == wire(1, "")["url"]
    assert {r["url"] for r in store.iter_run_changes("run-2")} == {
        wire(n, "")["url"] for n in (1, 2, 3)
    }


def test_index_rebuilt_from_stored_signatures(store):
    store_all(store, wire(1, "2024-04-01T08:00:00+07:00"))
    stored = bytes(store.query("SELECT signature FROM minhash")[0][0])
    assert stored == signature_bytes(text_minhash(wire(1, "")))
    # Damage the stored text: the index must come from the signature, not the text.
    store.write_batch([dict(wire(1, "2024-04-01T08:00:00+07:00"), body="khác hẳn")], "edit")
    fresh = Deduplicator.from_store(store)
    assert len(fresh.index) == 0  # nothing held in memory: the store is asked
    record = fresh.annotate(dict(wire(2, "2024-04-01T10:00:00+07:00")))
    assert record["duplicate_of"] == wire(1, "")["url"]


def test_threshold_setting_changes_the_decision(store):
    copy = WIRE.split(". ")[0] + ". " + BODY  # shares one sentence only
    outcomes = store_all(
        store,
        wire(1, "2024-04-01T08:00:00+07:00"),
        wire(2, "2024-04-01T10:00:00+07:00", body=copy),
        threshold=0.1,
    )
    assert outcomes == ["new", "duplicate"]


def test_known_article_is_never_its_own_duplicate(store):
    store_all(store, wire(1, "2024-04-01T08:00:00+07:00"))
    record = Deduplicator.from_store(store).annotate(dict(wire(1, "2024-04-01T08:00:00+07:00")))
    assert "duplicate_of" not in record
    assert record["_content_hash"] == content_hash(wire(1, ""))


def test_near_duplicates_are_found_in_the_store_not_in_memory(store):
    store_all(store, wire(1, "2024-04-01T08:00:00+07:00"))
    # A store from before band keys: signatures only. The next deduplicator adds them.
    store.query("DELETE FROM minhash_bands")
    dedup = Deduplicator.from_store(store)
    assert dedup.backfilled == 1 and len(dedup.index) == 0
    copy = dedup.annotate(dict(wire(2, "2024-04-01T10:00:00+07:00")))
    assert copy["duplicate_of"] == wire(1, "")["url"]
    assert store.write_batch([copy], "run-2") == ["duplicate"]
    dedup.flushed()
    # Written, the copy is forgotten by the deduplicator and answered for by the store.
    assert len(dedup.index) == 0
    third = dedup.annotate(dict(wire(3, "2024-04-01T12:00:00+07:00")))
    assert third["duplicate_of"] == wire(1, "")["url"]
    assert Deduplicator.from_store(store).backfilled == 0
