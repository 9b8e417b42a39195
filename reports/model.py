"""What a conformance run produced: run metadata and one record per check."""

from __future__ import annotations

import posixpath
from dataclasses import asdict, dataclass, field, fields, is_dataclass

STATUSES = ("passed", "failed", "error", "not applicable", "skipped", "not run")
LEVELS = ("MUST", "SHOULD")
NOT_PASSED = ("failed", "error")
NOT_RUN = "not run"  # a check the run collected but never got to: it was interrupted first


def module_of(nodeid: str) -> str:
    """The suite module of a test id (``test_alerts_live``)."""
    return nodeid.split("::", 1)[0].rsplit("/", 1)[-1].removesuffix(".py")


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
    location: dict | None = None  # where in the stack the finding is: {"file", "line", "text"}
    subject_kind: str = ""  # the kind of subject the check declares it is about: alert_rule, panel...
    phase: str = ""  # the phase the check declares: static, virtual, live, comparison ("" in older results)
    versions: dict[str, str] = field(default_factory=dict)  # component -> version it ran on (--versions only)
    check_id: str = ""  # the check's declared identity: the name it is defined under ("" in older results)

    @property
    def module(self) -> str:
        return module_of(self.nodeid)

    def is_check(self, check_id: str, shown_as: str) -> bool:
        """Whether this is the check declared as ``check_id`` (what it is keyed on, whatever its display
        name says); a result written before ids were recorded knows it only as ``shown_as``."""
        return self.check_id == check_id if self.check_id else self.check == shown_as

    @property
    def failing(self) -> bool:
        return self.status in NOT_PASSED

    @classmethod
    def from_dict(cls, data: dict) -> CheckResult:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


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
    phases: dict[str, float] = field(default_factory=dict)  # suite module -> wall seconds (setup, call, teardown)
    transforms: list[dict] = field(default_factory=list)  # changes made to the files for the live run
    notes: list[str] = field(default_factory=list)
    checks: list[CheckResult] = field(default_factory=list)
    regression: dict | None = None  # against a previous run's results.json (reports.regression.compare)
    # Why the run ended before every collected check ran: {"reason", "cause", "not_run", ...}; None if it did not.
    interrupted: dict | None = None
    # One entry per alert rule: rule, group, file, line, source (handwritten|derived|none), outcome, reason.
    coverage: list[dict] = field(default_factory=list)
    # What the run observed, per subject (fixtures/behaviour.py), and its changes against --baseline
    # (reports/behaviour.compare): a baseline run's behaviour is what the next run is compared with.
    behaviour: dict = field(default_factory=dict)
    behaviour_changes: dict | None = None
    # --versions: the version sets of the matrix, the stack's own first (component -> version each).
    versions: list[dict] = field(default_factory=list)
    # Phase -> checks the run's selection (-m "not live", -k) left out: a static run's live checks.
    deselected: dict[str, int] = field(default_factory=dict)
    # The stack folder relative to the root of the git repository holding it ("" at its root; None
    # outside any repository): a finding's file as a CI sees it in the checked-out repository.
    stack_in_repository: str | None = None
    # --shard K/N: {"index", "of", "stack_digest", "harness", "report_dir", "order", "coverage_subjects"}
    # (fixtures/shards.py): what reports/merge.py needs to make one report of the shards; None (and left out) unsharded.
    shard: dict | None = None

    def in_repository(self, location: dict | None) -> str | None:
        """The file of a finding (a location: file relative to the stack folder) relative to the
        root of the stack's repository, as a pull request's changed lines name it; as recorded
        where the stack is in no repository or the file lies outside the stack folder."""
        if not location or not location.get("file"):
            return None
        file = location["file"]
        if self.stack_in_repository is None or posixpath.isabs(file):
            return file
        return posixpath.normpath(posixpath.join(self.stack_in_repository, file))

    def coverage_counts(self) -> dict[str, int]:
        counts = {"handwritten": 0, "derived": 0, "none": 0}
        for entry in self.coverage:
            counts[entry["source"]] = counts.get(entry["source"], 0) + 1
        return counts

    def counts(self, level: str | None = None, component: str | None = None) -> dict[str, int]:
        counts = dict.fromkeys(STATUSES, 0)
        for check in self.checks:
            if (level is None or check.level == level) and (component is None or check.component == component):
                counts[check.status] += 1
        return counts

    @property
    def not_run(self) -> int:
        return sum(1 for check in self.checks if check.status == NOT_RUN)

    @property
    def component_names(self) -> list[str]:
        return sorted({check.component for check in self.checks})

    def to_dict(self) -> dict:
        """The run's records as fields (results.json adds what is derived from them,
        reports/json_writer.py). Shallow: the records share the checks' evidence (not to be
        modified), which may hold what JSON cannot (see :func:`jsonable`); copying it all was most of
        the cost of writing a hundred thousand checks."""
        data = _fields_of(self)
        omitted = () if self.versions else ("versions",)  # a run without --versions reads as it always did
        data["checks"] = [_fields_of(check, omitted) for check in self.checks]
        if self.shard is None:
            del data["shard"]
        if not self.versions:
            del data["versions"]
        return data

    @classmethod
    def from_dict(cls, data: dict) -> RunResults:
        known = {f.name for f in fields(cls)} - {"checks"}
        results = cls(**{k: v for k, v in data.items() if k in known})
        results.checks = [CheckResult.from_dict(c) for c in data.get("checks", [])]
        return results


def _fields_of(record, omitted: tuple[str, ...] = ()) -> dict:
    return {f.name: getattr(record, f.name) for f in fields(record) if f.name not in omitted}


def jsonable(value):
    """What JSON cannot hold, for ``json.dumps(default=...)``: a dataclass as its fields (as
    ``dataclasses.asdict`` gives them), anything else (a path, a set) as its text."""
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    return str(value)

