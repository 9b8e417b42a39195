"""A probe plugin (``-p tests.report_writes_probe``) for runs in a subprocess: it logs, next to the
report folder, every process it is loaded in (the controller and each xdist worker) and every
report file written, with the writing process's pid, so a test can tell who wrote the report."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

LOG_NAME = "report-writes.log"


def pytest_configure(config: pytest.Config) -> None:
    import reports

    log = _report_dir(config).parent / LOG_NAME
    _append(log, f"loaded {os.getpid()}")

    def logged(writer):
        def write(results, directory):
            _append(log, f"wrote {os.getpid()} {writer.__name__}")
            return writer(results, directory)
        return write

    reports.WRITERS = tuple(logged(writer) for writer in reports.WRITERS)


def _report_dir(config: pytest.Config) -> Path:
    directory = Path(config.getoption("--report-dir"))
    return directory if directory.is_absolute() else Path(config.invocation_params.dir) / directory


def _append(log: Path, line: str) -> None:
    with log.open("a", encoding="utf-8") as out:
        out.write(line + "\n")
