"""The harness's waits on a live system go through fixtures/polling.py, and none hides in a
constructor: the alert watch and the log watch, driven by fakes of the live system."""

from __future__ import annotations

from types import SimpleNamespace

from fixtures.logs import delivery as log_delivery
from fixtures.logs.delivery import Planned
from fixtures.scenarios import alert_watch
from fixtures.scenarios.alert_watch import AlertWatch, Resolution, key, watch_resolution
from fixtures.scenarios.model import ExpectedAlert


class Untouchable:
    """A Prometheus no one may ask anything yet."""

    def __getattr__(self, name):
        raise AssertionError(f"the live system was asked {name!r} before watching was asked for")


class FakePrometheus:
    def __init__(self, *answers: list[dict]):
        self.answers = list(answers)
        self.calls = 0

    def alerts(self) -> list[dict]:
        answer = self.answers[min(self.calls, len(self.answers) - 1)]
        self.calls += 1
        return answer


def _live(prometheus, expected=()):
    sinks = SimpleNamespace(webhook=SimpleNamespace(snapshot=list), slack=SimpleNamespace(snapshot=list),
                            smtp=SimpleNamespace(snapshot=list))
    return SimpleNamespace(prometheus=prometheus, failures={}, plan=SimpleNamespace(expected=list(expected)),
                           real_time=False, history=SimpleNamespace(window_s=0.0), feeder_elapsed=lambda: 1.0,
                           feeder=None, sinks=sinks, timings={})


def test_an_alert_watch_asks_nothing_of_the_live_stack_until_it_is_told_to_watch(reference_stack, monkeypatch):
    monkeypatch.setattr(alert_watch, "POLL_S", 0)
    watch = AlertWatch(_live(Untouchable()), reference_stack)  # would raise if the constructor polled
    watch.live.prometheus = prometheus = FakePrometheus([{"state": "firing", "labels": {"alertname": "X"}}])
    assert watch.watch() is watch
    assert prometheus.calls == 1, "nothing expected: the first poll completes the watch"
    assert watch.observed.first_firing({"alertname": "X"}) == 1.0


def test_resolution_is_watched_until_every_pending_alert_stopped_firing(monkeypatch):
    monkeypatch.setattr(alert_watch, "RESOLVE_GRACE_S", 0)
    firing = ExpectedAlert("HostBusy", {"host": "db1"}).full_labels()
    prometheus = FakePrometheus([{"state": "firing", "labels": firing}], [{"state": "firing", "labels": firing}], [])
    pending = {key(firing): Resolution(ended_at=0.5, ended_wall=0.0)}
    watch_resolution(_live(prometheus), pending, lambda: True, alert_watch.Observed(), deadline_s=60)
    assert prometheus.calls == 3 and pending[key(firing)].resolved_at == 1.0


class FakeStore:
    """Search answers, one per call: the event ids the store holds then."""

    def __init__(self, *held: list[str]):
        self.held = list(held)
        self.calls = 0

    def search(self, index, query, size, source, sequence=False):
        ids = self.held[min(self.calls, len(self.held) - 1)]
        self.calls += 1
        return [{"_source": {"event_id": event_id}} for event_id in ids]


def test_the_log_watch_waits_for_every_event_and_a_settled_count(monkeypatch):
    monkeypatch.setattr(log_delivery, "SETTLE_S", 0)
    monkeypatch.setattr(log_delivery, "POLL_INTERVAL_S", 0)
    planned = [Planned({"fields": {"event_id": "a"}}, emitted_at=0.0), Planned({"fields": {"event_id": "b"}}, 0.0)]
    store = FakeStore([], ["a"], ["a", "b"], ["a", "b", "b"])
    arrivals = log_delivery.watch(store, "logs-*", planned, timeout_s=60)
    assert arrivals.complete and arrivals.hits == {"a": 1, "b": 1} and store.calls == 3, (arrivals, store.calls)
