"""benchmarks.run: the bench table shows the OneCMS specimens against issue 8's 1 ms
goal (a report of the numbers measured; no test here times anything)."""

from __future__ import annotations

from benchmarks.run import ONECMS_GOAL_MS, _onecms_goal, _table


def _parse(article: float, longform: float) -> dict[str, dict[str, float]]:
    row = {"p95_ms": 2.0, "runs": 300}
    return {
        "legacy-article": {"median_ms": 3.0, **row},
        "onecms-article": {"median_ms": article, **row},
        "onecms-longform": {"median_ms": longform, **row},
        "fallback": {"median_ms": 9.0, **row},
    }


def test_goal_met_only_when_both_onecms_medians_are_within_it():
    assert ONECMS_GOAL_MS == 1.0
    assert _onecms_goal(_parse(0.9, 1.0))["met"] is True
    verdict = _onecms_goal(_parse(0.9, 1.2))
    assert verdict["met"] is False
    assert verdict["medians_ms"] == {"onecms-article": 0.9, "onecms-longform": 1.2}
    assert _onecms_goal({"legacy-article": {"median_ms": 0.1}})["met"] is False  # no specimen


def test_table_marks_each_onecms_row():
    lines = _table({"parse": _parse(0.9, 1.2)}).splitlines()
    article = next(line for line in lines if "onecms-article" in line)
    longform = next(line for line in lines if "onecms-longform" in line)
    legacy = next(line for line in lines if "legacy-article" in line)
    assert article.endswith("<= 1 ms: met")
    assert longform.endswith("<= 1 ms: NOT met")
    assert "ms:" not in legacy
