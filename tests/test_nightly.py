"""The nightly's choice of the next night's baseline (reports/nightly.py): only a night that needs no
look is kept, so a failure or an unacknowledged behaviour change is news every night until it is
fixed or acknowledged, not for one night only."""

from __future__ import annotations

import json

import pytest

from reports.nightly import main


def _night(checks=(), changes=(), interrupted=None) -> dict:
    return {"checks": [{"component": "alerting", "check": "fires (live)", "subject": subject, "status": status,
                        "message": "" if status == "passed" else "did not fire"} for subject, status in checks],
            "interrupted": interrupted, "behaviour_changes": {"changes": [
                {"text": text, "intended": intended} for text, intended in changes]}}


@pytest.fixture
def nights(tmp_path, capsys):
    """Run the verdict on one night after another; each returns (exit status, what it said)."""
    kept = tmp_path / "kept.json"

    def night(results: dict) -> tuple[int, str]:
        tonight = tmp_path / "results.json"
        tonight.write_text(json.dumps(results), encoding="utf-8")
        status = main([str(tonight), str(kept)])
        return status, capsys.readouterr().out
    night.kept = kept
    return night


GOOD = _night(checks=[("HighErrorRate", "passed")])


@pytest.mark.parametrize("bad, why", [
    (_night(checks=[("HighErrorRate", "failed")]), "1 check(s) fail"),
    (_night(checks=[("HighErrorRate", "error")]), "1 check(s) fail"),
    (_night(checks=[("HighErrorRate", "passed")], interrupted={"reason": "SIGTERM"}), "the run is incomplete"),
    (_night(checks=[("HighErrorRate", "passed")], changes=[("A: for 5m, was 1m", False)]),
     "a behaviour change is not acknowledged"),
], ids=["failing", "erroring", "incomplete", "unacknowledged-change"])
def test_a_night_that_needs_a_look_leaves_the_last_good_night_as_the_baseline(nights, bad, why):
    status, said = nights(GOOD)
    assert status == 0 and "kept as the next night's baseline" in said, said
    assert json.loads(nights.kept.read_text()) == GOOD

    status, said = nights(bad)
    assert status == 1 and f"not kept as the next night's baseline ({why})" in said, said
    assert json.loads(nights.kept.read_text()) == GOOD, "a night that needs a look became the baseline"


def test_the_first_night_that_fails_keeps_no_baseline(nights):
    status, said = nights(_night(checks=[("HighErrorRate", "failed")]))
    assert status == 1 and not nights.kept.exists(), said


def test_an_acknowledged_change_on_a_passing_night_becomes_the_baseline(nights):
    acknowledged = _night(checks=[("HighErrorRate", "passed")], changes=[("A: for 5m, was 1m", True)])
    status, said = nights(acknowledged)
    assert status == 0 and json.loads(nights.kept.read_text()) == acknowledged, said
