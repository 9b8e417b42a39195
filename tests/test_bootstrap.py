"""scripts/bootstrap takes a lock: a second first run waits for the one building into the same cache
folders instead of building beside it, and says why it waits; and an interrupted one leaves no build
running and no partial binary behind."""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

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


def test_an_interrupted_bootstrap_stops_its_background_jaeger_build(tmp_path):
    """On a new machine bootstrap builds Jaeger in the background while it installs the rest; stopped
    (a CI timeout, Ctrl-C), it must stop that build too and leave no partial binary behind."""
    go = shutil.which("go") or "/usr/local/go/bin/go"
    if not os.access(go, os.X_OK):
        pytest.skip("no Go toolchain: bootstrap builds no Jaeger here")
    cache = tmp_path / "cache"  # a new machine's empty cache: Jaeger is not built yet
    bootstrap = subprocess.Popen([str(ROOT / "scripts" / "bootstrap")], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                 text=True, env={**os.environ, "MC_BUILD_VERSIONS": "0", "XDG_CACHE_HOME": str(cache)},
                                 start_new_session=True)  # its own process group, as a terminal's job is
    partial = cache / "monitoring-conformance" / "jaeger-v1.76.0.partial"
    try:
        said = bootstrap.stderr.readline()
        assert "building Jaeger" in said and "in the background" in said, said
        time.sleep(3)  # go is resolving and compiling by now
        assert builders(partial), "no Jaeger build is running in the background"
        # A CI job's timeout: its whole process group is sent SIGTERM (Ctrl-C at a terminal sends SIGINT
        # the same way, which bash acts on only once the foreground command, a JVM for Maven, has ended).
        os.killpg(bootstrap.pid, signal.SIGTERM)
        bootstrap.communicate(timeout=120)
        deadline = time.monotonic() + 10
        while builders(partial) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not builders(partial), "the Jaeger build went on after bootstrap was stopped"
        assert not partial.exists(), f"a partial binary was left behind: {partial}"
    finally:  # whatever failed above, leave no bootstrap and no build running
        if bootstrap.poll() is None:
            os.killpg(bootstrap.pid, signal.SIGKILL)
        for pid in builders(partial):
            os.killpg(os.getpgid(pid), signal.SIGKILL)


def builders(output) -> list[int]:
    """The processes that write OUTPUT (go build -o OUTPUT)."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and str(output).encode() in (proc / "cmdline").read_bytes():
                found.append(int(proc.name))
        except OSError:
            continue
    return found

