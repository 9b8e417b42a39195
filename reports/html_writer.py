"""report.html: a plain, self-contained summary of a run (no external scripts, styles or fonts)."""

from __future__ import annotations

from html import escape
from itertools import groupby
from pathlib import Path

from reports.model import LEVELS, RunResults

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem; color: #222; max-width: 80rem; }
table { border-collapse: collapse; width: 100%; margin-bottom: 1.5rem; }
th, td { border: 1px solid #ccc; padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
.passed { color: #17692c; } .failed, .error { color: #a4161a; font-weight: bold; } .skipped { color: #777; }
pre { white-space: pre-wrap; margin: 0; font-size: .85rem; }
"""


def _summary(run: RunResults) -> str:
    rows = []
    for level in LEVELS:
        counts = run.counts(level)
        cells = "".join(f"<td>{counts[status]}</td>" for status in counts)
        rows.append(f"<tr><th>{level}</th>{cells}</tr>")
    header = "".join(f"<th>{status}</th>" for status in run.counts())
    return f"<table><tr><th>level</th>{header}</tr>{''.join(rows)}</table>"


def _environment(run: RunResults) -> str:
    items = [("stack", run.stack), ("profile", run.profile), ("started", run.started),
             ("duration", f"{run.duration_s:.1f} s")]
    items += [(f"{name} version", version) for name, version in sorted(run.components.items())]
    items += [(f"{name} image", image) for name, image in sorted(run.images.items())]
    items += [(name, f"{seconds:.2f} s") for name, seconds in sorted(run.timings.items())]
    return "<table>" + "".join(f"<tr><th>{escape(k)}</th><td>{escape(str(v))}</td></tr>" for k, v in items) + "</table>"


def _checks(run: RunResults) -> str:
    sections = []
    ordered = sorted(run.checks, key=lambda c: (c.component, c.check, c.subject))
    for component, checks in groupby(ordered, key=lambda c: c.component):
        rows = "".join(
            f"<tr><td>{escape(c.check)}</td><td>{escape(c.subject)}</td><td>{c.level}</td>"
            f'<td class="{c.status}">{c.status}</td><td><pre>{escape(c.message)}</pre></td></tr>'
            for c in checks
        )
        sections.append(
            f"<h2 id=\"{escape(component)}\">{escape(component)}</h2><table><tr><th>check</th><th>subject</th>"
            f"<th>level</th><th>status</th><th>message</th></tr>{rows}</table>"
        )
    return "".join(sections)


def _transforms(run: RunResults) -> str:
    if not run.transforms and not run.notes:
        return ""
    rows = "".join(
        f"<tr><td>{escape(t['file'])}</td><td>{escape(t['location'])}</td><td>{escape(t['change'])}</td>"
        f"<td>{escape(t['reason'])}</td></tr>" for t in run.transforms
    )
    notes = "".join(f"<li>{escape(note)}</li>" for note in run.notes)
    return (
        "<h2 id=\"transforms\">Changes made for the live run</h2>"
        f"<table><tr><th>file</th><th>where</th><th>change</th><th>why</th></tr>{rows}</table>"
        + (f"<ul>{notes}</ul>" if notes else "")
    )


def write_html(run: RunResults, directory: Path) -> Path:
    path = directory / "report.html"
    title = f"Conformance report: {escape(run.stack_name)}"
    path.write_text(
        f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title>"
        f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><style>{STYLE}</style></head>"
        f"<body><h1>{title}</h1>{_summary(run)}<h2>Environment</h2>{_environment(run)}{_transforms(run)}{_checks(run)}</body></html>\n",
        encoding="utf-8",
    )
    return path
