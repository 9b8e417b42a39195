"""Progress on long phases (fixtures/progress.py): while a check runs long, a line in pytest's
terminal style says which check, for how long, what it waits for with its deadline, and how long
its phase has left, estimated from the checks of the phase already done."""

from __future__ import annotations

import time

from fixtures.progress import Progress, waiting

SLOW = """
from fixtures.polling import poll

def _wait(seconds):
    poll(lambda: None, lambda value: False, timeout=seconds, interval=0.05, what="the thing to happen")

def test_first():
    _wait(1)

def test_second():
    _wait(1)

def test_third():
    _wait(1)

def test_fourth():
    _wait(1)

def test_quick():
    pass
"""


def test_a_long_check_says_what_it_waits_for_and_when_its_phase_ends(pytester):
    pytester.makepyfile(test_slow=SLOW)
    result = pytester.runpytest_subprocess("-p", "fixtures.progress", "--progress-every=0.3", "-q", timeout=120)

    result.assert_outcomes(passed=5)
    result.stdout.fnmatch_lines([
        ("test_slow.py::test_first running *s, waiting for the thing to happen (at most *s more) "
         "[[]test_slow 0/5 done, time left known once 3 checks have ended[]]"),
        ("test_slow.py::test_fourth running *s, waiting for the thing to happen (at most *s more) "
         "[[]test_slow 3/5 done, about *s left[]]"),
    ])
    assert "test_quick" not in result.stdout.str(), "a quick check got a progress line"


def test_no_line_with_progress_off(pytester):
    pytester.makepyfile(test_slow=SLOW)
    result = pytester.runpytest_subprocess("-p", "fixtures.progress", "--progress-every=0", "-q", timeout=120)
    result.assert_outcomes(passed=5)
    assert "waiting for" not in result.stdout.str()


def test_the_estimate_is_the_median_of_the_phase_checks_done_times_those_left():
    progress = Progress(write=None, every=10)
    progress.total = {"test_alerts_live": 6}
    progress.done = {"test_alerts_live": [60.0, 90.0, 600.0]}  # a median of 90 s: the first check's wait aside
    started = time.monotonic()
    progress.current = ("suites/test_alerts_live.py::test_fires_live[A]", started)
    with waiting("Prometheus to fire A", timeout=300):
        line = progress.line(started + 30)

    assert progress.line(started + 5) is None, "a line before the check ran long"
    # 3 checks left with this one: 3 x 90 s, less the 30 s this one has run
    assert line == ("suites/test_alerts_live.py::test_fires_live[A] running 30s, waiting for Prometheus to fire A "
                    "(at most 4m30s more) [test_alerts_live 3/6 done, about 4m left]"), line
