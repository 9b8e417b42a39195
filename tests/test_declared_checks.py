"""Checks declare their phase, subject kind and inputs (fixtures/declared.py), on tiny suites run by
pytester: the declaration, not an argument's name, parametrises a check; checks run by declared
phase; the results, junit and report carry both; a missing or wrong declaration is a clear
collection error naming the file and line."""

import json
import xml.etree.ElementTree as ET

import pytest

from tests.layout import REFERENCE_STACK

# Written live first and static last: the run must still take the static checks first.
BY_PHASE = '''
import pytest


@pytest.mark.conformance(component="prometheus", check="looked at live", phase="live")
def test_live_look():
    pass


@pytest.mark.conformance(component="alerting", check="simulated", phase="virtual", subject_kind="alert_rule")
def test_simulated(anything_at_all):
    assert anything_at_all.name, "an alert rule has a name"


@pytest.mark.conformance(component="alertmanager", check="routed somewhere", phase="static", subject_kind="severity")
def test_routed(sev, stack):
    assert sev in stack.severity_receivers
'''

NO_PHASE = '''
import pytest


@pytest.mark.conformance(component="prometheus", check="forgot its phase")
def test_forgot(stack):
    pass
'''

UNKNOWN_KIND = '''
import pytest


@pytest.mark.conformance(component="prometheus", check="about what", phase="static", subject_kind="alert_rules")
def test_about_what(rule):
    pass
'''

UNKNOWN_INPUT = '''
import pytest


@pytest.mark.conformance(component="prometheus", check="reads what", phase="static", inputs=("scenario_set",))
def test_reads_what(stack):
    pass
'''

STATIC_BUT_LIVE = '''
import pytest


@pytest.mark.conformance(component="prometheus", check="sneaks a container in", phase="static")
def test_sneaky(live_stack):
    pass
'''


def _run(pytester, report_dir, *args):
    return pytester.runpytest_subprocess("-p", "fixtures.plugin", f"--stack={REFERENCE_STACK}",
                                         f"--report-dir={report_dir}", "-p", "no:cacheprovider", *args, timeout=180)


def test_the_declaration_parametrises_orders_and_is_reported(pytester, tmp_path):
    pytester.makepyfile(test_phases=BY_PHASE)
    result = _run(pytester, tmp_path)
    result.assert_outcomes(passed=1 + 8 + 3)  # one live check, 8 alert rules, 3 severities of the reference stack
    checks = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))["checks"]
    assert [c["phase"] for c in checks] == ["static"] * 3 + ["virtual"] * 8 + ["live"], [c["nodeid"] for c in checks]
    assert {(c["check"], c["subject_kind"]) for c in checks} == {
        ("routed somewhere", "severity"), ("simulated", "alert_rule"), ("looked at live", "")}
    assert "test_simulated[PipelineFailureRate]" in {c["nodeid"].split("::")[1] for c in checks}

    cases = ET.parse(tmp_path / "junit.xml").getroot().iter("testcase")
    properties = [{p.get("name"): p.get("value") for p in case.iter("property")} for case in cases]
    declared = {"level": "MUST", "phase": "virtual", "subject_kind": "alert_rule"}
    assert any(declared.items() <= case.items() for case in properties), properties

    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "virtual time" in html and "static" in html, "the report names the declared phases"


@pytest.mark.parametrize(("suite", "problem"), [
    (NO_PHASE, ("test_no_phase.py:4: test_forgot declares no phase in its conformance marker; declare one of "
               "'static', 'virtual', 'live', 'comparison'")),
    (UNKNOWN_KIND, ("test_unknown_kind.py:4: test_about_what declares subject_kind='alert_rules', which no package "
                   "provides; known kinds: *")),
    (UNKNOWN_INPUT, ("test_unknown_input.py:4: test_reads_what declares inputs scenario_set, which no check "
                    "consumes; declare a tuple of 'scenarios', 'behaviour', 'production', 'datasources'")),
], ids=["no phase", "unknown subject kind", "unknown input"])
def test_a_wrong_declaration_is_a_collection_error_at_its_line(pytester, tmp_path, suite, problem):
    name = {NO_PHASE: "test_no_phase", UNKNOWN_KIND: "test_unknown_kind", UNKNOWN_INPUT: "test_unknown_input"}[suite]
    pytester.makepyfile(**{name: suite})
    result = _run(pytester, tmp_path)
    assert result.ret == pytest.ExitCode.INTERRUPTED, result.stdout.str()  # pytest stops on collection errors
    result.stdout.fnmatch_lines([f"*{problem}"])
    assert "Traceback" not in result.stdout.str()


def test_a_static_check_that_needs_containers_is_a_usage_error(pytester, tmp_path):
    pytester.makepyfile(test_sneaky=STATIC_BUT_LIVE)
    result = _run(pytester, tmp_path)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([("*test_sneaky.py:4: test_sneaky declares phase='static' but uses live_stack "
                                 "(containers): declare phase='live'")])


# The fixtures through which a check consumes each declared input (fixtures/plugin/blocking.py
# blocks a check on the defects of the inputs it declares): one taken without its declaration
# is never blocked, and its fixture's own error reaches the run as a setup error. (The scenarios
# block only a check about an alert rule, which declares them with it.)
INPUT_FIXTURES = {"datasources": "datasources", "panel_runs": "datasources", "stack_produced_metrics": "production"}


def test_every_check_declares_the_inputs_its_fixtures_consume():
    import ast

    from tests.layout import SUITES

    undeclared = []
    for path in sorted(SUITES.glob("test_*.py")):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if not isinstance(node, ast.FunctionDef):
                continue
            marker = next((d for d in node.decorator_list if isinstance(d, ast.Call)
                           and ast.unparse(d.func).endswith("mark.conformance")), None)
            if marker is None:
                continue
            declared = next((ast.literal_eval(k.value) for k in marker.keywords if k.arg == "inputs"), ())
            needed = {INPUT_FIXTURES[a.arg] for a in node.args.args if a.arg in INPUT_FIXTURES}
            if needed - set(declared):
                undeclared.append(f"{path.name}:{node.lineno} {node.name} takes {sorted(needed - set(declared))}")
    assert not undeclared, undeclared
