"""fixtures/warmup.py: the live pipelines start together on first use; each pipeline's failure
reaches its own checks only; what no check took is stopped at the end."""

import threading

import pytest

from fixtures.warmup import Pipeline, Warmup, needed


class Request:
    """The part of pytest's FixtureRequest the warm-up uses: session fixtures by name."""

    def __init__(self, **fixtures):
        self.fixtures = fixtures
        self.config = object()

    def getfixturevalue(self, name):
        value = self.fixtures[name]
        if isinstance(value, BaseException):
            raise value
        return value


class Recorder:
    def __init__(self):
        self.stopped = []


def pipelines(recorder, barrier=None, fail=()):
    def starter(name):
        def start(config, **needs):
            if barrier is not None:
                barrier.wait(timeout=30)  # both starters must be under way at once to get past this
            if name in fail:
                raise RuntimeError(f"{name} did not start")
            return f"{name} started with {sorted(needs)}"
        return start

    return [Pipeline(name, f"{name}_fixture", ("stack",), starter(name), recorder.stopped.append)
            for name in ("alerting", "logs")]


def test_every_needed_pipeline_starts_on_first_use_at_the_same_time():
    recorder = Recorder()
    warmup = Warmup(pipelines(recorder, barrier=threading.Barrier(2)))
    assert warmup.take("logs", Request(stack="s")) == "logs started with ['stack']"
    assert warmup.started == ["alerting", "logs"]  # taking one started both, concurrently (the barrier)
    assert warmup.take("alerting", Request(stack="s")) == "alerting started with ['stack']"
    warmup.close()
    assert sorted(recorder.stopped) == ["alerting started with ['stack']", "logs started with ['stack']"]


def test_a_failed_start_is_raised_to_its_own_taker_only():
    recorder = Recorder()
    warmup = Warmup(pipelines(recorder, fail=("alerting",)))
    assert warmup.take("logs", Request(stack="s")).startswith("logs started")
    with pytest.raises(RuntimeError, match="alerting did not start"):
        warmup.take("alerting", Request(stack="s"))
    warmup.close()
    assert recorder.stopped == ["logs started with ['stack']"]  # nothing to stop for the failed one


def test_a_need_that_fails_fails_its_pipeline_not_the_taker():
    recorder = Recorder()
    warmup = Warmup(pipelines(recorder))
    broken = pytest.fail.Exception("the stack declares no log pipeline")
    request = Request(stack=broken)  # both pipelines need "stack" here
    with pytest.raises(pytest.fail.Exception, match="no log pipeline"):
        warmup.take("logs", request)
    warmup.close()
    assert recorder.stopped == []


def test_stopping_is_once_per_pipeline_and_close_stops_what_nobody_took():
    recorder = Recorder()
    warmup = Warmup(pipelines(recorder))
    warmup.take("logs", Request(stack="s"))
    warmup.stop("logs")
    warmup.stop("logs")
    warmup.close()  # "alerting" started with "logs" and was never taken (an interrupted run)
    assert recorder.stopped == ["logs started with ['stack']", "alerting started with ['stack']"]
    assert set(warmup.timings) == {"alerting_ready_after_s", "logs_ready_after_s"}


def test_only_the_pipelines_a_collected_check_uses_are_needed():
    class Item:
        def __init__(self, *fixturenames):
            self.fixturenames = fixturenames

    registered = {p.name: p for p in pipelines(Recorder())}
    assert [p.name for p in needed([Item("stack"), Item("logs_fixture", "stack")], registered)] == ["logs"]
    assert needed([Item("stack")], registered) == []


def test_what_each_started_pipeline_records_reaches_the_run_s_record():
    class Results:
        def __init__(self):
            self.timings, self.notes = {}, []

    def record(started, results, instance, own):
        results.notes.append(f"{started} (own versions: {own})")

    recorder = Recorder()
    recording = [Pipeline(p.name, p.fixture, p.needs, p.start, p.stop, record=record)
                 for p in pipelines(recorder, fail=("alerting",))]
    warmup = Warmup(recording)
    warmup.take("logs", Request(stack="s"))
    warmup.close()
    results = Results()
    warmup.record(results, own=lambda instance: instance is None)
    assert results.notes == ["logs started with ['stack'] (own versions: True)"]  # not the one that failed
    assert set(results.timings) == {"alerting_ready_after_s", "logs_ready_after_s"}
