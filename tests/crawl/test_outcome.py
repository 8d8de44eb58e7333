"""How a run ended: start points and connection failures in, a verdict out."""

from __future__ import annotations

import pytest

from newsbot.crawl.outcome import NOTHING_FETCHED, UNREACHABLE, RunOutcome


def outcome(requested: int) -> RunOutcome:
    o = RunOutcome()
    for _ in range(requested):
        o.start_requested()
    o.all_requested = True
    return o


def test_finding_8_every_start_point_given_up_on_is_nothing_fetched():
    o = outcome(3)
    assert [o.start_failed(), o.start_failed(), o.start_failed()] == [None, None, NOTHING_FETCHED]
    assert o.at_close(responses=3) == NOTHING_FETCHED  # 429s are responses too


def test_one_start_point_read_is_enough():
    o = outcome(3)
    o.start_read()
    assert [o.start_failed(), o.start_failed()] == [None, None]
    assert o.at_close(responses=5) is None


def test_no_verdict_before_every_start_point_is_requested():
    o = RunOutcome()
    o.start_requested()
    assert o.start_failed() is None
    o.all_requested = True
    assert o.nothing_fetched


def test_a_run_with_no_start_points_is_not_nothing_fetched():
    assert RunOutcome(all_requested=True).at_close(responses=0) is None


@pytest.mark.parametrize(
    ("failures", "dns", "responses", "verdicts"),
    [
        pytest.param(1, True, 0, [UNREACHABLE], id="dns-at-once"),
        pytest.param(3, False, 0, [None, None, UNREACHABLE], id="refused-three-times"),
        pytest.param(3, False, 2, [None, None, None], id="something-answered"),
    ],
)
def test_when_the_portal_counts_as_unreachable(failures, dns, responses, verdicts):
    o = RunOutcome()
    got = [
        o.connection_failed("connection refused", dns=dns, responses=responses)
        for _ in range(failures)
    ]
    assert got == verdicts


def test_unreachable_at_close_when_nothing_ever_answered():
    o = RunOutcome()
    o.connection_failed("connection refused", dns=False, responses=0)
    assert o.at_close(responses=0) == UNREACHABLE
    assert o.unreachable_reason == "connection refused"
