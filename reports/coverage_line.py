"""The coverage line: how much of the stack the run tested, in one sentence, from results.json's
``summary`` (its ``coverage``: alert rules per scenario source). summary.md opens with it beside
the verdict, so that a run that tested little does not read as green."""

from __future__ import annotations


def coverage_line(summary: dict) -> str:
    """One sentence from a run's summary (``RunResults.summary()``, results.json ``summary``);
    empty where the run read no scenarios."""
    counts = summary.get("coverage")
    if not counts:
        return ""
    rules = sum(counts.values())
    return (f"{rules} alert rule(s): {counts.get('handwritten', 0)} tested on hand-written scenarios, "
            f"{counts.get('derived', 0)} on scenarios derived from their expression, "
            f"{counts.get('none', 0)} on none.")
