"""How derived candidates reach promtool (fixtures/derivation/candidates.py) at the least cost that
judges them all: a sample's values written once however many candidates feed its shape, a case
that comes twice run once, and a file whose cases each need a test entry of their own never
merged with files of one entry (promtool would load and evaluate the latter's rules again in
every entry)."""

import json
import shutil

import pytest

from fixtures.derivation.analysis import PACKING_LABEL
from fixtures.derivation.candidates import Case, input_series, run
from fixtures.derivation.candidates import TestFile as PromtoolTestFile  # not a pytest class
from fixtures.feeders.series import Series, Shape
from fixtures.promtool.documents import RuleFile

JOB, INSTANCE = "job", "host:80"
needs_promtool = pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool is not installed")


def test_each_series_is_written_with_its_own_labels_and_a_later_series_wins_where_both_expose():
    gauge = Series.of("temperature", "gauge", {"room": "a"}, Shape.constant(20.0))
    same_shape = Series.of("temperature", "gauge", {"room": "b"}, Shape.constant(20.0))
    # The same sample as the first from 30 s on, with another value: its values win from there.
    later = Series.of("temperature", "gauge", {"room": "a"}, Shape.constant(25.0), start=30.0)
    histogram = Series.of("latency_seconds", "histogram", {}, Shape.observe(1.0, value=0.3), buckets=(0.25, 0.5))
    written = {s["series"]: s["values"] for s in input_series([gauge, same_shape, later, histogram], JOB, INSTANCE,
                                                              60.0, 15.0)}
    assert written == {
        'temperature{instance="host:80", job="job", room="a"}': "20.0 20.0 25.0+0.0x2",
        'temperature{instance="host:80", job="job", room="b"}': "20.0+0.0x4",
        'latency_seconds_bucket{instance="host:80", job="job", le="0.25"}': "0.0+0.0x4",
        'latency_seconds_bucket{instance="host:80", job="job", le="0.5"}': "0.0+15.0x4",
        'latency_seconds_bucket{instance="host:80", job="job", le="+Inf"}': "0.0+15.0x4",
        'latency_seconds_sum{instance="host:80", job="job"}': "0.0+4.5x4",
        'latency_seconds_count{instance="host:80", job="job"}': "0.0+15.0x4",
    }
    # A series that stops is written with gaps, whatever else fed its shape before.
    stops = Series.of("temperature", "gauge", {"room": "c"}, Shape.constant(20.0), until=30.0)
    assert input_series([stops], JOB, INSTANCE, 60.0, 15.0)[0]["values"] == "20.0 20.0 _ _ _"


def _test_file(directory, name: str, expr: str, case_label: str | None, values: list[float]) -> PromtoolTestFile:
    metric = name.lower()
    rules = RuleFile.write(directory / f"{name}.rules.yml", [{"name": name, "rules": [{"alert": name, "expr": expr}]}])
    test = PromtoolTestFile(directory / f"{name}.test.yml", [rules], 15.0, 15.0, 60.0, JOB, INSTANCE,
                            case_label=case_label, reads=frozenset({metric}), alertnames=frozenset({name}))
    for k, value in enumerate(values):
        test.cases.append(Case(f"{name}.{k}", [Series.of(metric, "gauge", {}, Shape.constant(value))], [60.0], [name]))
    return test


@needs_promtool
def test_a_case_that_comes_twice_is_run_once_and_both_get_its_outcome(tmp_path):
    test = _test_file(tmp_path, "Summed", "sum(summed) > 1", None, [5.0, 0.0, 5.0])
    assert len(test.document()["tests"]) == 2
    outcomes, errors = run([test])
    assert not errors
    assert [bool(outcomes[f"Summed.{k}"].fired("Summed")) for k in range(3)] == [True, False, True]


@needs_promtool
def test_files_of_one_test_entry_are_never_merged_with_files_of_several(tmp_path):
    # Disjoint metrics, one scrape step and length: they may share entries, but the first's one
    # entry would then be loaded and evaluated in each of the second's three.
    labelled = _test_file(tmp_path, "Labelled", "labelled > 1", PACKING_LABEL, [0.0, 5.0, 7.0])
    summed = _test_file(tmp_path, "Summed", "sum(summed) > 1", None, [0.0, 5.0, 7.0])
    summed_too = _test_file(tmp_path, "SummedToo", "sum(summedtoo) > 1", None, [5.0, 0.0, 9.0])
    outcomes, errors = run([labelled, summed, summed_too])
    assert not errors
    merged = sorted(tmp_path.glob("conformance-merged-*.test.yml"))
    for path in merged:
        asked = [{a["alertname"] for a in entry["alert_rule_test"]} for entry in json.loads(path.read_text())["tests"]]
        entries_of = {name: sum(name in names for names in asked) for name in set().union(*asked)}
        assert not (1 in entries_of.values() and max(entries_of.values()) > 1), (path.name, entries_of)
    # The files of several entries did share theirs.
    assert [{a["alertname"] for entry in json.loads(path.read_text())["tests"] for a in entry["alert_rule_test"]}
            for path in merged] == [{"Summed", "SummedToo"}]
    fired = {name: [bool(outcomes[f"{name}.{k}"].fired(name)) for k in range(3)]
             for name in ("Labelled", "Summed", "SummedToo")}
    assert fired == {"Labelled": [False, True, True], "Summed": [False, True, True], "SummedToo": [True, False, True]}


@needs_promtool
def test_a_merged_file_promtool_refuses_is_run_again_file_by_file(tmp_path):
    """The derivation's side of promtool's one batch engine (fixtures/promtool/batch.py): a broken
    rule file costs the rule merged with it nothing, and the error is the broken rule's alone."""
    good = _test_file(tmp_path, "Good", "good > 1", None, [5.0, 0.0])
    broken = _test_file(tmp_path, "Broken", "broken >", None, [5.0, 0.0])  # two entries each: one key
    outcomes, errors = run([good, broken])
    assert list(tmp_path.glob("conformance-merged-*.test.yml"))  # they were merged first
    assert list(errors) == [broken.path], errors
    assert [outcomes["Good.0"].fired("Good"), outcomes["Good.1"].fired("Good")] == [[60.0], []]
