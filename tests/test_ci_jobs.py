"""The CI jobs the README gives a team to copy (GitHub Actions, GitLab CI): each parses as YAML,
every command it runs from this project is a script in ``scripts/`` with options the plugin
has, and the files it publishes are files a run writes."""

from __future__ import annotations

import os
import re
import shlex

import pytest
import yaml

from reports import WRITERS
from reports.model import RunResults
from tests.layout import ROOT

BLOCK = re.compile(r"^(?P<title>GitHub Actions|GitLab CI) \(.*?\n\n```yaml\n(?P<yaml>.*?)\n```", re.MULTILINE | re.DOTALL)
HARNESS = ".conformance/"  # where the jobs fetch this project
ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")


def _jobs() -> dict[str, dict]:
    found = {m["title"]: yaml.safe_load(m["yaml"]) for m in BLOCK.finditer((ROOT / "README.md").read_text())}
    assert set(found) == {"GitHub Actions", "GitLab CI"}, f"the README's CI jobs, found: {sorted(found)}"
    return found


def _commands(title: str, document: dict) -> list[str]:
    """Every shell command of the document's jobs, line continuations joined."""
    if title == "GitHub Actions":
        texts = [step["run"] for job in document["jobs"].values() for step in job["steps"] if "run" in step]
    else:
        texts = [line for job in document.values() if isinstance(job, dict)
                 for key in ("before_script", "script") for line in job.get(key, [])]
    return [command for text in texts for command in text.replace("\\\n", " ").splitlines() if command.strip()]


def _simple_commands(command: str) -> list[list[str]]:
    """A shell line's commands, split at ``||``, ``&&``, ``;`` and ``|``."""
    lexer = shlex.shlex(command, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    found, words = [], []
    for word in lexer:
        if word in ("||", "&&", ";", "|"):
            found, words = found + [words], []
        elif words or not ASSIGNMENT.match(word):  # an environment assignment before a command is not one
            words.append(word)
    return [words for words in [*found, words] if words]


def _options() -> set[str]:
    plugins = [(ROOT / "fixtures" / name).read_text(encoding="utf-8") for name in ("plugin/options.py", "shards.py")]
    return {option for plugin in plugins for option in re.findall(r'addoption\(\s*"(--[a-z-]+)"', plugin)} | {"-m"}


@pytest.mark.parametrize("title", ["GitHub Actions", "GitLab CI"])
def test_the_readme_ci_jobs_run_scripts_this_project_has_with_options_it_takes(title):
    commands = _commands(title, _jobs()[title])
    called = [words for command in commands for words in _simple_commands(command) if HARNESS in words[0]]
    assert called, f"{title}: no command runs this project"
    options = _options()
    for words in called:
        script = words[0]
        path = ROOT / script.removeprefix(HARNESS)
        assert path.parent == ROOT / "scripts" and path.is_file() and os.access(path, os.X_OK), \
            f"{title}: {script} is not a script of scripts/"
        if path.name in ("conformance", "nightly"):
            given = {word.split("=", 1)[0] for word in words if word.startswith("-")}
            assert given <= options, f"{title}: {script} is given options the plugin lacks: {given - options}"


def test_the_files_the_ci_jobs_publish_are_files_a_run_writes(tmp_path):
    written = {writer(RunResults(stack="s", stack_name="s", profile="local", started="t"), tmp_path).name
               for writer in WRITERS}
    jobs = _jobs()
    published = [path for job in jobs["GitLab CI"].values() if isinstance(job, dict)
                 for path in job.get("artifacts", {}).get("reports", {}).values()]
    assert published and {path.rsplit("/", 1)[-1] for path in published} <= written, (published, written)
    gate = jobs["GitHub Actions"]["jobs"]["gate"]
    assert gate["if"] == "github.event_name == 'pull_request'" and gate["container"] == "debian:12"
    commands = _commands("GitHub Actions", jobs["GitHub Actions"])
    assert any("--baseline" in command for command in commands)
    # The target branch's own findings must not annotate the pull request's lines nor join its summary.
    baseline = [c for c in commands if "reports/baseline\"" in c and "--baseline" not in c]
    assert baseline and all(c.strip().startswith("GITHUB_ACTIONS= GITHUB_STEP_SUMMARY= ") for c in baseline), baseline
    assert any("--baseline" in command for command in _commands("GitLab CI", jobs["GitLab CI"]))


SHARDED = re.compile(r"^(?P<title>GitHub Actions|GitLab CI), sharded \(.*?\n\n```yaml\n(?P<yaml>.*?)\n```",
                     re.MULTILINE | re.DOTALL)


def test_the_sharded_ci_jobs_run_every_shard_once_and_merge_them():
    found = {m["title"]: yaml.safe_load(m["yaml"]) for m in SHARDED.finditer((ROOT / "README.md").read_text())}
    assert set(found) == {"GitHub Actions", "GitLab CI"}, f"the README's sharded jobs, found: {sorted(found)}"
    github, gitlab = found["GitHub Actions"]["jobs"], found["GitLab CI"]
    shards = github["shard"]["strategy"]["matrix"]["shard"]
    assert shards == list(range(1, len(shards) + 1)) and gitlab["conformance-shard"]["parallel"] == len(shards)
    options = _options()
    for title, document in found.items():
        words = [words for command in _commands(title, document) for words in _simple_commands(command)
                 if HARNESS in words[0]]
        runs = [w for w in words if w[0].endswith("/conformance")]
        merges = [w for w in words if w[0].endswith("/merge-reports")]
        assert len(runs) == 1 and len(merges) == 1, (title, words)
        assert {w.split("=", 1)[0] for w in runs[0] if w.startswith("-")} <= options, runs[0]
        given = " ".join(runs[0])  # (shlex splits GitHub's ${{ }} expressions)
        assert f"--shard ${{{{ matrix.shard }}}}/{len(shards)} " in given or "--shard $CI_NODE_INDEX/$CI_NODE_TOTAL " in given
        assert (ROOT / "scripts" / "merge-reports").is_file() and "--out" in merges[0], merges[0]
    assert github["merge"]["needs"] == "shard" and gitlab["conformance-merge"]["needs"] == ["conformance-shard"]
