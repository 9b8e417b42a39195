"""results.json: the machine-readable record of a run (evidence values JSON cannot hold are kept as text)."""

from __future__ import annotations

import json
from pathlib import Path

from reports.model import RunResults


def write_json(run: RunResults, directory: Path) -> Path:
    path = directory / "results.json"
    path.write_text(json.dumps(run.to_dict(), indent=2, sort_keys=False, default=str) + "\n", encoding="utf-8")
    return path
