"""results.json: the machine-readable record of a run (evidence values JSON cannot hold are kept
as text).

Indented, except that each element of a top-level list (a check, a rule's coverage, a note) is
one line: a record is found whole with grep, and a hundred thousand checks are written by the
json module's C encoder, which indented output does not use."""

from __future__ import annotations

import json
from pathlib import Path

from reports.coverage import verdict
from reports.model import LEVELS, RunResults, jsonable
from reports.versions import differences


def document(run: RunResults) -> dict:
    """results.json's content: the run's records, then what is derived from them (here, above the
    model, so that the model imports none of the modules that read it)."""
    data = run.to_dict()
    if run.versions:
        data["version_differences"] = differences(run)
    data["summary"] = summary(run)
    return data


def summary(run: RunResults) -> dict:
    """results.json ``summary``: counts per status, all and per level, the rules per scenario
    source (``coverage``) where the run read scenarios, and the verdict with what was tested
    (reports/coverage.py)."""
    found = {"all": run.counts(), **{level: run.counts(level) for level in LEVELS}}
    if run.coverage:
        found["coverage"] = run.coverage_counts()
    found["verdict"] = verdict(run)
    return found


def write_json(run: RunResults, directory: Path) -> Path:
    path = directory / "results.json"
    with path.open("w", encoding="utf-8") as out:
        out.write("{")
        for index, (key, value) in enumerate(document(run).items()):
            out.write(("," if index else "") + f"\n  {json.dumps(key)}: ")
            if isinstance(value, list) and value:
                out.write("[")
                for place, item in enumerate(value):  # written as made: the whole text is never held
                    out.write(("," if place else "") + f"\n    {json.dumps(item, default=jsonable)}")
                out.write("\n  ]")
            else:
                out.write(json.dumps(value, indent=2, default=jsonable).replace("\n", "\n  "))
        out.write("\n}\n")
    return path
