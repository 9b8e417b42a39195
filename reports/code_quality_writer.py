"""gl-code-quality-report.json: the failing checks as a GitLab code-quality report (the subset of
the Code Climate format GitLab documents: description, check_name, fingerprint, severity,
location.path and location.lines.begin), which a merge request shows on its changed lines. One
finding per place at fault (reports/findings.py); one no file holds (a live delivery) is placed on
the stack's manifest.yml, line 1, the report requiring a file."""

from __future__ import annotations

import json
import posixpath
from pathlib import Path

from reports.findings import findings
from reports.model import RunResults

SEVERITIES = {"MUST": "critical", "SHOULD": "minor"}


def write_code_quality(run: RunResults, directory: Path) -> Path:
    path = directory / "gl-code-quality-report.json"
    manifest = posixpath.join(run.stack_in_repository or "", "manifest.yml")
    report = [{
        "description": finding.text(),
        "check_name": finding.checks[0].check,
        "fingerprint": finding.fingerprint,
        "severity": SEVERITIES[finding.level],
        "location": {"path": finding.file or manifest, "lines": {"begin": finding.line or 1}},
    } for finding in findings(run)]
    path.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
