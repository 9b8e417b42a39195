"""The regression view: this run against a previous run's results.json, check by check (nodeid).

Kept in results.json under ``regression`` and shown first in the report: what newly fails, what
was fixed, what still fails, and which checks are new or gone.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from reports.model import NOT_RUN, STATUSES, CheckResult, RunResults


class PreviousResultsError(ValueError):
    """The file given as a previous run's results.json is not one: the message says what is wrong."""


JSON_KINDS = {dict: "an object", list: "a list", str: "a string", int: "a number", float: "a number",
              bool: "a boolean", type(None): "null"}
CHECK_FIELDS = ("nodeid", "status", "component", "check", "subject", "level", "message")
RUN_FIELDS = ("stack", "stack_name", "profile", "started")


def load_previous(path: Path) -> RunResults:
    """An earlier run's results.json, with every field the comparison reads checked first."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PreviousResultsError("no such file (a results.json of an earlier run)") from None
    except IsADirectoryError:
        raise PreviousResultsError("a folder, not a results.json file") from None
    except OSError as exc:
        raise PreviousResultsError(f"cannot be read: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise PreviousResultsError(f"not UTF-8 text (byte {exc.start}): not a results.json") from None
    except json.JSONDecodeError as exc:
        raise PreviousResultsError(f"not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    if not isinstance(data, dict):
        raise PreviousResultsError(f"{JSON_KINDS[type(data)]}, not the object a results.json holds")
    missing = [name for name in (*RUN_FIELDS, "checks") if name not in data]
    if missing:
        raise PreviousResultsError(f"not a results.json: no {', '.join(missing)}")
    if not isinstance(data["checks"], list):
        raise PreviousResultsError(f"'checks' is {JSON_KINDS[type(data['checks'])]}, not a list")
    for index, check in enumerate(data["checks"]):
        if not isinstance(check, dict):
            raise PreviousResultsError(f"checks[{index}] is {JSON_KINDS[type(check)]}, not an object")
        lacking = [name for name in CHECK_FIELDS if not isinstance(check.get(name), str)]
        if lacking:
            raise PreviousResultsError(f"checks[{index}] has no text for {', '.join(lacking)}")
        if check["status"] not in STATUSES:
            raise PreviousResultsError(f"checks[{index}] has the status {check['status']!r}, "
                                       f"not one of {', '.join(STATUSES)}")
    return RunResults.from_dict(data)


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
        # A check this run never got to is not fixed: nobody knows.
        "fixed": [entry(c, b) for b, c in both if b.failing and not c.failing and c.status != NOT_RUN],
        "still_failing": [entry(c, b) for b, c in both if b.failing and c.failing],
        "new_checks": [entry(c) for n, c in now.items() if n not in before],
        "removed_checks": [entry(c) for n, c in before.items() if n not in now],
    }


# What differs from run to run of the same stack in a verdict's reason: trace ids, measured waits.
RUN_SPECIFIC = ((re.compile(r"\b[0-9a-f]{16,32}\b"), "<trace id>"), (re.compile(r"\b\d+\.\d+ ?s\b"), "<seconds>"))


def verdicts(results: dict) -> dict[str, tuple]:
    """Each check of a results.json by test id: what it is, its outcome and its reason (without
    what differs from run to run), to tell whether two runs of one stack judged alike."""
    def reason(message: str) -> str:
        for pattern, placeholder in RUN_SPECIFIC:
            message = pattern.sub(placeholder, message)
        return message

    return {c["nodeid"]: (c["component"], c["subject"], c["check"], c["level"], c["status"], reason(c["message"]))
            for c in results["checks"]}


def verdict_differences(expected: dict, found: dict) -> dict[str, tuple]:
    """Test id -> (verdict in ``expected``, in ``found``; None where it has no such check) for
    every check the two results.json do not judge alike."""
    first, second = verdicts(expected), verdicts(found)
    return {nodeid: (first.get(nodeid), second.get(nodeid)) for nodeid in sorted(first.keys() | second.keys())
            if first.get(nodeid) != second.get(nodeid)}
