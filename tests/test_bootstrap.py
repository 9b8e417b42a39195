"""scripts/bootstrap takes a lock: a second first run waits for the one building into the same cache
folders instead of building beside it, and says why it waits."""

from __future__ import annotations

import fcntl
import os
import subprocess
import time

from fixtures.workdirs import CACHE
from tests.layout import ROOT


def test_a_second_bootstrap_waits_for_the_first_and_says_so():
    CACHE.mkdir(parents=True, exist_ok=True)
    held = os.open(CACHE / "bootstrap.lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(held, fcntl.LOCK_EX)  # a first bootstrap, as far as the lock goes
    try:
        second = subprocess.Popen([str(ROOT / "scripts" / "bootstrap")], stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE, text=True, env={**os.environ, "MC_BUILD_VERSIONS": "0"})
        said = second.stderr.readline()
        assert "another scripts/bootstrap is running on this machine; waiting" in said, said
        time.sleep(1)
        assert second.poll() is None, "the second bootstrap went on while the first held the lock"
    finally:
        os.close(held)  # releases the lock
    rest = second.communicate(timeout=600)[1]
    assert second.returncode == 0 and "bootstrap: ready" in rest, rest[-2000:]
