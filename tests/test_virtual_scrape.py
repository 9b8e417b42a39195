"""The virtual-time engine reads a generic-only target's samples directly: exactly what a scrape of
its exposition would read, so skipping the text round trip changes no scenario's input."""

import math

from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from fixtures.feeders.series import Series, Shape
from fixtures.feeders.targets import build_target
from fixtures.scenarios.virtual import _scraped

SERIES = [
    Series.of("queue_depth", "gauge", {"service": 'quo"te\\back\nline', "zone": "é"}, Shape.ramp(-3.5, 0.1)),
    Series.of("jobs_total", "counter", {"code": "500"}, Shape.rate(1e12 / 7, reset_every=90.0)),
    Series.of("restarts", "counter", {}, Shape.rate(0.3)),
    Series.of("odd", "gauge", {"kind": "nan"}, Shape.constant(math.nan)),
    Series.of("odd", "gauge", {"kind": "inf"}, Shape.constant(-math.inf)),
    Series.of("req_seconds", "histogram", {"route": "/"}, Shape.observe(2.0, low=0.01, high=30.0)),
    Series.of("lag_seconds", "summary", {"group": "billing"}, Shape.observe(5.0, value=1.25)),
    Series.of("tiny", "gauge", {}, Shape.constant(1.234567890123e-300)),
    Series.of("huge", "gauge", {}, Shape.constant(123456789.0123)),
]


def _through_exposition(target) -> dict:
    text = generate_latest(target.registry).decode()
    return {(s.name, tuple(sorted(s.labels.items()))): repr(s.value)
            for family in text_string_to_metric_families(text) for s in family.samples}


def test_a_generic_target_reads_what_its_exposition_says():
    target = build_target("services", "services:80", "generic", None)
    for t in (0.0, 15.0, 95.0, 600.0):
        for series in SERIES:
            target.generic.add(series, t)
        direct = {(name, tuple(sorted(labels.items()))): repr(float(value)) for name, labels, value in _scraped(target)}
        assert direct == _through_exposition(target), f"at {t}s the direct samples differ from the exposition"


def test_a_name_the_exposition_rewrites_goes_through_it():
    target = build_target("services", "services:80", "generic", None)
    target.generic.add(Series.of("bad-name", "gauge", {"a b": "x"}, Shape.constant(1.0)), 0.0)
    assert [(name, labels) for name, labels, _ in _scraped(target)] == [("bad_name", {"a_b": "x"})]
