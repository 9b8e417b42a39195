"""fixtures/services/engine.py: what labels a run's resources, and whose leftovers may go."""

import os
import socket
import subprocess
import sys

from fixtures.services.engine import LABEL_OWNER, LABEL_RUN, RunIdentity
from fixtures.workdirs import owner_alive


def test_run_identity_labels_name_the_run_and_this_process():
    run = RunIdentity()
    assert run.labels == {LABEL_RUN: run.run_id, LABEL_OWNER: f"{socket.gethostname()}:{os.getpid()}"}


def test_each_run_has_its_own_id():
    assert RunIdentity().run_id != RunIdentity().run_id


def a_dead_pid() -> int:
    # A child that has exited and been reaped: its pid names no process.
    child = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                           capture_output=True, text=True, check=True)
    return int(child.stdout)


def test_a_dead_process_on_this_host_owns_nothing_any_more():
    assert owner_alive(f"{socket.gethostname()}:{a_dead_pid()}") is False


def test_a_live_process_on_this_host_still_owns_its_run():
    assert owner_alive(f"{socket.gethostname()}:{os.getpid()}") is True


def test_another_hosts_run_is_not_ours_to_judge():
    assert owner_alive(f"not-{socket.gethostname()}:{a_dead_pid()}") is True
