"""A pytest plugin for the benchmarks (``-p benchmarks.phase_clock``): the harness's own CPU
seconds per phase of a run (start-up, collection, the checks, the session's end with the
report), printed as one ``harness CPU`` line at exit. CPU time of this process only: promtool
and the containers are other processes, and a loaded machine's waits are not counted."""

from __future__ import annotations

import time

import pytest

_MARKS = {"start": time.process_time()}


@pytest.hookimpl(tryfirst=True)
def pytest_collection(session: pytest.Session) -> None:
    _MARKS["collection"] = time.process_time()


@pytest.hookimpl(trylast=True)
def pytest_collection_finish(session: pytest.Session) -> None:
    _MARKS["checks"] = time.process_time()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_sessionfinish(session: pytest.Session):
    _MARKS["session end"] = time.process_time()
    try:
        return (yield)
    finally:
        _MARKS["end"] = time.process_time()


# Each phase as printed, and the marks it runs between.
PHASES = (("start-up", "start", "collection"), ("collection", "collection", "checks"), ("checks", "checks", "session end"),
          ("session end (the report)", "session end", "end"))


def pytest_unconfigure(config: pytest.Config) -> None:
    if any(mark not in _MARKS for _, _, mark in PHASES):
        return  # the run stopped before one of its phases: nothing comparable to print
    spans = ", ".join(f"{name} {_MARKS[end] - _MARKS[begin]:.1f} s" for name, begin, end in PHASES)
    print(f"\nharness CPU: {spans}", flush=True)
