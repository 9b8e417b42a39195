"""``--shard K/N`` and the merge (fixtures/shards.py, reports/merge.py): the reference stack's static
run in three shards, merged, gives the unsharded run's results check by check; a bad K/N is a
usage error; the merge refuses folders that are not the N shards of one run. Four static runs of
about twenty seconds each."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from fixtures.shards import Shard
from reports.json_writer import write_json
from reports.merge import MergeError, load_shards, write
from reports.model import CheckResult, RunResults
from reports.regression import verdict_differences, verdicts
from tests.layout import REFERENCE_STACK
from tests.live_runs import run_suites

SHARDS = 3


def _without_times(check: dict, report_dir: Path) -> dict:
    """A check's record as two runs of it agree: no duration, its report folder named alike."""
    text = json.dumps({k: v for k, v in check.items() if k != "duration_s"})
    return json.loads(text.replace(str(report_dir.resolve()) + "/", "REPORT/"))


@pytest.fixture(scope="module")
def unsharded_and_merged(tmp_path_factory):
    root = tmp_path_factory.mktemp("shards")
    unsharded = run_suites(REFERENCE_STACK, root / "unsharded", "-m", "not live")
    folders = [root / f"shard-{k}" for k in range(1, SHARDS + 1)]
    runs = [run_suites(REFERENCE_STACK, folder, "-m", "not live", "--shard", f"{k}/{SHARDS}")
            for k, folder in enumerate(folders, 1)]
    write(list(reversed(folders)), root / "merged")  # in any order
    merged = json.loads((root / "merged" / "results.json").read_text(encoding="utf-8"))
    return unsharded, runs, merged, root


def test_the_merged_shards_give_the_unsharded_run_check_by_check(unsharded_and_merged):
    unsharded, runs, merged, root = unsharded_and_merged
    assert unsharded.report, unsharded.stdout[-3000:]
    assert all(run.report for run in runs), [run.stdout[-2000:] for run in runs]
    assert verdict_differences(unsharded.report, merged) == {}
    assert [c["nodeid"] for c in merged["checks"]] == [c["nodeid"] for c in unsharded.report["checks"]]
    for mine, theirs in zip(merged["checks"], unsharded.report["checks"], strict=True):
        assert _without_times(mine, root / "merged") == _without_times(theirs, root / "unsharded")
    for part in ("summary", "coverage", "behaviour", "deselected", "interrupted"):
        assert merged.get(part) == unsharded.report.get(part), f"{part} differs"
    assert "shard" not in merged and "shard" not in unsharded.report
    # what makes the comparison worth having: every shard ran checks, and not all verdicts are alike
    assert all(len(run.report["checks"]) > 10 for run in runs), [len(run.report["checks"]) for run in runs]
    assert {"passed", "not applicable"} <= {v[4] for v in verdicts(unsharded.report).values()}
    assert sum(len(run.report["checks"]) for run in runs) == len(unsharded.report["checks"])


def test_stack_wide_checks_and_the_live_phase_are_shard_one_s(unsharded_and_merged):
    _, runs, _, _ = unsharded_and_merged
    for run in runs:
        wide = [c["nodeid"] for c in run.report["checks"] if not c["subject_kind"]]
        assert bool(wide) == (run.report["shard"]["index"] == 1), (run.report["shard"]["index"], wide)
        assert bool(run.report["deselected"].get("live")) == (run.report["shard"]["index"] == 1), run.report["deselected"]


def test_a_subject_s_shard_is_its_own_not_its_place():
    shard = Shard(1, 8)
    subjects = [f"Rule{n}" for n in range(200)]
    places = {s: shard.of_subject("alert_rule", s) for s in subjects}
    assert places == {s: shard.of_subject("alert_rule", s) for s in reversed(subjects)}
    assert set(places.values()) == set(range(1, 9))  # every shard gets some
    assert sum(Shard(k, 8).owns("alert_rule", "Rule7") for k in range(1, 9)) == 1


@pytest.mark.parametrize(("given", "problem"), [
    ("0/3", "K must be from 1 to 3"), ("4/3", "K must be from 1 to 3"), ("1/0", "at least 1"),
    ("2", "expected K/N"), ("a/b", "expected K/N"),
])
def test_a_shard_not_k_of_n_is_a_usage_error(given, problem):
    with pytest.raises(ValueError, match=problem):
        Shard.parse(given)


def test_the_option_says_which_shard_is_wrong(tmp_path):
    run = run_suites(REFERENCE_STACK, tmp_path / "report", "-m", "not live", "--shard", "9/8")
    assert run.returncode == 4, run.stdout[-2000:]
    assert "--shard 9/8: K must be from 1 to 8" in run.stdout
    assert not (tmp_path / "report").exists()


@pytest.mark.parametrize(("option", "refusal"), [
    (("-n", "2"), "--shard cannot be combined with -n"),
    (("--previous-results", "results.json"), "--shard cannot be combined with --previous-results"),
])
def test_what_compares_every_check_is_refused_with_a_shard(tmp_path, option, refusal):
    run = run_suites(REFERENCE_STACK, tmp_path / "report", "-m", "not live", "--shard", "1/2", *option)
    assert run.returncode == 4 and refusal in run.stdout, run.stdout[-2000:]


def _shard_folder(root: Path, name: str, index: int, count: int = 2, digest: str = "abc", harness: str = "c1") -> Path:
    run = RunResults(stack="stack", stack_name="s", profile="local", started="2026-12-07T00:00:00+00:00")
    run.checks = [CheckResult("alerting", f"R{index}", "fires", "passed", "MUST", "", f"suites/t.py::t[R{index}]",
                              subject_kind="alert_rule", phase="virtual")]
    run.shard = {"index": index, "of": count, "stack_digest": digest, "harness": harness, "order": [[1, index]],
                 "coverage_subjects": [], "report_dir": str(root / name)}
    (root / name).mkdir()
    write_json(run, root / name)
    return root / name


@pytest.mark.parametrize(("folders", "refusal"), [
    ((("a", 1), ("b", 1)), "shard 1/2 given twice"),
    ((("a", 1),), "shard 2 of 2 missing"),
    ((("a", 1), ("b", 2, 2, "other")), "another stack"),
    ((("a", 1), ("b", 2, 2, "abc", "c2")), "another harness commit"),
    ((("a", 1), ("b", 2, 3)), "another number of shards"),
])
def test_the_merge_refuses_what_is_not_the_shards_of_one_run(tmp_path, folders, refusal):
    made = [_shard_folder(tmp_path, *spec) for spec in folders]
    with pytest.raises(MergeError, match=refusal):
        load_shards(made)


def test_the_merge_refuses_an_unsharded_report_and_a_folder_without_one(tmp_path):
    plain = _shard_folder(tmp_path, "plain", 1)
    data = json.loads((plain / "results.json").read_text())
    del data["shard"]
    (plain / "results.json").write_text(json.dumps(data))
    with pytest.raises(MergeError, match="not a shard's report"):
        load_shards([plain])
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(MergeError, match="results.json no such file"):
        load_shards([empty])


def test_a_stack_edited_between_shards_is_another_stack(tmp_path):
    from fixtures.shards import stack_digest

    copy = tmp_path / "stack"
    shutil.copytree(REFERENCE_STACK, copy)
    before = stack_digest(copy)
    assert stack_digest(copy) == before
    rules = copy / "prometheus" / "analytics_rules.yml"
    rules.write_text(rules.read_text().replace("> 0.1", "> 0.2", 1))
    assert stack_digest(copy) != before


def test_the_merge_exits_as_the_run_would_and_sums_up_for_the_job_page(tmp_path, monkeypatch, capsys):
    from reports.merge import main

    folders = [_shard_folder(tmp_path, f"s{k}", k) for k in (1, 2)]
    summary = tmp_path / "step-summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    assert main([*map(str, folders), "--out", str(tmp_path / "merged")]) == 0
    assert "conformance verdict: conforms" in capsys.readouterr().out
    assert summary.read_text() == (tmp_path / "merged" / "summary.md").read_text() + "\n"
    failing = json.loads((folders[1] / "results.json").read_text())
    failing["checks"][0]["status"] = "failed"
    (folders[1] / "results.json").write_text(json.dumps(failing))
    assert main([*map(str, folders), "--out", str(tmp_path / "merged-again")]) == 1
    assert "does not conform: 1 MUST check(s) fail" in capsys.readouterr().out
