"""The broken-input corpus (tests/broken_inputs.py): for each defect, the static suites report one
finding at the defect's own file and line (or one usage error for a manifest defect), no
traceback or INTERNALERROR, and start nothing. The summary counts clear / unclear / crash."""

from __future__ import annotations

import time

from tests.broken_inputs import CORPUS, OWNERS, Defect, judge_corpus, summary
from tests.conftest import harness_resources

ISSUE_KINDS = 52  # the broken inputs issue 13 tried


def test_every_broken_input_is_one_clear_finding_at_its_source(engine):
    assert len(CORPUS) >= ISSUE_KINDS, f"the corpus holds {len(CORPUS)} kinds; the issue tried {ISSUE_KINDS}"
    began = time.monotonic()
    verdicts = judge_corpus()
    print(f"{summary(verdicts)}\n(in {time.monotonic() - began:.0f} s)")
    owned = [name for name, owner in harness_resources(engine).items() if owner in OWNERS]
    assert not owned, f"static runs on broken inputs started {owned}"
    assert all(v.outcome == "clear" for v in verdicts), summary(verdicts)


def test_the_judge_tells_a_missed_defect_from_a_clear_one():
    """The corpus test can fail: an edit that changes nothing the suites check is not clear."""
    harmless = Defect("a comment changed", "prometheus/prometheus.yml", "# prometheus.yml", "# prometheus config",
                      None, 1)
    (verdict,) = judge_corpus(corpus=(harmless,), workers=1)
    assert verdict.outcome == "unclear" and "0 failed" in verdict.why, verdict


def test_the_judge_tells_a_control_that_fails_something():
    """A control (a valid edit) is clear only if the run finds nothing: one that breaks a file is not."""
    broken = Defect("not a valid edit", "prometheus/prometheus.yml", "  scrape_interval: 15s", "  scrape_interval: 15",
                    None, 1, control=True)
    (verdict,) = judge_corpus(corpus=(broken,), workers=1)
    assert verdict.outcome == "unclear" and "failed 1 check" in verdict.why, verdict
