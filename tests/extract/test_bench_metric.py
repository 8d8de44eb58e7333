"""benchmarks.extract: our implementation of the article-extraction benchmark's metric.

Worked by hand: 4-gram shingle multisets per page, counts normalised per page,
precision and recall averaged over pages, F1 of the averages, exact-token accuracy.
"""

from __future__ import annotations

import pytest

from benchmarks.extract import page_counts, score


def test_page_counts_by_hand():
    # truth shingles: (a b c d), (b c d e); prediction: (a b c d) -> tp 1, fp 0, fn 1.
    assert page_counts("a b c d e", "a b c d") == (0.5, 0.0, 0.5)
    # a text shorter than four tokens is one shingle of what it has
    assert page_counts("one two", "one two") == (1.0, 0.0, 0.0)
    assert page_counts("", "") == (0.0, 0.0, 0.0)


def test_score_averages_pages_then_takes_f1():
    truths = {"p1": "a b c d e", "p2": "w x y z"}
    preds = {"p1": "a b c d", "p2": "w x y z"}
    result = score(truths, preds, bootstrap=2)
    assert result["precision"] == 1.0
    assert result["recall"] == pytest.approx(0.75)
    assert result["f1"] == pytest.approx(round(2 * 0.75 / 1.75, 4))
    assert result["accuracy"] == 0.5  # only p2 is exact (punctuation and case aside)


def test_accuracy_ignores_punctuation_only():
    assert score({"p": "Hello, world!"}, {"p": "Hello world"}, bootstrap=2)["accuracy"] == 1.0
    assert score({"p": "Hello, world!"}, {"p": "hello world"}, bootstrap=2)["accuracy"] == 0.0
