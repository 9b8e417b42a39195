"""One report of a sharded run: the N folders ``--shard K/N`` wrote (fixtures/shards.py) made into
the report.html, results.json and junit.xml (and the rest of reports.WRITERS) the unsharded run
writes, check by check; the verdict and the coverage outcomes are recomputed over every shard's
checks. Refuses, with one message, folders of different stacks or harness commits, a missing or
a repeated shard.

    python -m reports.merge SHARD_DIR... --out DIR [--previous-results FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path

from reports import WRITERS
from reports.coverage import coverage_line, rule_outcome, verdict
from reports.github import append_step_summary
from reports.model import RunResults
from reports.regression import PreviousResultsError, compare, load_previous


class MergeError(Exception):
    """Why the folders cannot be one report."""


def load_shards(folders: list[Path]) -> list[RunResults]:
    """Each folder's results.json, checked to be the N shards of one run, in shard order."""
    shards: dict[int, tuple[Path, RunResults]] = {}
    for folder in folders:
        try:
            run = load_previous(folder / "results.json")
        except PreviousResultsError as exc:
            raise MergeError(f"{folder}: results.json {exc}") from None
        if not run.shard:
            raise MergeError(f"{folder}: not a shard's report (its results.json has no 'shard': run with --shard K/N)")
        first_folder, first = next(iter(shards.values()), (folder, run))
        for key, what in (("of", "number of shards"), ("stack_digest", "stack (its files differ)"),
                          ("harness", "harness commit")):
            if run.shard.get(key) != first.shard.get(key):
                raise MergeError(f"{folder} and {first_folder} are not shards of one run: another {what} "
                                 f"({run.shard.get(key)} against {first.shard.get(key)})")
        index = run.shard["index"]
        if index in shards:
            raise MergeError(f"shard {index}/{run.shard['of']} given twice: {shards[index][0]} and {folder}")
        shards[index] = (folder, run)
    count = next(iter(shards.values()))[1].shard["of"]
    missing = [str(index) for index in range(1, count + 1) if index not in shards]
    if missing:
        raise MergeError(f"shard{'s' if len(missing) > 1 else ''} {', '.join(missing)} of {count} missing: "
                         f"every shard's folder is needed (given: {', '.join(str(f) for f in folders)})")
    return [shards[index][1] for index in sorted(shards)]


def merge(shards: list[RunResults]) -> RunResults:
    """The unsharded run's results from its shards' (in shard order)."""
    first = shards[0]
    merged = RunResults(stack=first.stack, stack_name=first.stack_name, profile=first.profile,
                        started=min(run.started for run in shards), stack_in_repository=first.stack_in_repository)
    placed = [(place, index, check) for index, run in enumerate(shards)
              for place, check in zip(run.shard["order"], run.checks, strict=True)]
    placed.sort(key=lambda entry: (entry[0], entry[1]))
    merged.checks = [check for *_, check in placed]
    seen: dict[str, int] = {}
    for _, index, check in placed:
        if check.nodeid in seen:
            raise MergeError(f"{check.nodeid} was run by shard {seen[check.nodeid] + 1} and shard {index + 1}: "
                             "the shards do not split this run (a harness defect)")
        seen[check.nodeid] = index
    merged.coverage = _coverage(shards, merged.checks)
    merged.behaviour = _behaviour(shards)
    notes = []
    for run in shards:
        notes += run.notes
        for field in ("components", "images", "timings"):
            getattr(merged, field).update(getattr(run, field))
        merged.transforms += run.transforms
        for module, seconds in run.phases.items():
            merged.phases[module] = round(merged.phases.get(module, 0.0) + seconds, 2)
        for phase, count in run.deselected.items():
            merged.deselected[phase] = merged.deselected.get(phase, 0) + count
    merged.duration_s = max(run.duration_s for run in shards)  # the shards run side by side
    merged.notes = [*dict.fromkeys(notes), f"merged from {len(shards)} shards (wall seconds each: "
                    + ", ".join(f"{run.shard['index']}: {run.duration_s:g}" for run in shards) + ")"]
    merged.interrupted = _interrupted(shards)
    return merged


def _coverage(shards: list[RunResults], checks: list) -> list[dict]:
    """Each shard's own rules' coverage, in the stack's order, each outcome over every shard's
    checks (a rule's live checks ran in shard 1, its others in its own shard)."""
    by_rule: dict[str, list] = {}
    for check in checks:
        if check.subject_kind == "alert_rule":
            by_rule.setdefault(check.subject, []).append(check)
    entries = [(place, {**entry, "outcome": rule_outcome(by_rule.get(subject, []))})
               for run in shards
               for entry, (place, subject) in zip(run.coverage, run.shard["coverage_subjects"], strict=True)]
    return [entry for _, entry in sorted(entries, key=lambda pair: pair[0])]


def _behaviour(shards: list[RunResults]) -> dict:
    """The behaviour record's subjects, each from the first shard that judged it (shard 1, where
    the live phase ran, knows most of a rule)."""
    records = [run.behaviour for run in shards if run.behaviour]
    if not records:
        return {}
    subjects: dict = {}
    for record in records:
        for name, entry in record.get("subjects", {}).items():
            subjects.setdefault(name, entry)
    return {**records[0], "subjects": dict(sorted(subjects.items()))}


def _interrupted(shards: list[RunResults]) -> dict | None:
    """How the first interrupted shard ended, with every shard's checks not run."""
    endings = [(run.shard["index"], run.interrupted) for run in shards if run.interrupted]
    if not endings:
        return None
    index, ending = endings[0]
    return {**ending, "reason": f"shard {index}: {ending.get('reason', 'interrupted')}",
            "not_run": sum(e.get("not_run", 0) for _, e in endings)}


def write(folders: list[Path], out: Path, previous: Path | None = None) -> tuple[RunResults, list[Path]]:
    """Merge the shard folders into ``out``: the report's files, and each shard's evidence folders
    (virtual-time tests...) beside them."""
    if out.resolve() in {folder.resolve() for folder in folders}:
        raise MergeError(f"--out {out} is one of the shard folders: the merged report goes to a folder of its own")
    shards = load_shards(folders)
    for run in shards:  # the evidence folders are copied to ``out``: so are the paths naming them
        _move_evidence(run, run.shard.get("report_dir"), out)
    merged = merge(shards)
    if previous is not None:
        try:
            merged.regression = compare(load_previous(previous), merged)
        except PreviousResultsError as exc:
            raise MergeError(f"--previous-results {previous}: {exc}") from None
    out.mkdir(parents=True, exist_ok=True)
    for folder in folders:
        for evidence in (path for path in folder.iterdir() if path.is_dir()):
            shutil.copytree(evidence, out / evidence.name, dirs_exist_ok=True)
    return merged, [writer(merged, out) for writer in WRITERS]


def _move_evidence(run: RunResults, was: str | None, out: Path) -> None:
    """Each check's evidence naming a file under the shard's report folder as it was written
    (``promtool test``: its virtual-time test) names it under ``out``."""
    if not was:
        return
    was, now = (json.dumps(str(folder).rstrip("/") + "/")[1:-1] for folder in (was, out.resolve()))
    for check in run.checks:
        text = json.dumps(check.evidence)
        if was in text:
            check.evidence = json.loads(text.replace(was, now))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="merge-reports", description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+", type=Path, metavar="SHARD_DIR",
                        help="the report folder of each shard (--report-dir of each --shard K/N run)")
    parser.add_argument("--out", required=True, type=Path, metavar="DIR", help="where the merged report is written")
    parser.add_argument("--previous-results", type=Path, metavar="FILE",
                        help="results.json of an earlier run: the report shows what newly fails and what was fixed")
    args = parser.parse_args(argv)
    try:
        merged, written = write(args.folders, args.out, args.previous_results)
    except MergeError as exc:
        parser.error(str(exc))
    for path in written:
        print(f"conformance report: {path}")
    judged = verdict(merged)
    print(f"conformance verdict: {judged['headline']}; tested: {coverage_line(judged['tested'])}")
    # the merge job's page shows the whole run's summary (each shard's job, its own; the shards
    # annotated the pull request's lines, each check once)
    append_step_summary(args.out / "summary.md", os.environ.get("GITHUB_STEP_SUMMARY"))
    return 1 if any(check.failing for check in merged.checks) else 0  # as the unsharded pytest run exits


if __name__ == "__main__":
    sys.exit(main())
