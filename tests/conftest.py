"""Shared fixtures of the harness's own tests: the reference stack, and broken copies of it.

The root conftest.py loads fixtures.plugin here too, so fixture and parameter names that the
plugin parametrises (``alert_rule``, ``severity``, ``config_file``...) are avoided in these tests.
"""

import os
import shutil
from pathlib import Path

import docker.errors
import pytest
import requests

from fixtures.model.stack import Stack
from fixtures.services.engine import LABEL_OWNER, LABEL_RUN, PODMAN_SOCKET, docker_client, labelled_containers
from tests.layout import REFERENCE_STACK

pytest_plugins = ["pytester", "tests.static_runs", "tests.report_runs"]


def _leave_out_examples(directory: str, names: list[str]) -> list[str]:
    # The seed under stack/examples is a stack of its own; a copy under test must not carry it.
    return ["examples"] if Path(directory) == REFERENCE_STACK else []


@pytest.fixture
def reference_stack() -> Stack:
    return Stack.load(REFERENCE_STACK)


@pytest.fixture
def broken_stack(tmp_path: Path):
    """A function ``edit(relative_path, old, new) -> stack_dir`` on a private copy of the stack.

    The first edit copies the reference stack (without its examples) to ``tmp_path/"stack"``;
    later edits change the same copy. ``old`` must occur exactly once, so an edit that no longer
    matches the reference stack fails loudly instead of testing an unbroken stack.
    """
    copy = tmp_path / "stack"

    def edit(relative: str, old: str, new: str) -> Path:
        if not copy.exists():
            shutil.copytree(REFERENCE_STACK, copy, ignore=_leave_out_examples)
        path = copy / relative
        text = path.read_text(encoding="utf-8")
        assert text.count(old) == 1, f"{path}: expected the text to replace exactly once: {old!r}"
        path.write_text(text.replace(old, new), encoding="utf-8")
        return copy

    return edit


def harness_resources(client) -> dict[str, str]:
    """Every container and network any harness run labelled (by kind and name) -> its owner label."""
    containers = labelled_containers(client, LABEL_RUN)
    networks = client.networks.list(filters={"label": LABEL_RUN})
    return {
        **{f"container {c['Names'][0].lstrip('/')}": (c.get("Labels") or {}).get(LABEL_OWNER, "")
           for c in containers},
        **{f"network {n.name}": (n.attrs.get("Labels") or {}).get(LABEL_OWNER, "") for n in networks},
    }


@pytest.fixture
def engine(monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", os.environ.get("DOCKER_HOST", f"unix://{PODMAN_SOCKET}"))
    try:
        client = docker_client()
        client.ping()
    except (docker.errors.DockerException, requests.RequestException) as exc:
        pytest.fail(f"no container engine to count containers with ({os.environ['DOCKER_HOST']}): {exc}")
    return client
