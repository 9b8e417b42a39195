"""Where the project under test lives, seen from its own tests."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REFERENCE_STACK = ROOT / "stack"
SUITES = ROOT / "suites"
# Public rule collections nobody here wrote: read in place, beside the checkout (CI puts a copy of
# shared/ next to the fresh clone); CONFORMANCE_CORPORA points elsewhere, e.g. from a worktree.
CORPORA = Path(os.environ.get("CONFORMANCE_CORPORA", ROOT.parent / "shared" / "corpora"))
