"""The behaviour diff: what the stack does now against what it did in a baseline run, in words a
reviewer reads ("critical-alerts: e-mail to nobody@example.invalid, was on-call@...").

A behaviour record (results.json ``behaviour``) holds one entry per subject (an alert rule, a
receiver, a panel, the log and trace contracts), each a flat mapping of fields. A field that is
``None`` was not observed in that run (no live run, no virtual-time timeline) and is not compared;
a field present on one side only was added or removed. Fields in ``NOT_COMPARED`` are kept as
data but vary with where the stack is written or with the live feed's timing.

Changes are grouped by cause: one row per changed element of the configuration (a rule's
expression, its ``for`` or labels, a route's receiver or grouping, a receiver's integration, a
panel's query), at the file and line it is written on, listing the subjects it affects: one changed
line is one row, however many rules route through it and however many phases saw it. What a
changed element brings about is the subject's own effect fields (a rule's boundary and timing
follow its expression and ``for``, else a changed recording rule it reads; its receivers follow
its labels, else a changed route reaching the receivers it had or has; what a receiver was sent, a
changed receiver's integrations; a panel's data, its query, else a changed recording rule it
reads). An effect no changed element explains is a row of its own.

Changes the stack acknowledges (``behaviour-changes.yml``, named by the manifest) are intended;
an acknowledgement names a cause (a subject, optionally one field: the changed element) and says
why; what the cause brings about in other subjects is intended with it.
"""

from __future__ import annotations

import json
from pathlib import Path

from reports.regression import PreviousResultsError, load_previous

SCHEMA = 1
# The kinds of subject a record holds: a subject of a kind the baseline's record did not know is not
# compared (a route is not new because the baseline was recorded before routes were).
KINDS = ("alert rule", "recording rule", "receiver", "route", "panel", "contract")
KINDS_BEFORE_ROUTES = ("alert rule", "receiver", "panel", "contract")  # a record without "kinds"
NOT_COMPARED = frozenset({"kind", "name", "file", "line", "lines", "values", "reaches", "timeline", "read_by"})
# An alert rule's effect fields -> the fields of its own configuration that bring them about.
RULE_EFFECTS = {"boundary": ("expr",), "fires_after_s": ("for", "expr"), "annotations": ("labels", "expr"),
                "receivers": ("labels",), "sent": ("labels",)}
FIELD_WORDS = {  # field -> what the words say it is, for the fields without a phrase of their own
    "for": "for", "expr": "expression", "unit": "unit", "type": "panel type", "thresholds": "thresholds",
    "dashboard": "dashboard", "receiver": "receiver", "group_by": "grouped by", "group_wait": "group_wait",
    "group_interval": "group_interval", "repeat_interval": "repeat_interval", "continue": "continue",
}


class BaselineError(PreviousResultsError):
    """The file given as a baseline holds no behaviour record to compare with."""


def load_baseline(path: Path) -> tuple[dict, dict]:
    """(run metadata, behaviour record) of a baseline results.json, both checked first."""
    previous = load_previous(path)  # every field of a results.json the comparison reads, checked
    record = json.loads(path.read_text(encoding="utf-8")).get("behaviour")
    if not isinstance(record, dict) or not isinstance(record.get("subjects"), dict):
        raise BaselineError("has no behaviour record ('behaviour' with 'subjects'): it was written before "
                            "behaviour records existed, or by a run that recorded none")
    if record.get("schema") != SCHEMA:
        raise BaselineError(f"behaviour record schema {record.get('schema')!r}, this suite reads {SCHEMA}")
    for subject, entry in record["subjects"].items():
        if entry is not None and not isinstance(entry, dict):
            raise BaselineError(f"behaviour subject {subject!r} is not an object")
    return {"started": previous.started, "stack_name": previous.stack_name}, record


def compare(baseline: dict, baseline_record: dict, record: dict, acknowledged: list[dict]) -> dict:
    """Every behaviour change from ``baseline_record`` to ``record``, and the same grouped by
    cause (``causes``: one row per changed element); a cause, and each change it brings about, is
    intended where an acknowledgement ({subject, field?, why, file, line}) names it."""
    before, now = baseline_record["subjects"], record["subjects"]
    new_kinds = set(KINDS) - set(baseline_record.get("kinds", KINDS_BEFORE_ROUTES))
    changes = [change for subject in sorted(set(before) | set(now))
               if _kind(before, now, subject) not in new_kinds
               for change in subject_changes(subject, before.get(subject, _MISSING), now.get(subject, _MISSING))]
    causes = _by_cause(changes, before, now)
    used = set()
    for cause in causes:
        found = next((i for i, a in enumerate(acknowledged) if a["subject"] == cause["subject"]
                      and a.get("field") in (None, cause["field"])), None)
        cause["intended"] = found is not None
        cause["why"] = acknowledged[found]["why"] if found is not None else ""
        used.add(found)
        for change in cause.pop("changes"):
            change["intended"], change["why"] = cause["intended"], cause["why"]
    changes.sort(key=lambda c: (c["intended"], c["subject"]))
    causes.sort(key=lambda c: (c["intended"], c["file"] or "", c["line"] or 0, c["subject"]))
    return {
        "baseline": baseline,
        "versions": {"baseline": baseline_record.get("versions", {}), "now": record.get("versions", {})},
        "changes": changes,
        "causes": causes,
        "unacknowledged": sum(1 for c in causes if not c["intended"]),
        # An acknowledgement no change matches: the change was undone, or the entry names it wrongly.
        "unused_acknowledgements": [a for i, a in enumerate(acknowledged) if i not in used],
    }


def _kind(before: dict, now: dict, subject: str) -> str | None:
    entry = now.get(subject) or before.get(subject)
    return entry.get("kind") if isinstance(entry, dict) else None


def _by_cause(changes: list[dict], before: dict, now: dict) -> list[dict]:
    """One row per changed element of the configuration, each change under the element that
    brought it about (``cause``: its subject and field), at the element's file and line."""
    changed: dict[str, dict[str, dict]] = {}
    for change in changes:
        changed.setdefault(change["subject"], {}).setdefault(change["field"], change)
    # The changed routes and the receivers each reaches, in either run: found once, not per rule.
    routes = [(route, set(_listed(before, route, "reaches")) | set(_listed(now, route, "reaches")))
              for route in sorted(changed) if _entry(before, now, route).get("kind") == "route"]
    recorders = [(rule, set(_listed(before, rule, "read_by")) | set(_listed(now, rule, "read_by")))
                 for rule in sorted(changed) if _entry(before, now, rule).get("kind") == "recording rule"]
    rows: dict[tuple, dict] = {}
    listed: dict[tuple, set] = {}  # per row, the subjects its affects name (a set: ten thousand rules may)
    for change in changes:
        subject, field = _cause(change, changed, routes, recorders, before, now)
        change["cause"] = {"subject": subject, "field": field}
        entry = _entry(before, now, subject)
        row = rows.get((subject, field))
        if row is None:
            own = changed.get(subject, {}).get(field, change)
            row = rows[(subject, field)] = {
                "subject": subject, "field": field, "text": own["text"], "file": entry.get("file"),
                "line": (entry.get("lines") or {}).get(field) or entry.get("line"),
                "affects": _reached(subject, entry, before, now), "effects": [], "changes": []}
            listed[(subject, field)] = {subject, *row["affects"]}
        row["changes"].append(change)
        if change["subject"] not in listed[(subject, field)]:
            listed[(subject, field)].add(change["subject"])
            row["affects"].append(change["subject"])
        if change["text"] != row["text"]:
            row["effects"].append(change["text"])
    return list(rows.values())


def _entry(before: dict, now: dict, subject: str) -> dict:
    entry = now.get(subject) or before.get(subject)
    return entry if isinstance(entry, dict) else {}


def _cause(change: dict, changed: dict, routes: list[tuple[str, set]], recorders: list[tuple[str, set]],
           before: dict, now: dict) -> tuple[str, str]:
    """(subject, field) of the element of the configuration that brought ``change`` about."""
    subject, field = change["subject"], change["field"]
    mine = changed.get(subject, {})
    kind = _entry(before, now, subject).get("kind")
    if kind == "panel" and field.startswith("data "):
        if f"query {field[5:]}" in mine:
            return subject, f"query {field[5:]}"
        return _recorded_for(subject, changed, recorders) or (subject, field)
    if kind != "alert rule" or field not in RULE_EFFECTS:
        return subject, field
    own = next((f for f in RULE_EFFECTS[field] if f in mine), None)
    if own is not None:
        return subject, own
    recorded = _recorded_for(subject, changed, recorders) if field in ("boundary", "fires_after_s", "annotations") \
        else None
    if recorded:
        return recorded
    receivers = set(_listed(before, subject, "receivers")) | set(_listed(now, subject, "receivers"))
    if field == "sent":  # a changed receiver it sends to
        receivers |= {name.split(" ", 1)[0] for name in (change.get("key") or "").split(",")}
        for name in sorted(receivers):
            if f"receiver {name}" in changed:
                return f"receiver {name}", next(iter(changed[f"receiver {name}"]))
    for route, reached in routes:
        if reached & receivers:
            fields = changed[route]
            return route, next((f for f in ("receiver", "continue", "subject") if f in fields), next(iter(fields)))
    return subject, field


def _recorded_for(subject: str, changed: dict, recorders: list[tuple[str, set]]) -> tuple[str, str] | None:
    """A changed recording rule ``subject`` reads (its expression, else its first changed field)."""
    for recorder, readers in recorders:
        if subject in readers:
            fields = changed[recorder]
            return recorder, "expr" if "expr" in fields else next(iter(fields))
    return None


def _listed(subjects: dict, subject: str, field: str) -> list:
    entry = subjects.get(subject)
    value = entry.get(field) if isinstance(entry, dict) else None
    return value if isinstance(value, list) else []


def _reached(subject: str, entry: dict, before: dict, now: dict) -> list[str]:
    """The subjects a changed element affects beyond those whose change it explains: the alert
    rules routed to a route's (or a receiver's) receivers, the rules and panels reading what a
    recording rule records, in either run; else the subject itself."""
    kind = entry.get("kind")
    if kind == "recording rule":
        return sorted(set(_listed(before, subject, "read_by")) | set(_listed(now, subject, "read_by")))
    if kind not in ("route", "receiver"):
        return [subject]
    names = set(_listed(before, subject, "reaches")) | set(_listed(now, subject, "reaches")) \
        if kind == "route" else {entry.get("name")}
    return sorted({rule for subjects in (before, now) for rule, e in subjects.items()
                   if isinstance(e, dict) and e.get("kind") == "alert rule"
                   and names & set(e.get("receivers") or [])})


_MISSING = object()


def subject_changes(subject: str, was, now) -> list[dict]:
    if was is None or now is None:  # not observed in one of the runs (a live contract, a static run)
        return []
    if was is _MISSING:
        return [_change(subject, "subject", None, now, f"{subject}: new{_summary(now)}")]
    if now is _MISSING:
        return [_change(subject, "subject", was, None, f"{subject}: removed (was{_summary(was)})")]
    name = now.get("name") or subject
    found = []
    for field in [*now, *(f for f in was if f not in now)]:
        a, b = was.get(field, _MISSING), now.get(field, _MISSING)
        if field in NOT_COMPARED or a is None or b is None or a == b:
            continue
        if isinstance(a, dict) and isinstance(b, dict) and field in ("labels", "annotations", "sent"):
            for key in [*b, *(k for k in a if k not in b)]:
                if a.get(key) != b.get(key):
                    found.append(_change(subject, field, a.get(key), b.get(key),
                                         _keyed_text(name, field, key, a.get(key), b.get(key)), key))
            continue
        found.append(_change(subject, field, None if a is _MISSING else a, None if b is _MISSING else b,
                             describe(name, field, a, b)))
    return found


def _change(subject, field, was, now, text, key=None) -> dict:
    change = {"subject": subject, "field": field, "was": was, "now": now, "text": text}
    if key is not None:
        change["key"] = key
    return change


def _summary(entry: dict) -> str:
    parts = [describe_value(field, value) for field, value in entry.items()
             if field not in NOT_COMPARED and value not in (None, "", [], {})]
    return f": {'; '.join(parts)}" if parts else ""


def describe(name: str, field: str, was, now) -> str:
    """One change of one field, as a sentence: the new value first, then what it was."""
    if was is _MISSING:
        return f"{name}: now {describe_value(field, now)}"
    if now is _MISSING:
        return f"{name}: no longer {describe_value(field, was)}"
    if field == "fires_after_s" and now == "never":
        return f"{name} no longer fires on its firing scenario, was {_after(was)}"
    if field == "fires_after_s":
        return f"{name} now fires {_after(now)}, was {_after(was)}"
    if field == "boundary":
        return f"{name} fires {_boundary(now)}, was {_boundary(was, short=now)}"
    if field == "receivers":
        return f"{name} routes to {_names(now)}, was {_names(was)}"
    if field == "for":
        return f"{name}: for {now or 'none (fires as soon as the condition holds)'}, was {was or 'none'}"
    if field.startswith("query ") or field == "expr":
        return f"{name}: {describe_value(field, now)}, was `{was}`"
    return f"{name}: {describe_value(field, now)}, was {_shown(was)}"


def describe_value(field: str, value) -> str:
    """What one field's value means, in words ("e-mail to on-call@...", "query A `up`")."""
    integration, _, setting = field.partition(".")
    kind = integration.split("[", 1)[0]
    if setting:
        return _INTEGRATION_WORDS.get((kind, setting), f"{integration} {setting} {{}}").format(_shown(value))
    if field.startswith("query "):
        return f"{field} `{value}`"
    if field == "expr":
        return f"expression `{value}`"
    if field.startswith("data "):
        return f"query {field.removeprefix('data ')} {value}"
    if field == "fires_after_s":
        return f"fires {_after(value)}"
    if field == "boundary":
        return f"fires {_boundary(value)}"
    if field == "receivers":
        return f"routes to {_names(value)}"
    if field in ("labels", "annotations"):
        return f"{field} {_pairs(value)}"
    return f"{FIELD_WORDS.get(field, field)} {_shown(value)}"


_INTEGRATION_WORDS = {
    ("email", "to"): "e-mail to {}", ("email", "subject"): "e-mail subject {}",
    ("slack", "channel"): "Slack to {}", ("slack", "title"): "Slack title {}",
    ("webhook", "host"): "webhook to host {}", ("email", "send_resolved"): "e-mail on resolution: {}",
    ("slack", "send_resolved"): "Slack on resolution: {}", ("webhook", "send_resolved"): "webhook on resolution: {}",
}


def _keyed_text(name: str, field: str, key: str, was, now) -> str:
    if field == "labels":
        return f"{name}: label {key}={_shown(now)}, was {_shown(was)}"
    if field == "annotations":
        return f"{name}: {key} renders {_shown(now)}, was {_shown(was)}"
    return f"{name}: live, {key} received {_shown(now)}, was {_shown(was)}"


def _after(value) -> str:
    if value == "never":
        return "not at all on its firing scenario"
    if value == 0:
        return "at once"
    return f"after {duration(value)}"


def _boundary(value, short=None) -> str:
    if not isinstance(value, dict):
        return _shown(value)
    if "underivable" in value:
        return f"on inputs the search could not find ({value['underivable']})"
    shown = f"{value['direction']} {value['quiet']}"
    same_input = isinstance(short, dict) and short.get("input") == value.get("input")
    return shown if same_input else f"{shown} on {value['input']}"


def _names(value) -> str:
    return ", ".join(value) if value else "no receiver"


def _pairs(value: dict) -> str:
    return "{" + ", ".join(f"{k}={v}" for k, v in value.items()) + "}"


def _shown(value) -> str:
    if value is _MISSING or value is None:
        return "nothing"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return value if value and " " not in value.strip() else repr(value)
    if isinstance(value, dict):
        return _pairs(value)
    return str(value)


def duration(value: float) -> str:
    """Seconds as Prometheus writes a duration: 90 -> 1m30s."""
    minutes, secs = divmod(int(value), 60)
    hours, minutes = divmod(minutes, 60)
    text = (f"{hours}h" if hours else "") + (f"{minutes}m" if minutes else "") + (f"{secs}s" if secs else "")
    return text or "0s"
