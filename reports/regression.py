"""The regression view: this run against a previous run's results.json, check by check (nodeid).

Kept in results.json under ``regression`` and shown first in the report: what newly fails, what
was fixed, what still fails, and which checks are new or gone.
"""

from __future__ import annotations

import json
from pathlib import Path

from reports.model import CheckResult, RunResults


def load_previous(path: Path) -> RunResults:
    return RunResults.from_dict(json.loads(path.read_text(encoding="utf-8")))


def compare(previous: RunResults, current: RunResults) -> dict:
    before = {c.nodeid: c for c in previous.checks}
    now = {c.nodeid: c for c in current.checks}

    def entry(check: CheckResult, earlier: CheckResult | None = None) -> dict:
        found = {"nodeid": check.nodeid, "component": check.component, "check": check.check,
                 "subject": check.subject, "level": check.level, "status": check.status, "message": check.message}
        if earlier is not None:
            found["previous_status"] = earlier.status
        return found

    both = [(before[n], now[n]) for n in now if n in before]
    return {
        "previous": {"started": previous.started, "stack_name": previous.stack_name,
                     "summary": previous.counts()},
        "newly_failing": [entry(c, b) for b, c in both if c.failing and not b.failing],
        "fixed": [entry(c, b) for b, c in both if b.failing and not c.failing],
        "still_failing": [entry(c, b) for b, c in both if b.failing and c.failing],
        "new_checks": [entry(c) for n, c in now.items() if n not in before],
        "removed_checks": [entry(c) for n, c in before.items() if n not in now],
    }
