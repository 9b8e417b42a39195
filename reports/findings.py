"""The failing checks as a pull request shows them: grouped by the stack file and line at fault
(as the repository names the file), so that one changed line is one annotation, one code-quality
finding, one row, however many checks fail on it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from reports.model import LEVELS, CheckResult, RunResults

MESSAGE = 600  # characters of a check's message in an annotation or a code-quality finding


@dataclass
class Finding:
    file: str | None  # relative to the root of the stack's repository; None: no file holds it (a live delivery)
    line: int | None
    level: str  # the highest level of its checks: MUST before SHOULD
    checks: list[CheckResult] = field(default_factory=list)

    @property
    def title(self) -> str:
        first = self.checks[0]
        more = f" and {len(self.checks) - 1} more check(s)" if len(self.checks) > 1 else ""
        return f"{first.level} {first.check} [{first.subject}]{more}"

    @property
    def fingerprint(self) -> str:
        """Stable across runs while the same checks fail at the same place: a CI tells a new finding
        from an old one by it."""
        key = "\n".join([self.file or "", *sorted(check.nodeid for check in self.checks)])
        return hashlib.sha256(key.encode()).hexdigest()

    def text(self) -> str:
        """Each check and its message, each message cut at MESSAGE characters."""
        return "\n".join(f"{check.check} [{check.subject}] ({check.level}, {check.status}): {cut(check.message, MESSAGE)}"
                         for check in self.checks)


def findings(run: RunResults) -> list[Finding]:
    """One finding per place at fault (file and line in the repository), MUST first; failing
    checks no file holds are one finding each."""
    found: dict[tuple, Finding] = {}
    for check in run.checks:
        if not check.failing:
            continue
        file = run.in_repository(check.location)
        line = (check.location or {}).get("line") if file else None
        key = (file, line) if file else ("", check.nodeid)
        finding = found.setdefault(key, Finding(file, line, check.level))
        finding.checks.append(check)
        finding.level = min(finding.level, check.level, key=LEVELS.index)
    return sorted(found.values(), key=lambda f: (LEVELS.index(f.level), f.file is None, f.file or "", f.line or 0))


def cut(text: str, limit: int) -> str:
    """``text`` of at most ``limit`` characters, an ellipsis saying where it was cut."""
    text = (text or "").strip()
    return text if len(text) <= limit else text[:limit - 1] + "…"
