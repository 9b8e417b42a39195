"""The live panel checks' truths (fixtures/dashboards/truth.py): what a panel should show, from what
the live run fed. A per-endpoint request rate keeps showing an endpoint whose feed ended (its
counter stays exposed at its last value), fading to 0 req/s: that is right, not a wrong value."""

from __future__ import annotations

from fixtures.dashboards.truth import Truth, api_request_rate
from fixtures.feeders.activities import ApiRequests
from fixtures.scenarios.live_feed import LivePlan

RATE = Truth("api_request_rate", tolerance=0.2, relative=True)


def _plan() -> LivePlan:
    running = ApiRequests(endpoint="/orders-running", every=2.0)
    ended = ApiRequests(endpoint="/orders-ended", every=0.5)
    finished = ApiRequests(endpoint="/orders-finished", every=1.0, until=60.0)  # its feed stops by itself
    return LivePlan(feeds=[(None, running), (None, finished)], now=300.0, ended_at={"ended": 120.0},
                    history=[(None, running, "running"), (None, ended, "ended"), (None, finished, "finished")])


def test_an_ended_feeds_endpoint_may_show_anything_from_its_former_rate_down_to_zero():
    fact = api_request_rate(_plan(), 300.0)

    assert fact.per_series == {("/orders-running", "GET"): 0.5}
    assert RATE.agrees_for(fact, ("/orders-running", "GET"), 0.52)
    assert not RATE.agrees_for(fact, ("/orders-running", "GET"), 0.0)  # a running feed at 0 is wrong
    for key, former in ((("/orders-ended", "GET"), 2.0), (("/orders-finished", "GET"), 1.0)):
        assert RATE.agrees_for(fact, key, 0.0) and RATE.agrees_for(fact, key, former / 2), key
        assert not RATE.agrees_for(fact, key, former * 2), key
    assert not RATE.agrees_for(fact, ("/never-fed", "GET"), 0.0)
