"""The version matrix of a --versions run: each check against each version set, differences first,
with the reason where the upgrade findings (suites/test_upgrade.py) or the check itself give one.

Pure: reads a RunResults, imports nothing from the harness."""

from __future__ import annotations

from reports.model import CheckResult, RunResults

# The upgrade findings (suites/test_upgrade.py), by declared id; results written before ids were
# recorded know them by their module.
UPGRADE_CHECKS = frozenset({"test_rules_load_and_select_the_same", "test_rules_give_the_same_results",
                            "test_settings_and_flags_kept", "test_matchers_read_the_same",
                            "test_matchers_ready_for_the_utf8_parser"})
UPGRADE_MODULE = "test_upgrade"


def upgrade_finding(check: CheckResult) -> bool:
    """Whether ``check`` is one of the upgrade findings: the reasons of the matrix, not its rows."""
    return check.check_id in UPGRADE_CHECKS if check.check_id else check.module == UPGRADE_MODULE


def column_label(versions: dict[str, str], own: dict[str, str]) -> str:
    """The stack's own set by its versions; another by what it changes (``prometheus 3.16.0``)."""
    changed = {c: v for c, v in versions.items() if own.get(c) != v}
    shown = changed or versions
    return ("" if changed else "own: ") + ", ".join(f"{c} {v}" for c, v in shown.items())


def version_matrix(run: RunResults) -> dict | None:
    """{"columns", "rows", "differing"}; each row a check (component, check, subject) with its
    status per column and, where the statuses differ, the reasons; None without --versions."""
    if not run.versions:
        return None
    own = run.versions[0]
    columns = [column_label(v, own) for v in run.versions]
    rows: dict[tuple, dict] = {}
    for check in run.checks:
        if not check.versions or upgrade_finding(check):
            continue  # upgrade findings are the reasons, not rows: they run on the newer versions only
        column = column_label(check.versions, own)
        row = rows.setdefault((check.component, check.check, check.subject), {
            "component": check.component, "check": check.check, "subject": check.subject,
            "location": check.location, "cells": {}})
        row["cells"][column] = check
    findings = _upgrade_findings(run.checks, own)
    for row in rows.values():
        statuses = {column: row["cells"][column].status if column in row["cells"] else "not run" for column in columns}
        row["differs"] = len(set(statuses.values())) > 1
        row["reasons"] = _reasons(row, columns, statuses, findings) if row["differs"] else []
    ordered = sorted(rows.values(), key=lambda r: (not r["differs"], r["component"], r["check"], r["subject"]))
    return {"columns": columns, "rows": ordered, "differing": sum(1 for r in ordered if r["differs"]),
            "findings": [f for column in columns[1:] for f in findings.get(column, [])]}


def differences(run: RunResults) -> list[dict]:
    """The differing rows as data, for results.json."""
    matrix = version_matrix(run)
    if matrix is None:
        return []
    return [{"component": r["component"], "check": r["check"], "subject": r["subject"],
             "statuses": {c: r["cells"][c].status if c in r["cells"] else "not run" for c in matrix["columns"]},
             "reasons": r["reasons"]} for r in matrix["rows"] if r["differs"]]


def _upgrade_findings(checks: list[CheckResult], own: dict[str, str]) -> dict[str, list[dict]]:
    """Column -> every upgrade finding recorded there (file, line, rule, reason)."""
    found: dict[str, list[dict]] = {}
    for check in checks:
        if upgrade_finding(check) and check.versions:
            found.setdefault(column_label(check.versions, own), []).extend(check.evidence.get("findings", []))
    return found


def _reasons(row: dict, columns: list[str], statuses: dict[str, str], findings: dict[str, list[dict]]) -> list[str]:
    """Why a row differs, per newer column: where the newer version does worse, the upgrade findings
    about the row's subject (its rule, its file), else what the check says there; where it does
    better, what the stack's own version said."""
    reasons = []
    file = (row["location"] or {}).get("file", "")
    own = row["cells"].get(columns[0])
    for column in columns[1:]:
        if statuses[column] == statuses[columns[0]]:
            continue
        newer = row["cells"].get(column)
        if newer is not None and newer.failing:
            about = [f for f in findings.get(column, [])
                     if f.get("rule") == row["subject"] or (file and f.get("file", "").endswith(file))
                     or f.get("file", "").endswith(row["subject"])]
            reasons += [f"{column}: {f['reason']}" for f in about] or [f"{column}: {_gist(newer.message)}"]
        elif own is not None and own.failing:
            reasons.append(f"{column} accepts what {columns[0].removeprefix('own: ')} does not: {_gist(own.message)}")
        elif newer is not None and newer.message:
            reasons.append(f"{column}: {_gist(newer.message)}")
    return list(dict.fromkeys(reasons))


def _gist(message: str) -> str:
    return " ".join(message.split())[:400]
