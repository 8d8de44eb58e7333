"""benchmarks.run: the bench table shows the OneCMS specimens against issue 8's 1 ms
goal (a report of the numbers measured; no test here times anything)."""

from __future__ import annotations

import time

from benchmarks.run import ONECMS_GOAL_MS, _onecms_goal, _table, ratio_ceiling


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


def _runs(full_cpu_s: float, replica_cpu_s: float, bare_cpu_s: float) -> tuple[dict, dict]:
    full = {
        "responses": 1000,
        "stats": {"newsbot/time/cpu_s": full_cpu_s},
        "replica_cpu_s": replica_cpu_s,
    }
    bare = {"pages": 1000, "cpu_s": bare_cpu_s, "replica_cpu_s": 1.0}
    return full, bare


def test_ratio_ceiling_is_bound_by_one_core_for_one_process():
    # 10 ms of crawl CPU a page: one process fetches at most 100 pages/s, whatever the
    # cores; a bare crawl of 5 ms a page fetches 200 pages/s: 0.5.
    full, bare = _runs(full_cpu_s=10.0, replica_cpu_s=2.0, bare_cpu_s=5.0)
    ceiling = ratio_ceiling(full, bare, cores=2)
    assert ceiling["ratio_ceiling"]["one_process"] == 0.5
    # Split over processes: 2 cores / (10 + 2) ms a page = 166.7 pages/s.
    assert ceiling["ratio_ceiling"]["any_split"] == round(2000 / 12 / 200, 3)
    assert ceiling["replica_cpu_ms_per_page"] == 2.0


def test_ratio_ceiling_on_one_core_is_shared_with_the_server():
    full, bare = _runs(full_cpu_s=4.0, replica_cpu_s=1.0, bare_cpu_s=2.0)
    ceiling = ratio_ceiling(full, bare, cores=1)
    # Full: 1 core / (4 + 1) ms = 200 pages/s; bare: 1 core / (2 + 1) ms = 333.3 pages/s.
    assert ceiling["ratio_ceiling"] == {"one_process": 0.6, "any_split": 0.6}


def test_table_prints_the_ceiling_next_to_the_goal():
    crawl = {
        "articles": 10,
        "ms_per_article": {},
        **{k: 1 for k in ("stored", "articles_per_s", "full_pages_per_s", "bare_pages_per_s")},
        **{k: 1 for k in ("ratio", "peak_rss_mb", "full_crawl_s", "bare_crawl_s", "errors")},
        **{k: 1 for k in ("full_cpu_ms_per_page", "bare_cpu_ms_per_page", "cpu_ratio")},
        "cores": 2,
        "ratio_ceiling": {"one_process": 0.47, "any_split": 0.74},
    }
    text = _table({"parse": _parse(0.9, 0.9), "crawl": crawl})
    assert "ratio ceiling on 2 cores: 0.47 for one crawl process, 0.74" in text


def test_table_shows_each_parse_beside_lxml_alone():
    parse = _parse(0.9, 0.9)
    parse["onecms-article"].update(html_parse_ms=0.3, x_html_parse=3.0, cpu_median_ms=0.8)
    lines = _table({"parse": parse}).splitlines()
    article = next(line for line in lines if "onecms-article" in line)
    assert article.split()[1:6] == ["0.900", "2.000", "0.800", "0.300", "3.00"]
    legacy = next(line for line in lines if "legacy-article" in line)
    assert legacy.split()[1:] == ["3.000", "2.000"]  # no floor measured: left blank
    # The columns line up: each value ends where its heading does.
    heading = lines[2]
    for word, value in (("cpu", "0.800"), ("lxml", "0.300")):
        assert article.index(value) + len(value) == heading.index(word) + len(word)


def test_timings_give_the_cpu_median_beside_the_wall_median():
    from benchmarks.run import _timings

    def sleepy() -> None:
        time.sleep(0.002)  # 2 ms on the wall clock, next to no CPU

    row = _timings(sleepy, 11)
    assert row["median_ms"] >= 2.0
    assert row["cpu_median_ms"] < row["median_ms"] / 2
