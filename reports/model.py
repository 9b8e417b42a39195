"""What a conformance run produced: run metadata and one record per check."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

STATUSES = ("passed", "failed", "error", "skipped")
LEVELS = ("MUST", "SHOULD")


@dataclass
class CheckResult:
    component: str
    subject: str
    check: str
    status: str
    level: str
    message: str
    nodeid: str
    duration_s: float = 0.0
    evidence: dict = field(default_factory=dict)  # what the check saw: queries, values, payloads, timings


@dataclass
class RunResults:
    stack: str
    stack_name: str
    profile: str
    started: str
    duration_s: float = 0.0
    components: dict[str, str] = field(default_factory=dict)  # component -> version
    images: dict[str, str] = field(default_factory=dict)  # service -> image reference
    timings: dict[str, float] = field(default_factory=dict)
    transforms: list[dict] = field(default_factory=list)  # changes made to the files for the live run
    notes: list[str] = field(default_factory=list)
    checks: list[CheckResult] = field(default_factory=list)

    def counts(self, level: str | None = None) -> dict[str, int]:
        counts = dict.fromkeys(STATUSES, 0)
        for check in self.checks:
            if level is None or check.level == level:
                counts[check.status] += 1
        return counts

    def to_dict(self) -> dict:
        data = asdict(self)
        data["summary"] = {"all": self.counts(), **{level: self.counts(level) for level in LEVELS}}
        return data
