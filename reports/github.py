"""GitHub Actions: the failing checks as workflow-command annotations (``::error file=…,line=…::``),
which GitHub shows on the changed lines of the pull request, and summary.md appended to the job's
step summary. A step shows at most ten error annotations: one per place at fault, MUST first
(reports/findings.py), so the first ten are the ten places that matter most."""

from __future__ import annotations

from pathlib import Path

from reports.findings import findings
from reports.model import RunResults


def annotations(run: RunResults) -> list[str]:
    """One workflow command per place at fault: an error for a MUST check, a warning for a SHOULD."""
    lines = []
    for finding in findings(run):
        properties = {"title": finding.title}
        if finding.file:
            properties = {"file": finding.file, **({"line": str(finding.line)} if finding.line else {}), **properties}
        command = "error" if finding.level == "MUST" else "warning"
        shown = ",".join(f"{name}={_escaped(value, property_value=True)}" for name, value in properties.items())
        lines.append(f"::{command} {shown}::{_escaped(finding.text())}")
    return lines


def append_step_summary(summary: Path, step_summary: str | None) -> None:
    """summary.md appended to the file GitHub names in ``$GITHUB_STEP_SUMMARY`` (when set): the
    job's page shows it."""
    if step_summary:
        with open(step_summary, "a", encoding="utf-8") as out:
            out.write(summary.read_text(encoding="utf-8") + "\n")


def _escaped(text: str, property_value: bool = False) -> str:
    """As the Actions runner unescapes a workflow command (toolkit's command.ts): a line break
    would end the command, and in a property ``:`` and ``,`` would end the value."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if property_value else text
