"""The live run's changes to the rules: ``for`` is capped, but never below the rule's look-back,
so the warm-up of series born with the run cannot fire a rule on its own."""

from __future__ import annotations

import yaml

from fixtures.model.rules import load_alert_rules, load_recording_rules
from fixtures.scenarios.alert_watch import window_made_honest
from fixtures.transforms import prepare

RULES = """groups:
  - name: host
    rules:
      - record: instance:busy:rate2m
        expr: 1 - rate(cpu_idle_seconds_total[2m])
      - alert: Busy
        expr: 1 - rate(cpu_idle_seconds_total[5m]) > 0.5
        for: 1m
      - alert: BusyNoFor
        expr: 1 - rate(cpu_idle_seconds_total[5m]) > 0.5
      - alert: BusyThroughRecording
        expr: avg_over_time(instance:busy:rate2m[3m]) > 0.5
        for: 10m
      - alert: Down
        expr: up == 0
        for: 10m
"""


def _live(tmp_path, real_time: bool) -> tuple[dict[str, str | None], dict[str, str]]:
    source = tmp_path / "prometheus"
    source.mkdir()
    (source / "rules.yml").write_text(RULES)
    changes = prepare(source, tmp_path / "copy", "prometheus", "prometheus", real_time, rebind=True)
    written = yaml.safe_load((tmp_path / "copy" / "rules.yml").read_text())
    fors = {r["alert"]: r.get("for") for r in written["groups"][0]["rules"] if "alert" in r}
    return fors, {c.location: c.reason for c in changes}


def test_for_is_capped_but_never_below_the_rules_look_back(tmp_path):
    fors, reasons = _live(tmp_path, real_time=False)

    # 5m window; a recording rule's 2m window under a 3m one: 5m; a rule with no range: the cap.
    assert fors == {"Busy": "5m", "BusyNoFor": "5m", "BusyThroughRecording": "5m", "Down": "30s"}, fors
    assert "look-back (5m)" in reasons["Busy.for"] and "window full of fed data" in reasons["Busy.for"]
    assert "shortened" in reasons["Down.for"]


def test_real_time_keeps_for_unless_it_is_shorter_than_the_look_back(tmp_path):
    fors, reasons = _live(tmp_path, real_time=True)

    assert fors == {"Busy": "5m", "BusyNoFor": "5m", "BusyThroughRecording": "10m", "Down": "10m"}, fors
    assert set(reasons) == {"Busy.for", "BusyNoFor.for"}, reasons


def test_the_report_says_how_each_rule_s_live_window_is_made_honest(tmp_path):
    (tmp_path / "rules.yml").write_text(RULES)
    rules = {rule.name: rule for rule in load_alert_rules(tmp_path / "rules.yml")}
    recording = load_recording_rules(tmp_path / "rules.yml")

    def said(name: str, real_time: bool = False) -> str:
        return window_made_honest(rules[name], recording, real_time)

    assert "not pre-loaded" in said("Busy") and "for raised from 1m to its look-back 5m" in said("Busy")
    assert "for raised from 0s to its look-back 5m" in said("BusyNoFor")
    # 10m is capped, but not below the 5m look-back its recording rule's window adds up to.
    assert "for 5m (live) is no shorter than its look-back 5m" in said("BusyThroughRecording")
    assert "for 10m (live) is no shorter than its look-back 5m" in said("BusyThroughRecording", real_time=True)
    assert said("Down").startswith("reads no range")
