"""What behaves differently now: every subject of the stack (alert rule, receiver, panel, the log
and trace contracts) against the --baseline run's behaviour record. A change the stack does not
acknowledge (its manifest's ``behaviour_changes`` file: what changed, and why) fails.

These checks run last (the plugin orders them so, and leaves them out without --baseline): the
record gathers what every other check of the run observed (routing, live deliveries, panels). The
plugin gives each one subject of the stack or of the baseline (``behaviour_subject``), the record
(``behaviour``) and the baseline (``baseline``): fixtures/plugin/behaviour.py."""

import pytest

from fixtures.checks import at, expect, not_applicable

pytestmark = pytest.mark.behaviour_diff
SHOWN = 10  # what a change brings about, and the subjects it affects, in a message (all in results.json)


@pytest.mark.conformance(component="behaviour", check="behaviour unchanged or acknowledged", phase="comparison",
                         inputs=("production",))
def test_behaviour_unchanged(behaviour_subject, behaviour, baseline, stack, evidence):
    """Fails for each change of the configuration written in this subject (its cause) that the
    stack does not acknowledge; a change brought about by another subject's (a route reaching this
    rule) is judged there: one changed line, one failing check."""
    diff = behaviour["changes"]
    before = baseline["record"]["subjects"]
    now = behaviour["record"]["subjects"]
    if before.get(behaviour_subject, {}) is None or now.get(behaviour_subject, {}) is None:
        not_applicable(f"{behaviour_subject} was not observed in this run or in the baseline's "
                       "(a live contract, in a run without the live stack): nothing to compare")
    changes = [c for c in diff["changes"] if c["subject"] == behaviour_subject]
    evidence["changes"] = [{"change": c["text"], "intended": c["intended"], **({"why": c["why"]} if c["why"] else {}),
                            **({"caused by": c["cause"]["subject"]} if c["cause"]["subject"] != behaviour_subject else {})}
                           for c in changes]
    unacknowledged = [c for c in diff["causes"] if c["subject"] == behaviour_subject and not c["intended"]]
    entry = now.get(behaviour_subject) or {}  # a removed subject is written nowhere now
    first = unacknowledged[0] if unacknowledged else {}
    where = at(stack.path(first["file"]), first.get("line")) if first.get("file") else \
        at(stack.path(entry["file"]), entry.get("line")) if entry.get("file") else None
    ledger = stack.manifest.get("behaviour_changes") or "a behaviour_changes file named by the manifest"
    expect(not unacknowledged, (
        f"{behaviour_subject} behaves differently from the baseline run of {diff['baseline']['started']} "
        f"({diff['baseline']['stack_name']}), and the stack does not acknowledge it:\n"
        + "\n".join(f"  - {c['text']}" + "".join(f"\n    {effect}" for effect in c["effects"][:SHOWN])
                    + (f"\n    and {len(c['effects']) - SHOWN} more" if len(c["effects"]) > SHOWN else "")
                    + (f"\n    (affects {', '.join(c['affects'][:SHOWN])}"
                       + (f" and {len(c['affects']) - SHOWN} more" if len(c["affects"]) > SHOWN else "") + ")"
                       if c["affects"] != [behaviour_subject] else "")
                    for c in unacknowledged)
        + f"\nif intended, say why in {ledger} (subject: {behaviour_subject!r}, field: "
          f"{first.get('field') or ''!r}, why: ...); else undo the change"), where)
