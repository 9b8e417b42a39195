"""Benchmark: a large stack's run in N shards (``--shard K/N``), run one after another here as a CI
matrix would run them side by side, then merged (python -m reports.merge). Prints each shard's
wall time and check count, the slowest shard, and the merge's time. Static and virtual time
(``-m "not live"``): the live phase is shard 1's whole (fixtures/shards.py).

    .venv/bin/python benchmarks/shards.py --rules 10000 --shards 8
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate_stack import write_stack  # a sibling script: benchmarks/ is not a package
from runs import ROOT


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rules", type=int, default=10000)
    parser.add_argument("--shards", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mc-bench-shards-") as work:
        stack = write_stack(args.rules, Path(work) / "stack")
        folders = [Path(work) / f"shard-{k}" for k in range(1, args.shards + 1)]
        walls = []
        for k, folder in enumerate(folders, 1):
            began = time.monotonic()
            done = subprocess.run([sys.executable, "-m", "pytest", "suites", "--stack", str(stack), "-m", "not live",
                                   "--shard", f"{k}/{args.shards}", "--report-dir", str(folder), "-q",
                                   "-p", "no:cacheprovider"], cwd=ROOT, capture_output=True, text=True, check=False)
            walls.append(time.monotonic() - began)
            print(f"shard {k}/{args.shards}: {walls[-1]:.1f} s, exit {done.returncode}, "
                  f"{done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr[-500:]}", flush=True)
        began = time.monotonic()
        merged = subprocess.run([sys.executable, "-m", "reports.merge", *map(str, folders),
                                 "--out", str(Path(work) / "merged")], cwd=ROOT, capture_output=True, text=True, check=False)
        merge_s = time.monotonic() - began
        print(f"merge: {merge_s:.1f} s, exit {merged.returncode} {merged.stderr[-500:]}")
        print(f"slowest shard: {max(walls):.1f} s (shard {walls.index(max(walls)) + 1}); all {sum(walls):.1f} s "
              "one after another")


if __name__ == "__main__":
    main()
