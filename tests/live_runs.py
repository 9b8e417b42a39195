"""Running the real suites, live, in a subprocess, as a user runs them from the command line.

If this test session is interrupted while a run is under way, the run gets Ctrl-C (SIGINT) and
time to tear its containers down, rather than the SIGKILL subprocess.run would send it.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.layout import ROOT, SUITES

TIMEOUT_S = 1800  # a safety limit for a whole live run on a loaded machine, not a timing check
TEARDOWN_S = 60


def ctrl_c_enabled() -> None:
    """In the child: SIGINT as a terminal user has it. A test session started in the background
    by a non-interactive shell (CI) inherits SIGINT ignored, and Python then never turns Ctrl-C
    into KeyboardInterrupt, so an interrupted run would carry on to the end."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@dataclass
class LiveRun:
    returncode: int
    stdout: str
    report: dict  # results.json, or {} where the run wrote none


def run_suites(stack: Path, report_dir: Path, *args: str) -> LiveRun:
    command = [sys.executable, "-m", "pytest", str(SUITES), "--stack", str(stack), "--report-dir", str(report_dir),
               "-q", "-p", "no:cacheprovider", *args]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               preexec_fn=ctrl_c_enabled)  # noqa: PLW1509 - only resets SIGINT before exec
    try:
        stdout, _ = process.communicate(timeout=TIMEOUT_S)
    except BaseException:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=TEARDOWN_S)
        raise
    results = report_dir / "results.json"
    return LiveRun(process.returncode, stdout, json.loads(results.read_text()) if results.exists() else {})
