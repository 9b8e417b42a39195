"""junit.xml: one testsuite per component and one testcase per check, for CI systems.

classname is the component, name the check and its subject (``fires (live)[PipelineFailureRate]``),
with the check's level, phase and subject kind as properties; ``file`` and ``line`` are the stack
file and line at fault as the stack's repository names the file (also the property ``location``;
a check no file holds has neither, and its test id is the property ``test``);
a failed check carries its message as the failure message, an error as an error, a skip as skipped,
and a check an interrupted run never got to as skipped with the interruption as its message (each
suite then also carries the interruption as a property).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from reports.model import RunResults

OUTCOME_TAGS = {"failed": "failure", "error": "error", "not applicable": "skipped", "skipped": "skipped",
                "not run": "skipped"}


def write_junit(run: RunResults, directory: Path) -> Path:
    path = directory / "junit.xml"
    root = ET.Element("testsuites", name=f"conformance: {run.stack_name}", tests=str(len(run.checks)),
                      time=f"{run.duration_s:.3f}", timestamp=run.started)
    for component in run.component_names:
        checks = [c for c in run.checks if c.component == component]
        counts = run.counts(component=component)
        suite = ET.SubElement(root, "testsuite", name=component, tests=str(len(checks)),
                              failures=str(counts["failed"]), errors=str(counts["error"]),
                              skipped=str(counts["skipped"] + counts["not applicable"] + counts["not run"]),
                              time=f"{sum(c.duration_s for c in checks):.3f}")
        if run.interrupted:
            ET.SubElement(ET.SubElement(suite, "properties"), "property", name="interrupted",
                          value=run.interrupted["reason"])
        for check in checks:
            case = ET.SubElement(suite, "testcase", classname=component, name=f"{check.check}[{check.subject}]" + _on(check),
                                 time=f"{check.duration_s:.3f}", **_at(run, check))
            properties = ET.SubElement(case, "properties")
            # What the check declared of itself (fixtures/declared.py): CI can group by them.
            for name, value in (("level", check.level), ("phase", check.phase), ("subject_kind", check.subject_kind),
                                ("location", ":".join(case.get(k) for k in ("file", "line") if case.get(k))),
                                ("test", check.nodeid)):
                if value:
                    ET.SubElement(properties, "property", name=name, value=value)
            tag = OUTCOME_TAGS.get(check.status)
            if tag:
                outcome = ET.SubElement(case, tag, message=check.message or check.status, type=check.level)
                outcome.text = check.message
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
    return path


def _at(run: RunResults, check) -> dict:
    """The testcase's ``file`` and ``line``: where in the stack's repository the finding is."""
    file = run.in_repository(check.location)
    line = check.location.get("line") if file else None
    return {"file": file, **({"line": str(line)} if line else {})} if file else {}


def _on(check) -> str:
    """A version matrix run's checks say which versions they ran on: `` on prometheus 3.16.0,
    alertmanager 0.25.0``."""
    return " on " + ", ".join(f"{c} {v}" for c, v in check.versions.items()) if check.versions else ""
