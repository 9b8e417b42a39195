"""summary.md: the run as a pull request reads it (GitHub's step summary, a merge request
comment): the verdict, the coverage line, the behaviour changes by cause and the failures, each at
its file and line as the repository names it. Bounded: a large run's tables show the first rows and
say how many more report.html holds (GitHub takes at most 1 MiB of step summary)."""

from __future__ import annotations

import html
from pathlib import Path

from reports.coverage import coverage_line, verdict
from reports.findings import cut, findings
from reports.model import RunResults

ROWS = 50  # per table
EFFECTS = 5  # per behaviour change: what it brings about, the subjects it affects


def write_summary(run: RunResults, directory: Path) -> Path:
    path = directory / "summary.md"
    path.write_text(render(run), encoding="utf-8")
    return path


def render(run: RunResults) -> str:
    counts = run.counts()
    judged = verdict(run)
    lines = [f"## Conformance: {_cell(run.stack_name)}", "", f"**{judged['headline']}**", "",
             ", ".join(f"{n} {status}" for status, n in counts.items() if n) + f" · {run.duration_s:.1f} s"]
    lines += ["", f"Tested: {coverage_line(judged['tested'])}."]
    lines += _behaviour(run) + _failures(run)
    return "\n".join(lines) + "\n"


def _behaviour(run: RunResults) -> list[str]:
    diff = run.behaviour_changes
    if not diff:
        return []
    causes = diff.get("causes", [])
    lines = ["", f"### What behaves differently: {len(causes)} change(s), {diff['unacknowledged']} not acknowledged", ""]
    if not causes:
        return lines + ["No behaviour change against the baseline."]
    lines += ["| change | where | affects | acknowledged |", "| --- | --- | --- | --- |"]
    for cause in causes[:ROWS]:
        where = run.in_repository(cause)
        effects = "".join(f"<br>{_cell(text)}" for text in cause["effects"][:EFFECTS])
        if len(cause["effects"]) > EFFECTS:
            effects += f"<br>and {len(cause['effects']) - EFFECTS} more"
        affects = ", ".join(cause["affects"][:EFFECTS]) + (
            f" and {len(cause['affects']) - EFFECTS} more" if len(cause["affects"]) > EFFECTS else "")
        lines.append(f"| {_cell(cause['text'])}{effects} | {_where(where, cause.get('line'))} | {_cell(affects)} | "
                     + (f"intended: {_cell(cause['why'])}" if cause["intended"] else "**not acknowledged**") + " |")
    return lines + _more(len(causes))


def _failures(run: RunResults) -> list[str]:
    found = findings(run)
    failing = sum(len(finding.checks) for finding in found)
    lines = ["", f"### What fails: {failing} check(s) at {len(found)} place(s)", ""]
    if not found:
        return lines + ["Nothing fails."]
    lines += ["| level | where | check | message |", "| --- | --- | --- | --- |"]
    for finding in found[:ROWS]:
        for check in finding.checks[:5]:
            lines.append(f"| {check.level} | {_where(finding.file, finding.line)} | {_cell(check.check)} "
                         f"[{_cell(check.subject)}] | {_cell(_shortened(check.message))} |")
        if len(finding.checks) > 5:
            lines.append(f"| | | and {len(finding.checks) - 5} more check(s) here: report.html | |")
    return lines + _more(len(found))


def _more(count: int) -> list[str]:
    return ["", f"… and {count - ROWS} more in report.html."] if count > ROWS else []


def _where(file: str | None, line: int | None) -> str:
    return f"`{file}:{line}`" if file and line else f"`{file}`" if file else "–"


def _shortened(message: str) -> str:
    """A message on one line (a tool's output is several), cut at 300 characters."""
    return cut(" ".join((message or "").split()), 300)


def _cell(text: str) -> str:
    """Text of the stack's (names, messages) as a table cell: no markup, no cell break. Inside a
    code span (`expr`) Markdown shows text as it is, so only outside one is markup escaped."""
    parts = str(text).replace("\n", " ").split("`")
    closed = len(parts) % 2 == 1  # an unbalanced backtick opens no code span
    shown = [part if index % 2 and (closed or index < len(parts) - 1) else html.escape(part, quote=False)
             for index, part in enumerate(parts)]
    return "`".join(shown).replace("|", "\\|")
