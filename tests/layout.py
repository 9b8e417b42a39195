"""Where the project under test lives, seen from its own tests."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REFERENCE_STACK = ROOT / "stack"
SUITES = ROOT / "suites"
