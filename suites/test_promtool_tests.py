"""The team's own promtool unit tests (the manifest's promtool_tests), each test group a check."""

import pytest

from fixtures.checks import at, expect, fail, fail_config
from fixtures.model.rules import load_alert_rules
from fixtures.model.stackfiles import ConfigError
from fixtures.promtool.team_tests import failed_lines, run_group
from fixtures.semantics.scenarios import vacuous_silences
from fixtures.validation import blocked, require_loadable_rules

pytestmark = pytest.mark.stack_section("promtool_tests", what="the team's own promtool tests")


@pytest.mark.conformance(component="prometheus", check="the team's promtool test passes", phase="virtual",
                         subject_kind="promtool_test_group", level="MUST")
def test_team_promtool_test(promtool_test_group, report_dir, validation):
    group = promtool_test_group
    if group.error is not None:
        fail_config(group.error)
    for index, path in enumerate(group.rule_files()):  # one that is not there would block the group unreported
        if not (validation.stack.inside(path) and path.is_file()):
            line = group.document.line_of_item("rule_files", index)
            where = "leaves the stack folder" if not validation.stack.inside(path) else "is not a file of the stack"
            problem = (f"rule_files entry {group.document['rule_files'][index]!r} {where} (it names {path}); "
                       "promtool cannot load the rules the group tests")
            if group.index > 0:  # the file's defect, one finding: its first group's; the others are blocked by it
                blocked(ConfigError(group.file, line, problem))
            fail(f"{group.file}:{line}: {problem}", at(group.file, line))
    # A rule file with a defect of its own is that defect's finding, not every test's over it.
    require_loadable_rules(validation, *group.rule_files())
    # An alert it tests that means something else than it says (rules mean what they say): the
    # group could show only the symptom.
    entry = group.document["tests"][group.index]
    tested = {str(t.get("alertname")) for t in entry.get("alert_rule_test") or [] if isinstance(t, dict)}
    loaded = [rule for path in group.rule_files() for rule in load_alert_rules(path)]
    for rule in (rule for rule in loaded if rule.name in tested):
        if (error := validation.of_rule(rule)) is not None:
            blocked(error)
    vacuous = vacuous_silences(group, {rule.name for rule in loaded})  # it would pass, testing nothing
    if vacuous:
        fail_config(vacuous[0])
    result = run_group(group, report_dir / "promtool-tests")
    lines = [] if result.ok else failed_lines(group, result.output)
    where = ", ".join(f"{group.file}:{line}" for line in lines)
    expect(result.ok, f"{where}: promtool test rules fails the test group at line {group.line}:\n{result.output}",
           at(group.file, lines[0] if lines else group.line))
