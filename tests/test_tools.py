"""fixtures/tools.py: the real promtool and amtool, as the suites call them."""

import pytest

from fixtures.tools import amtool_route, promtool_check_rules, run_tool
from tests.textfiles import write_text


@pytest.mark.parametrize(("level", "receiver"), [
    ("critical", "critical-alerts"),
    ("warning", "warning-alerts"),
    ("info", "web.hook"),
    ("unknown", "web.hook"),  # no route matches: the root receiver
])
def test_amtool_routes_each_severity_of_the_reference_stack(reference_stack, level, receiver):
    assert amtool_route(reference_stack.alertmanager_config_path, {"severity": level}) == [receiver]


def test_amtool_route_on_an_unreadable_config_raises(tmp_path):
    with pytest.raises(RuntimeError, match="amtool could not route"):
        amtool_route(tmp_path / "absent.yml", {"severity": "critical"})


def test_promtool_rejects_an_invalid_rule_file(tmp_path):
    path = write_text(tmp_path / "rules.yml", "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: sum(\n")
    result = promtool_check_rules(path)
    assert not result.ok and str(path) in result.output, result


def test_a_missing_tool_says_how_to_install_it():
    from fixtures.tools import ToolMissing

    with pytest.raises(ToolMissing, match="scripts/bootstrap"):
        run_tool("mc-no-such-tool")
