"""fixtures/polling.py: poll() returns as soon as the probe is done, else the last thing it saw."""

from fixtures.polling import Steady, poll


class Probe:
    """Answers from a script, one entry per call; an exception in the script is raised."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.calls = 0

    def __call__(self):
        answer = self.answers[min(self.calls, len(self.answers) - 1)]
        self.calls += 1
        if isinstance(answer, Exception):
            raise answer
        return answer


def test_returns_the_first_value_that_is_done():
    probe = Probe("starting", "starting", "ready", "never asked")
    seen = poll(probe, lambda value: value == "ready", timeout=60, interval=0)
    assert (seen.ok, seen.value, probe.calls) == (True, "ready", 3)


def test_a_probe_exception_means_not_yet():
    probe = Probe(ConnectionError("refused"), "ready")
    seen = poll(probe, lambda value: value == "ready", timeout=60, interval=0)
    assert (seen.ok, seen.value) == (True, "ready")


def test_out_of_time_returns_the_last_value_seen():
    seen = poll(Probe([]), bool, timeout=0, interval=0)
    assert (seen.ok, seen.value) == (False, [])


def test_out_of_time_after_an_exception_returns_the_exception():
    refused = ConnectionError("refused")
    seen = poll(Probe(refused), bool, timeout=0, interval=0)
    assert seen.ok is False and seen.value is refused, seen


class Clock:
    """time.monotonic for fixtures.polling, moved by hand."""

    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_steady_holds_only_once_the_measure_stopped_moving(monkeypatch):
    clock = Clock()
    monkeypatch.setattr("fixtures.polling.time.monotonic", clock)
    steady = Steady(3.0)
    assert steady(5) is False, "just seen: not yet steady"
    clock.now += 2
    assert steady(5) is False
    clock.now += 2
    assert steady(6) is False, "a late arrival moved it: the clock starts again"
    clock.now += 2.9
    assert steady(6) is False
    clock.now += 0.1
    assert steady(6) is True
