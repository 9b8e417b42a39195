"""The nightly verdict on a run's results.json: what newly fails (against --previous-results) and
which behaviour changes the stack does not acknowledge (against --baseline). scripts/nightly
exits non-zero when there is any; a check that was failing already is in the report, not news.

    python -m reports.nightly RESULTS_JSON [KEPT_JSON]

With KEPT_JSON, a night that needs no look is kept there as the next night's baseline and previous
results: complete, no check failing, every behaviour change acknowledged. Any other night leaves the
last such night in place, so that what fails or changed unacknowledged stays news every night until
it is fixed or acknowledged, rather than becoming the norm the next night compares with.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path


def findings(results: dict) -> list[str]:
    """Why tonight's run needs a look; empty when it does not."""
    found = []
    if results.get("interrupted"):
        found.append(f"the run is incomplete: {results['interrupted'].get('reason')}")
    regression = results.get("regression")
    failing = regression["newly_failing"] if regression else [
        c for c in results.get("checks", []) if c["status"] in ("failed", "error")]
    found += [f"newly fails: {c['component']} {c['check']} [{c['subject']}]{_on(c)}: {c['message'][:200]}"
              for c in failing]
    changes = (results.get("behaviour_changes") or {}).get("changes", [])
    found += [f"changed, not acknowledged: {c['text']}" for c in changes if not c["intended"]]
    return found


def _not_adopted(results: dict, found: list[str]) -> str:
    """Why tonight cannot be the next night's baseline; empty when it can."""
    if results.get("interrupted"):
        return "the run is incomplete"
    failing = sum(c["status"] in ("failed", "error") for c in results.get("checks", []))
    if failing:  # failing already counts too: adopted, it would make the failure the norm
        return f"{failing} check(s) fail"
    if found:
        return "a behaviour change is not acknowledged"
    return ""


def _on(check: dict) -> str:
    versions = check.get("versions") or {}
    return f" on {', '.join(f'{c} {v}' for c, v in versions.items())}" if versions else ""


def main(argv: list[str]) -> int:
    if len(argv) not in (1, 2):
        sys.stderr.write(__doc__)
        return 2
    path = Path(argv[0])
    if not path.is_file():
        sys.stderr.write(f"nightly: the run wrote no {path} (see its output above)\n")
        return 2
    results = json.loads(path.read_text(encoding="utf-8"))
    found = findings(results)
    for line in found:
        print(f"nightly: {line}")
    if len(argv) == 2:
        held_back = _not_adopted(results, found)
        if held_back:
            print(f"nightly: not kept as the next night's baseline ({held_back}); {argv[1]} stays as it was")
        else:
            shutil.copyfile(path, argv[1])
            print(f"nightly: kept as the next night's baseline: {argv[1]}")
    if results.get("versions"):  # what an upgrade would change: news for the reader, not a failure of the night
        print(f"nightly: {len(results.get('version_differences', []))} check(s) differ between the versions "
              f"{' / '.join(', '.join(f'{c} {v}' for c, v in s.items()) for s in results['versions'])}")
    print(f"nightly: {'needs a look' if found else 'nothing new'}: {path.parent / 'report.html'}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
