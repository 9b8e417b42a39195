"""A stack's regular expressions are evaluated as Go evaluates them (RE2: linear time, Go's
syntax), wherever the harness reads one: Alertmanager matchers, relabelling, PromQL ``=~``."""

from __future__ import annotations

import time

import pytest

from fixtures.derivation.labels import Matcher as SeriesMatcher
from fixtures.model.go_regexp import full_match
from fixtures.model.scrape_jobs import relabel
from fixtures.semantics.labels import parse_matcher

# Catastrophic for a backtracking engine on a value it does not match: 2^n paths.
NESTED = "(.+.+)+X"
LONG = "DatabaseConnectionPoolExhaustedAgainAndAgain"


def _quickly(call):
    began = time.monotonic()
    result = call()
    assert time.monotonic() - began < 2, "a regular expression took seconds: it backtracks"
    return result


def test_an_alertmanager_matcher_with_nested_repetition_answers_at_once():
    matcher = parse_matcher(f'alertname=~"{NESTED}"', 1)
    assert _quickly(lambda: matcher.holds(LONG)) is False
    assert _quickly(lambda: matcher.holds(LONG + "X")) is True


def test_a_relabel_keep_with_nested_repetition_answers_at_once():
    keep = [{"source_labels": ["job"], "regex": NESTED, "action": "keep"}]
    assert _quickly(lambda: relabel({"job": LONG}, keep)) is None


def test_a_selector_regex_with_nested_repetition_answers_at_once():
    assert _quickly(lambda: SeriesMatcher("job", "=~", NESTED).accepts(LONG)) is False


@pytest.mark.parametrize(("pattern", "value", "expected"), [
    (r"api\z", "api", True),  # Go's end of text, which Python's re refuses
    ("a.b", "a\nb", False),  # . does not match a newline unless (?s)
    ("(?s:a.b)", "a\nb", True),
])
def test_go_syntax_and_semantics(pattern, value, expected):
    assert full_match(pattern, value) is expected
