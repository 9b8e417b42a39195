"""Derivation on public rule collections nobody here wrote, read in place from ../shared/: at
least 97 % of their alert rules get a firing and near-miss pair that promtool verifies or are
proved unable to fire, and every other rule is listed with its reason."""

import shutil

import pytest

from fixtures.derivation import Derived, Underivable, derive
from fixtures.derivation.corpus import load_rules, summary
from tests.layout import CORPORA

COLLECTIONS = [CORPORA / "awesome-prometheus-alerts", CORPORA / "thanos-mixin"]
REQUIRED_SHARE = 0.97


@pytest.mark.parametrize("collection", COLLECTIONS, ids=[c.name for c in COLLECTIONS])
@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool is not installed")
def test_corpus_rules_get_verified_derived_pairs(collection, tmp_path, capsys):
    if not collection.is_dir():
        pytest.skip(f"the rule corpus is not beside the checkout ({collection})")
    alerts, recordings = load_rules(collection)
    results = derive(alerts, recordings, scrape_interval_s=15, evaluation_interval_s=15, job="exporter",
                     instance="exporter:9100", directory=tmp_path)
    text = summary(results, collection)
    (tmp_path / "coverage.txt").write_text(text)
    with capsys.disabled():
        print("\n" + text)
    assert len(results) == len(alerts) and all(isinstance(r, (Derived, Underivable)) for r in results)
    assert all(r.reason and r.hint for r in results if isinstance(r, Underivable)), "every skip says why"
    settled = sum(isinstance(r, Derived) or r.cannot_fire for r in results)
    assert settled >= REQUIRED_SHARE * len(alerts), f"only {settled} of {len(alerts)} rules settled:\n{text}"
