"""Derivation on a public rule collection nobody here wrote, read in place from ../shared/:
at least 90 % of its alert rules get a firing and near-miss pair that promtool verifies, and
every other rule is listed with its reason."""

import shutil

import pytest

from fixtures.derivation import Derived, Underivable, derive
from fixtures.derivation.corpus import load_rules, summary
from tests.layout import CORPORA

COLLECTION = CORPORA / "awesome-prometheus-alerts"
REQUIRED_SHARE = 0.90


@pytest.mark.skipif(not COLLECTION.is_dir(), reason=f"the rule corpus is not beside the checkout ({COLLECTION})")
@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool is not installed")
def test_corpus_rules_get_verified_derived_pairs(tmp_path, capsys):
    alerts, recordings = load_rules(COLLECTION)
    results = derive(alerts, recordings, scrape_interval_s=15, evaluation_interval_s=15, job="exporter",
                     instance="exporter:9100", directory=tmp_path)
    text = summary(results, COLLECTION)
    (tmp_path / "coverage.txt").write_text(text)
    with capsys.disabled():
        print("\n" + text)
    assert len(results) == len(alerts) and all(isinstance(r, (Derived, Underivable)) for r in results)
    assert all(r.reason and r.hint for r in results if isinstance(r, Underivable)), "every skip says why"
    derived = sum(isinstance(r, Derived) for r in results)
    assert derived >= REQUIRED_SHARE * len(alerts), f"only {derived} of {len(alerts)} rules derived:\n{text}"
