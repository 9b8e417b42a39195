"""report.html: one self-contained page a person reads to learn what is wrong, where, and on what
evidence (inline CSS, no script, font or image from anywhere).

The first screen is the behaviour changes against a baseline and the regression view (each when
given) and the failures; then the alert matrix (each rule against every check of every phase), the
dashboards (each panel: its checks, data, value and unit), one section per component (logs and
traces appear as soon as their suites record checks), the static findings with file, line and text, every check's evidence, the
environment, and the changes made to the configuration for the live run.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from reports.coverage import FIRES_LIVE, coverage_line, verdict
from reports.model import LEVELS, NOT_RUN, CheckResult, RunResults
from reports.pictures import panel_values, rule_timeline
from reports.versions import version_matrix

# Components a monitoring stack is expected to have: one without checks says "not run".
EXPECTED_COMPONENTS = ("stack", "prometheus", "alerting", "alertmanager", "grafana", "logs", "traces")
# The phases checks declare (fixtures/declared.py), in run order, as the page names them.
PHASES = {"static": "static", "virtual": "virtual time", "live": "live", "comparison": "comparison"}
UNRECORDED_PHASE = "phase not recorded"  # results written before checks declared their phase
GLYPHS = {"passed": "✓", "failed": "✗", "error": "!", "not applicable": "∅", "skipped": "–", "not run": "○"}
MATRIX_SUBJECTS = {"alert_rule": "alert rules"}
PANEL_SUBJECTS = ("panel", "valued_panel")

_environment = Environment(loader=PackageLoader("reports", "templates"), autoescape=select_autoescape(["html", "j2"]),
                           undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def phase_of(check: CheckResult) -> str:
    """The phase the check declared, as the page names it."""
    return PHASES.get(check.phase, check.phase or UNRECORDED_PHASE)


def _phase_rank(phase: str) -> int:
    labels = list(PHASES.values())
    return labels.index(phase) if phase in labels else len(labels)


def anchor(check: CheckResult) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "-", f"{check.check} {check.subject}").strip("-").lower()[:60]
    return f"check-{slug}-{hashlib.sha1(check.nodeid.encode()).hexdigest()[:6]}"


def _component_summary(run: RunResults) -> list[dict]:
    rows = []
    for component in run.component_names:
        levels = {level: run.counts(level, component) for level in LEVELS}
        failing = sum(levels["MUST"][s] for s in ("failed", "error"))
        # A component with checks that never ran is not said to conform: nobody knows.
        incomplete = any(levels[level][NOT_RUN] for level in LEVELS)
        rows.append({"name": component, "levels": levels, "conforms": failing == 0 and not incomplete,
                     "verdict": "fails" if failing else "incomplete" if incomplete else "conforms",
                     "should_failing": sum(levels["SHOULD"][s] for s in ("failed", "error"))})
    return rows


def _phases(run: RunResults) -> list[dict]:
    """Wall time per phase: each suite module's time under the phase its checks declare."""
    phase_of_module = {check.module: phase_of(check) for check in run.checks}
    totals: dict[str, dict] = {}
    for module, seconds in run.phases.items():
        name = phase_of_module.get(module, UNRECORDED_PHASE)
        phase = totals.setdefault(name, {"name": name, "seconds": 0.0, "modules": []})
        phase["seconds"] += seconds
        phase["modules"].append((module, seconds))
    return sorted(totals.values(), key=lambda p: _phase_rank(p["name"]))


def _matrix(checks: list[CheckResult], kinds: tuple[str, ...], compact: bool = False) -> dict:
    """Subjects (rows) against checks grouped by phase (columns): each cell one check result.
    ``compact`` (a large run): subjects share one row per set of outcomes instead (``alike``: its
    cells' statuses and its subjects, each with the anchor of its first failing check, if any), the
    rows with a failing check first: ten thousand rules failing the same check are one row."""
    chosen = [c for c in checks if c.subject_kind in kinds]
    columns: dict[tuple[str, str], None] = {}
    for check in sorted(chosen, key=lambda c: (_phase_rank(phase_of(c)), c.module)):
        columns.setdefault((phase_of(check), check.check), None)
    rows: dict[str, dict] = {}
    for check in chosen:
        row = rows.setdefault(check.subject, {"subject": check.subject, "cells": {}, "location": None, "failing": 0})
        row["cells"][(phase_of(check), check.check)] = check
        row["location"] = row["location"] or check.location
        row["failing"] += check.failing
    phases = [(phase, sum(1 for p, _ in columns if p == phase)) for phase in dict.fromkeys(p for p, _ in columns)]
    alike: dict[tuple, dict] = {}
    for row in rows.values() if compact else ():
        statuses = tuple(sorted((column, cell.status) for column, cell in row["cells"].items()))
        group = alike.setdefault(statuses, {"cells": dict(statuses), "subjects": [], "failing": bool(row["failing"])})
        failing = next((cell for cell in row["cells"].values() if cell.failing), None)
        group["subjects"].append((row["subject"], anchor(failing) if failing else None))
    return {"columns": list(columns), "phases": phases, "rows": [] if compact else list(rows.values()),
            "count": len(rows), "alike": sorted(alike.values(), key=lambda group: (
                not group["failing"], -len(group["subjects"]), group["subjects"][0][0]))}


def _panels(checks: list[CheckResult]) -> list[dict]:
    """Per panel: what it showed (queries, last values, unit) from the live checks' evidence."""
    panels: dict[str, dict] = {}
    for check in checks:
        if check.subject_kind not in PANEL_SUBJECTS:
            continue
        panel = panels.setdefault(check.subject, {"subject": check.subject, "unit": "", "type": "", "queries": []})
        if check.evidence.get("unit"):
            panel["unit"], panel["type"] = check.evidence["unit"], check.evidence.get("type", "")
        for key, value in check.evidence.items():
            if key.startswith("query ") and isinstance(value, dict):
                _merge_query(panel["queries"], key.removeprefix("query "), value)
    return list(panels.values())


def _merge_query(queries: list[dict], ref_id: str, seen: dict) -> None:
    found = next((q for q in queries if q["ref_id"] == ref_id), None)
    if found is None:
        found = {"ref_id": ref_id, "query": seen.get("query", ""), "series": [], "expected": None}
        queries.append(found)
    if seen.get("series"):
        found["series"] = seen["series"]
    if seen.get("expected") is not None:
        found["expected"] = seen["expected"]


# A large run draws the timelines of failing rules only, and at most this many: the page grows
# with what fails, and a reader looks at a few pictures, not thousands.
PICTURES_OF_A_LARGE_RUN = 50


def _timelines(run: RunResults, checks: list[CheckResult], compact: bool) -> list[dict]:
    """Per alert rule with a virtual-time timeline, its picture (reports/pictures.py), failing
    rules first, each under the name its checks give it."""
    by_place: dict[tuple, list[CheckResult]] = defaultdict(list)
    for check in checks:
        if check.subject_kind == "alert_rule" and check.location:
            by_place[(check.location["file"], check.location.get("line"))].append(check)
    # The for durations the live run shortened (its transforms: "RuleName.for", "2m -> 30s").
    shortened = {(t["file"], t["location"].removesuffix(".for")): t["change"].rsplit("-> ", 1)[-1]
                 for t in run.transforms if str(t.get("location", "")).endswith(".for")}
    found = []
    for entry in (run.behaviour or {}).get("subjects", {}).values():
        if not entry or entry.get("kind") != "alert rule" or not entry.get("timeline"):
            continue
        mine = by_place.get((entry["file"], entry["line"]), [])
        failing = next((c for c in mine if c.failing), None)
        if compact and failing is None:
            continue
        live = next((_fired_live(c, entry["timeline"]["scenario"]) for c in mine if c.is_check(*FIRES_LIVE)), None)
        name = mine[0].subject if mine else entry["name"]
        found.append({"name": name, "file": entry["file"], "line": entry["line"], "failing": failing,
                      "svg": Markup(rule_timeline(name, entry["timeline"], live, shortened.get((entry["file"],
                                                                                               entry["name"]))))})
    found.sort(key=lambda t: (t["failing"] is None, t["name"]))
    return found[:PICTURES_OF_A_LARGE_RUN] if compact else found


def _fired_live(check: CheckResult, scenario: str) -> float | None:
    """Seconds of the live feed after which the rule fired on ``scenario`` (the live check's
    evidence, one entry per scenario file), None where it did not or was not watched."""
    for key, seen in check.evidence.items():
        if key.rsplit(".", 1)[0] == scenario and isinstance(seen, dict):
            fired = seen.get("fired after (s of feed)")
            return fired if isinstance(fired, int | float) else None
    return None


def _panel_pictures(checks: list[CheckResult]) -> dict[tuple[str, str], Markup]:
    """(panel, query) -> the picture of what it showed live against what its truth expects."""
    found = {}
    for check in checks:
        if check.check != "value agrees with the scenario (live)":
            continue
        for key, seen in check.evidence.items():
            if key.startswith("query ") and isinstance(seen, dict) and seen.get("expected") is not None:
                svg = panel_values(f"{check.subject} {key}", seen.get("series") or [], seen["expected"])
                if svg:
                    found[(check.subject, key.removeprefix("query "))] = Markup(svg)
    return found


def _by_component(checks: list[CheckResult]) -> dict[str, list[CheckResult]]:
    grouped = defaultdict(list)
    for check in sorted(checks, key=lambda c: (c.component, not c.failing, c.check, c.subject)):
        grouped[check.component].append(check)
    return dict(sorted(grouped.items()))


def _evidence_text(value) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)


# Past this many checks (a stack of hundreds of rules), the page lists in full only what fails,
# so that it stays a page a person can navigate, of a size that grows with what fails: the other
# checks are counted in each component's table, their messages and evidence staying in
# results.json; in the matrices, rules (panels) with the same outcomes share a row, their names
# listed under it, a failing one's linking to its evidence.
COMPACT_FROM_CHECKS = 2000


def render(run: RunResults) -> str:
    compact = len(run.checks) >= COMPACT_FROM_CHECKS
    failing = sorted((c for c in run.checks if c.failing), key=lambda c: (LEVELS.index(c.level), c.component))
    static_findings = [c for c in failing if c.phase == "static"]
    # The alert and dashboard matrices are the stack's own versions'; the version matrix shows the others.
    own = [c for c in run.checks if not c.versions or c.versions == run.versions[0]]
    dashboards = _matrix(own, PANEL_SUBJECTS, compact)
    judged = verdict(run)
    return _environment.get_template("report.html.j2").render(
        verdict=judged, tested_line=coverage_line(judged["tested"]),
        run=run, levels=LEVELS, glyphs=GLYPHS, anchor=anchor, phase_of=phase_of, evidence_text=_evidence_text,
        components=_component_summary(run), not_run=[c for c in EXPECTED_COMPONENTS if c not in run.component_names],
        phases=_phases(run), failing=failing, static_findings=static_findings,
        alert_matrix=_matrix(own, tuple(MATRIX_SUBJECTS), compact), dashboards=dashboards,
        coverage_listed=[e for e in run.coverage if not compact or e["outcome"] != "passes"],
        panels=_panels(own), by_component=_by_component(run.checks),
        must_failing=sum(1 for c in failing if c.level == "MUST"),
        by_nodeid={c.nodeid: c for c in run.checks}, compact=compact, versions=version_matrix(run),
        timelines=_timelines(run, own, compact), panel_pictures=_panel_pictures(own),
    )


def write_html(run: RunResults, directory: Path) -> Path:
    path = directory / "report.html"
    path.write_text(render(run), encoding="utf-8")
    return path
