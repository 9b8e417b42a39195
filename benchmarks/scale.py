"""Benchmark: the cost of a conformance run as the number of alert rules grows.

Generates stacks of N and 2N rules (benchmarks/generate_stack.py), runs the suites on each as a
user would, and prints per run: wall time, rules per second, peak resident memory of the
harness (its own high-water mark, read from /proc while it runs) and of the largest promtool it
started, the report folder's size (and report.html's, results.json's); then the ratios
time(2N)/time(N) and size(2N)/size(N), which say whether the cost grows linearly; and the
harness's own CPU seconds per phase (benchmarks/phase_clock.py: start-up, collection, the checks,
the session's end with the report), which promtool's work does not count in.

Static and virtual time only (``-m "not live"``) by default; ``--live`` runs every phase on a
stack with Alertmanager routing (one live Prometheus and Alertmanager). Timings depend on the
machine's load: compare runs on one machine.

    .venv/bin/python benchmarks/scale.py --rules 1000 [--live] [--once] [--keep DIR]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate_stack import write_stack  # a sibling script: benchmarks/ is not a package
from runs import ROOT


def _high_water_kib(pid: int) -> int:
    """A process's peak resident memory so far (VmHWM), 0 once it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _children(pid: int) -> list[tuple[int, str]]:
    """(pid, command name) of the direct children of a process."""
    try:
        tasks = Path(f"/proc/{pid}/task").iterdir()
        found = []
        for task in tasks:
            for child in (task / "children").read_text().split():
                name = Path(f"/proc/{child}/comm").read_text().strip()
                found.append((int(child), name))
        return found
    except (OSError, ValueError):
        return []


class MemoryWatch(threading.Thread):
    """Samples the harness's high-water mark and its promtool children's, every 0.2 s."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.harness_kib, self.promtool_kib = pid, 0, 0
        self.running = True

    def run(self) -> None:
        while self.running:
            self.harness_kib = max(self.harness_kib, _high_water_kib(self.pid))
            for child, name in _children(self.pid):
                if name == "promtool":
                    self.promtool_kib = max(self.promtool_kib, _high_water_kib(child))
            time.sleep(0.2)


def _size(path: Path) -> int:
    """Bytes of a file, or of every file under a folder."""
    if path.is_file():
        return path.stat().st_size
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) if path.exists() else 0


def measure(rules: int, live: bool, work: Path) -> dict:
    stack = write_stack(rules, work / f"stack-{rules}", routing=live)
    report = work / f"report-{rules}"
    command = [sys.executable, "-m", "pytest", "suites", "--stack", str(stack), "--report-dir", str(report),
               "-q", "-p", "no:cacheprovider", "-p", "benchmarks.phase_clock", *([] if live else ["-m", "not live"])]
    began = time.monotonic()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    watch = MemoryWatch(process.pid)
    watch.start()
    output, _ = process.communicate()
    wall = time.monotonic() - began
    watch.running = False
    watch.join()
    lines = output.strip().splitlines()
    harness = next((line for line in reversed(lines) if line.startswith("harness CPU: ")), "harness CPU: not printed")
    last = next((line for line in reversed(lines) if line and not line.startswith("harness CPU: ")), "")
    return {
        "rules": rules, "wall_s": wall, "rules_per_s": rules / wall, "exit": process.returncode, "summary": last,
        "harness_cpu": harness,
        "harness_mib": watch.harness_kib / 1024, "promtool_mib": watch.promtool_kib / 1024,
        "report_mib": _size(report) / 2**20, "html_mib": _size(report / "report.html") / 2**20,
        "json_mib": _size(report / "results.json") / 2**20,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rules", type=int, default=1000, help="N: runs N and 2N rules")
    parser.add_argument("--live", action="store_true", help="every phase, on a stack with routing")
    parser.add_argument("--keep", type=Path, help="keep the stacks and reports in this folder")
    parser.add_argument("--once", action="store_true", help="N rules only, no ratio (a whole live run is long)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mc-scale-") as scratch:
        work = args.keep or Path(scratch)
        work.mkdir(parents=True, exist_ok=True)
        runs = [measure(n, args.live, work) for n in ((args.rules,) if args.once else (args.rules, 2 * args.rules))]
    for run in runs:
        print(f"{run['rules']} rules ({'every phase' if args.live else 'static + virtual time'}): "
              f"{run['wall_s']:.1f} s, {run['rules_per_s']:.1f} rules/s, exit {run['exit']} ({run['summary']}); "
              f"peak memory: harness {run['harness_mib']:.0f} MiB, largest promtool {run['promtool_mib']:.0f} MiB; "
              f"report folder {run['report_mib']:.1f} MiB (report.html {run['html_mib']:.1f}, "
              f"results.json {run['json_mib']:.1f}); {run['harness_cpu']}")
    if args.once:
        return
    small, large = runs
    print(f"time(2N)/time(N): {large['wall_s'] / small['wall_s']:.2f}  "
          f"size(2N)/size(N): {large['report_mib'] / max(small['report_mib'], 1e-9):.2f}  "
          f"memory(2N)/memory(N): {large['harness_mib'] / max(small['harness_mib'], 1e-9):.2f}")


if __name__ == "__main__":
    main()
