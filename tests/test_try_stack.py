"""scripts/try-stack: a trial stack of copies (a stack reads nothing outside its folder), an Operator
form of a rule file accepted, and a rule file Prometheus would refuse refused before anything is built."""

import subprocess
import sys

from fixtures.model.stack import Stack
from tests.layout import ROOT
from tests.test_operator_forms import PROMETHEUS_RULE
from tests.textfiles import write_text


def _try_stack(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "scripts" / "try-stack"), *map(str, args)],
                          capture_output=True, text=True, timeout=120, check=False)


def test_a_prometheus_rule_file_becomes_a_trial_stack_of_copies(tmp_path):
    rules = write_text(tmp_path / "corpus" / "pipeline.yaml", PROMETHEUS_RULE)
    done = _try_stack(tmp_path / "trial", rules)
    assert done.returncode == 0, done.stderr
    copied = tmp_path / "trial" / "prometheus" / "corpus--pipeline.yaml"
    assert copied.is_file() and not copied.is_symlink()
    assert [rule.name for rule in Stack.load(tmp_path / "trial").alert_rules] == ["PipelineFailureRate"]


def test_a_rule_file_prometheus_cannot_load_is_refused_and_nothing_built(tmp_path):
    rules = write_text(tmp_path / "bad.yaml", PROMETHEUS_RULE.replace("rate5m > 0.1", "rate5m > > 0.1"))
    done = _try_stack(tmp_path / "trial", rules)
    assert done.returncode != 0 and "promtool cannot load it" in done.stderr and f"{rules}: " in done.stderr
    assert not (tmp_path / "trial").exists()
