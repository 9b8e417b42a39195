"""How much a run tested, and the verdict that says so: the one place the report's banner, the
summary of results.json and the terminal's last line read it from (pure: a run's results in,
plain data out).

A run whose MUST checks all pass conforms only as far as it tested: where most alert rules had no
scenario, the live checks did not run, or most checks were not applicable, the verdict says
"conforms as far as tested" and names what was not, rather than reading green.
"""

from __future__ import annotations

import re
from collections import Counter

from reports.model import NOT_PASSED, RunResults

JUDGED = ("passed", *NOT_PASSED)
LEFT_OUT = "part of this stack"  # the record of a suite module the stack has no part for
PHASE_NAMES = {"virtual": "virtual-time", "live": "live"}
NOT_RUN_MEANS = {"live": ": nothing was started, fed or notified (a static run)",
                 "virtual": ": no rule was evaluated on a scenario"}
_NAMES = re.compile(r"'[^']*'|`[^`]*`|\[[^\]]*\]|\{[^}]*\}|\b\d+(\.\d+)?\b")
# The live checks that judge an alert rule's firing: they run only on a scenario fed live (the
# others on a rule, such as "rule loaded", pass whether or not anything was fed). Each by its declared
# id (suites/test_alerts_live.py), and the name results written before ids were recorded show it under.
FIRES_LIVE = ("test_fires_live", "fires (live)")
LIVE_FIRING = (FIRES_LIVE, ("test_notified", "notification delivered (live)"))
# How a live firing check says why nothing was fed for its rule: the scenario, then the series.
_NOT_FED = re.compile(r"was fed live: [^:;]+: (series [^{ ]+(\{[^}]*\})? \([^)]*\): )?")
_NEXT_SCENARIO = re.compile(r"; [^\s:;]+: ")  # "...; <scenario>: <its reason>": the first one's only
_ASIDES = re.compile(r" \([^()]*\)")  # a rule's location, "(virtual time only)": no part of the reason
_DURATIONS = re.compile(r"\b\d+(\.\d+)?(ms|[smhdwy])\b")  # "reads 72h back": one reason whatever the hours


def _reason_of(message: str) -> str:
    """A reason with its subject's names taken out, so that alike reasons group."""
    return _NAMES.sub("…", message.split("\n", 1)[0]).strip()[:200]


def _not_fed_reason(message: str) -> str:
    """Why a rule's firing was not judged live, grouped as _reason_of does: the first scenario's
    reason without its scenario, series names and asides."""
    found = _NOT_FED.search(message)
    first = _NEXT_SCENARIO.split(message[found.end():] if found else message, 1)[0]
    return _reason_of(_DURATIONS.sub("…", _ASIDES.sub("", first)))


def rule_outcome(checks: list) -> str:
    """An alert rule's outcome (its coverage entry's) over its checks."""
    if not checks:
        return "not run"
    if any(c.failing for c in checks):
        return "fails"
    return "passes" if any(c.status == "passed" for c in checks) else "not applicable"


def tested(run: RunResults) -> dict:
    """What was tested: alert rules by scenario source (with the reasons none was derived,
    grouped), rules judged live, checks judged against not, and the checks not applicable on
    most of their subjects (with their commonest reasons)."""
    rules = run.coverage
    counts = run.coverage_counts()
    live = [c for c in run.checks if c.phase == "live" and c.check != LEFT_OUT]
    deselected = run.deselected.get("live", 0)
    firing = [c for c in live if c.subject_kind == "alert_rule" and any(c.is_check(*one) for one in LIVE_FIRING)]
    judged_live = {c.subject for c in firing if c.status in JUDGED}
    not_fed = {}  # rule -> why its firing was not judged live (the first firing check's reason)
    for check in firing:
        if check.subject not in judged_live:
            not_fed.setdefault(check.subject, _not_fed_reason(check.message))
    checks = [c for c in run.checks if c.check != LEFT_OUT]
    by_check: dict[tuple[str, str], list] = {}
    for check in checks:
        if check.subject_kind:
            by_check.setdefault((check.component, check.check), []).append(check)
    mostly = []
    for (component, name), found in sorted(by_check.items()):
        judged = sum(c.status in JUDGED for c in found)
        if len(found) >= 2 and judged * 2 < len(found):
            reasons = Counter(_reason_of(c.message) for c in found if c.status not in JUDGED)
            mostly.append({"component": component, "check": name, "judged": judged, "of": len(found),
                           "reasons": dict(reasons.most_common(3))})
    return {
        "alert_rules": {
            "total": len(rules), "tested": counts["handwritten"] + counts["derived"],
            "handwritten": counts["handwritten"], "derived": counts["derived"], "not_derived": counts["none"],
            "not_derived_reasons": dict(Counter(_reason_of(e["reason"]).split(" (", 1)[0]
                                                for e in rules if e["source"] == "none").most_common()),
        },
        "live": {"run": bool(live), "deselected": deselected,
                 "alert_rules_judged": len(judged_live), "of": len(rules), "not_fed": len(not_fed),
                 "not_fed_reasons": dict(Counter(not_fed.values()).most_common())},
        "checks": {"judged": sum(c.status in JUDGED for c in checks),
                   "not_judged": sum(c.status not in JUDGED for c in checks)},
        "mostly_not_applicable": mostly,
    }


def verdict(run: RunResults) -> dict:
    """{"state": fails | incomplete | partial | conforms, "headline", "gaps": sentences, "tested"}:
    ``partial`` where every MUST check passes but the run tested too little to say the stack conforms."""
    found = tested(run)
    rules, live, checks = found["alert_rules"], found["live"], found["checks"]
    gaps = []
    if rules["total"] and rules["tested"] * 2 < rules["total"]:
        gaps.append(f"only {rules['tested']} of {rules['total']} alert rules were tested on a scenario")
    ran = {c.phase for c in run.checks if c.check != LEFT_OUT}
    for phase, count in run.deselected.items():
        if count and phase not in ran:
            gaps.append(f"the {PHASE_NAMES.get(phase, phase)} checks were not run ({count} left out by the run's "
                        f"selection){NOT_RUN_MEANS.get(phase, '')}")
    if live["run"] and rules["total"] and live["alert_rules_judged"] * 2 < rules["total"]:
        gaps.append(f"only {live['alert_rules_judged']} of {rules['total']} alert rules were judged live")
    if checks["judged"] < checks["not_judged"]:
        gaps.append(f"most checks were not applicable or not run ({checks['not_judged']} of "
                    f"{checks['judged'] + checks['not_judged']})")
    must_failing = sum(1 for c in run.checks if c.failing and c.level == "MUST")
    if run.interrupted:
        state, headline = "incomplete", (f"incomplete: {run.interrupted.get('reason', 'interrupted')}; "
                                         f"{run.not_run} checks did not run")
    elif must_failing:
        state, headline = "fails", f"does not conform: {must_failing} MUST check(s) fail"
    elif gaps:
        state, headline = "partial", "conforms as far as tested: every MUST check that ran passes, but " + gaps[0]
    else:
        state, headline = "conforms", "conforms: every MUST check passes"
    return {"state": state, "headline": headline, "gaps": gaps, "tested": found}


def coverage_line(found: dict) -> str:
    """One sentence of how much was tested, for the banner and the terminal."""
    rules, live = found["alert_rules"], found["live"]
    parts = []
    if rules["total"]:
        text = (f"alert rules tested {rules['tested']} of {rules['total']} ({rules['handwritten']} hand-written, "
                f"{rules['derived']} derived)")
        if rules["not_derived"]:
            grouped = "; ".join(f"{reason} ({n})" for reason, n in rules["not_derived_reasons"].items())
            text += f", not derived {rules['not_derived']}: {grouped}"
        parts.append(text)
    if live["run"]:
        text = f"judged live {live['alert_rules_judged']} of {live['of']}" if live["of"] else "live checks run"
        if live["not_fed"]:
            grouped = "; ".join(f"{reason} ({n})" for reason, n in live["not_fed_reasons"].items())
            text += f", not fed live {live['not_fed']}: {grouped}"
        parts.append(text)
    elif live["deselected"]:
        parts.append("live checks not run")
    else:
        parts.append("no live part in this stack")
    checks = found["checks"]
    parts.append(f"checks judged {checks['judged']} of {checks['judged'] + checks['not_judged']}")
    return "; ".join(parts)

