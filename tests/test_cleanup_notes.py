"""The notes a clean-up of earlier runs' leftovers writes say what happened to each one: removed
by this run, gone before it could remove them, or not removed and why. The engine's answers are
given (as the engine gives them after a SIGKILL, when another run or the engine itself finishes
the dead run's requests): what is tested is what the harness makes of them."""

from __future__ import annotations

import docker.errors
import pytest

from fixtures.services import engine
from fixtures.services.engine import LABEL_OWNER, LABEL_RUN, remove_leftovers

DEAD = "nohost:1"  # another machine's owner counts as alive: the test makes every owner dead
RACED = {"raced", "gone"}


class Engine:
    """Containers the way the engine lists them, and what it answers to kill and remove."""

    def __init__(self, containers: dict[str, str], refuse: dict[str, Exception]):
        self.listed = {name: {"Id": name, "Names": [f"/{name}"], "State": state,
                              "Labels": {LABEL_RUN: "old", LABEL_OWNER: DEAD}} for name, state in containers.items()}
        self.present = set(containers)
        self.refuse = refuse
        self.api, self.networks = self, self

    def containers(self, all: bool, filters: dict) -> list[dict]:
        if "id" in filters:
            return [self.listed[filters["id"]]] if filters["id"] in self.present else []
        return [self.listed[name] for name in sorted(self.present)]

    def kill(self, container_id: str) -> None:
        pass

    def remove_container(self, container_id: str, force: bool, v: bool) -> None:
        error = self.refuse.get(container_id)
        if error is None or container_id in RACED:  # RACED: another remover finished as this one was refused
            self.present.discard(container_id)
        if error is not None:
            raise error

    def list(self, filters: dict) -> list:
        return []


@pytest.fixture(autouse=True)
def dead_owners(monkeypatch):
    monkeypatch.setattr(engine, "owner_alive", lambda owner: False)
    monkeypatch.setattr(engine, "LEFTOVER_SETTLE_S", 0.01)


def test_each_leftover_is_reported_as_what_happened_to_it():
    conflict = docker.errors.APIError("409 Client Error: container state improper")
    client = Engine({"removed": "running", "raced": "exited", "gone": "exited", "stuck": "exited"},
                    {"raced": conflict, "gone": docker.errors.NotFound("no such container"),
                     "stuck": docker.errors.APIError("500 Server Error: device or resource busy")})
    cleanup = remove_leftovers(client)
    assert cleanup.removed == ["container removed"], cleanup
    assert sorted(cleanup.gone) == ["container gone", "container raced"], cleanup
    assert list(cleanup.not_removed) == ["container stuck"] and "busy" in cleanup.not_removed["container stuck"]
    notes = cleanup.notes("leftovers of earlier runs")
    assert notes[0].startswith("leftovers of earlier runs already gone") and "container raced" in notes[0], notes
    assert "not removed: container stuck: 500" in notes[1] and "did not answer" not in " ".join(notes), notes


def test_a_clean_up_that_removed_everything_says_nothing_but_that():
    cleanup = remove_leftovers(Engine({"a": "running", "b": "exited"}, {}))
    assert cleanup.removed == ["container a", "container b"] and cleanup.notes("x") == [], cleanup
