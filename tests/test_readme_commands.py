"""Every command line the README shows (its ``sh`` blocks) runs as written, from a folder of the
user's own: in ``--collect-only`` form, since the live runs take minutes, which still parses every
option (``-n 2`` needs pytest-xdist in the environment scripts/conformance uses), reads the stack,
the baseline and the previous results, and writes the report where the line says, relative to the
caller's folder. A command line the README adds without an entry in FORMS fails here."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from fixtures import versions
from tests.layout import ROOT

# The version matrix's builds take minutes: these runs never start them (MC_BUILD_VERSIONS=0), and
# the --versions lines run on the versions this machine has.
MATRIX_BUILT = all(versions.built_dir(c, v).is_dir() for c, v in (("prometheus", "3.16.0"), ("alertmanager", "0.35.0")))
NOT_BUILT = "`scripts/bootstrap --versions` builds"

# README command line -> what its run must print. Each runs with --collect-only -q added (and a
# report folder of the test's own where the line names none).
FORMS = {
    "scripts/conformance": "tests collected",
    "scripts/selftest": "tests collected",
    "scripts/conformance --stack stack/examples/seed --report-dir reports/seed": "tests collected",
    'scripts/conformance -m "not live"': "tests collected",
    "scripts/conformance -n 2": "tests collected",
    "scripts/conformance --images registry": "tests collected",
    "scripts/conformance --real-time": "tests collected",
    "scripts/conformance --baseline reports/baseline/results.json": "tests collected",
    "scripts/conformance --write-scenarios my-scenarios": "tests collected",
    "scripts/conformance --versions prometheus=2.42.0,3.16.0 alertmanager=0.25.0,0.35.0":
        "tests collected" if MATRIX_BUILT else NOT_BUILT,
    # A collect-only night ran nothing: incomplete, so it is not kept as the next night's baseline.
    "scripts/nightly": "not kept as the next night's baseline (the run is incomplete)",
    "scripts/conformance --previous-results reports/nightly/results.json": "tests collected",
    'scripts/conformance -m "not live" --shard 1/2 --report-dir reports/shard-1': "tests collected",
    'scripts/conformance -m "not live" --shard 2/2 --report-dir reports/shard-2': "tests collected",
    # merges what the two lines above wrote (collect-only: every check not run, so incomplete)
    "scripts/merge-reports reports/shard-1 reports/shard-2 --out reports/merged": "conformance verdict: incomplete",
}
SHARD_LINES = [line for line in FORMS if "--shard" in line]  # what the merge's line merges


def readme_command_lines() -> list[str]:
    """The command lines of the README's ``sh`` blocks, without their comments."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```sh\n(.*?)^```", readme, re.MULTILINE | re.DOTALL)
    return [line.split("  #")[0].strip() for block in blocks for line in block.splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


def test_every_readme_command_line_has_a_form_here():
    shown = readme_command_lines()
    assert shown, "no command line found in the README's sh blocks"
    assert sorted(set(shown) - set(FORMS)) == [], "README command lines with no entry in FORMS"
    assert sorted(set(FORMS) - set(shown)) == [], "FORMS entries the README no longer shows"


@pytest.fixture(scope="module")
def caller(tmp_path_factory) -> Path:
    """A user's folder beside the repository: the reference stack where the README's lines expect it,
    a baseline and a previous night's results made by the README's own baseline command."""
    folder = tmp_path_factory.mktemp("caller")
    (folder / "stack").symlink_to(ROOT / "stack")
    made = _run(folder, 'scripts/conformance -m "not live" --stack stack --report-dir reports/baseline')
    assert made.returncode == 0, made.stdout[-3000:]
    (folder / "reports" / "nightly").mkdir(parents=True)
    shutil.copyfile(folder / "reports" / "baseline" / "results.json", folder / "reports" / "nightly" / "results.json")
    return folder


def _run(folder: Path, line: str, **env: str) -> subprocess.CompletedProcess:
    words = shlex.split(line)
    words[0] = str(ROOT / words[0])
    if not words[0].endswith("merge-reports"):  # a pytest run (the merge reads what the runs wrote)
        words += ["--collect-only", "-q"]
    return subprocess.run(words, cwd=folder, capture_output=True, text=True, timeout=600,
                          check=False, env={**os.environ, "MC_BUILD_VERSIONS": "0", **env})


@pytest.mark.parametrize("line", readme_command_lines())
def test_the_readme_command_line_runs_as_written(caller, line, tmp_path):
    if line not in FORMS:
        pytest.fail(f"the README shows {line!r}: add how it is exercised to FORMS in {Path(__file__).name}")
    expected = FORMS[line]
    if line.startswith("scripts/conformance") and "--report-dir" not in line:
        line += f" --report-dir {tmp_path / 'report'}"  # the repository's reports/latest stays untouched
    env = {"NIGHTLY_REPORTS": str(tmp_path / "nightly")}
    if not MATRIX_BUILT:
        env["NIGHTLY_VERSIONS"] = ""  # the nightly's matrix needs the builds; the README names this override
    if line.startswith("scripts/merge-reports"):  # its shards' folders first, where this line runs alone
        for shard_line in SHARD_LINES:
            if not (caller / shard_line.rsplit(" ", 1)[-1] / "results.json").is_file():
                _run(caller, shard_line)
    run = _run(caller, line, **env)
    said = run.stdout + run.stderr
    assert expected in said, f"{line}: exit {run.returncode}\n{said[-3000:]}"
    if expected == "tests collected":
        assert run.returncode == 0, f"{line}: exit {run.returncode}\n{said[-3000:]}"
    if "--report-dir reports/seed" in line:  # relative to the caller's folder, as is the stack
        assert (caller / "reports" / "seed" / "results.json").is_file(), said[-3000:]


def test_a_users_own_stack_folder_named_as_the_repositorys_is_the_one_judged(tmp_path):
    """A user's `stack` folder beside them is theirs, though the repository has one of that name too:
    tox rewrote such arguments into the repository's (args_are_paths), and the harness judged its
    own reference stack as the user's."""
    shutil.copytree(ROOT / "stack" / "examples" / "seed", tmp_path / "stack")
    (tmp_path / "stack" / "prometheus" / "infrastructure_rules.yml").write_text("groups: []\n")  # theirs differs
    mine = _run(tmp_path, 'scripts/conformance -m "not live" --stack stack')
    direct = subprocess.run([str(ROOT / ".venv" / "bin" / "pytest"), str(ROOT / "suites"), "-m", "not live",
                             "--stack", str(tmp_path / "stack"), "--collect-only", "-q"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=600, check=False)
    collected = [re.search(r"(\d+)/\d+ tests collected", run.stdout) for run in (mine, direct)]
    assert all(collected), (mine.stdout[-2000:], direct.stdout[-2000:])
    assert collected[0][1] == collected[1][1], f"judged another stack: {mine.stdout[-2000:]}"
