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


PROMETHEUS_YML = """\
global:
  scrape_interval: 15s
scrape_configs:
  - job_name: 'api'
    scrape_interval: 10s
    static_configs:
      - targets: ['api:8080']
  - job_name: 'node'
    static_configs:
      - targets: ['node:9100']
"""
ALERTMANAGER_YML = """\
global:
  smtp_from: 'a@example.com'
route:
  receiver: 'web.hook'
  routes:
    - matchers: ['severity="info"']
      receiver: 'web.hook'
receivers:
  - name: 'web.hook'
    webhook_configs:
      - url: 'http://example.com/'
"""
RULES_YML = """\
groups:
  - name: g
    rules:
      - record: job:up:sum
        expr: sum(up)
      - alert: A
        expr: up == 0
        annotations:
          summary: "down {{ $value"
"""


@pytest.mark.parametrize(("tool", "text", "old", "new", "at"), [
    ("config", PROMETHEUS_YML, "    scrape_interval: 10s\n", "    scrape_interval: 10s\n    scrape_timeout: 20s\n",
     "scrape_timeout: 20s"),
    ("config", PROMETHEUS_YML, "  - job_name: 'node'", "  - job_name: 'api'  # again", "# again"),
    ("config", PROMETHEUS_YML, "    static_configs:\n      - targets: ['node:9100']",
     ("    static_configs:\n      - targets: ['node:9100']\n    relabel_configs:\n      - regex: '(['\n"
     "        source_labels: [__address__]"), "regex: '(['"),
    ("rules", RULES_YML, "record: job:up:sum", "record: job-up-sum", "record: job-up-sum"),
    ("rules", RULES_YML, "", "", 'summary: "down'),
    # a label name promtool names unquoted ('invalid label name: on-call'): the label, not the rule
    ("rules", RULES_YML, "        annotations:\n", "        labels:\n          on-call: data\n        annotations:\n",
     "on-call: data"),
    ("rules", RULES_YML, "        annotations:\n",
     ("        labels:\n          severity: page\n          team.name: data\n        annotations:\n"), "team.name: data"),
    ("am", ALERTMANAGER_YML, "severity=\"info\"", "severity=~\"(info\"", "(info"),
    ("am", ALERTMANAGER_YML, "    webhook_configs:\n      - url: 'http://example.com/'",
     "    email_configs:\n      - to: 'b@example.com'", "email_configs:"),
    ("am", ALERTMANAGER_YML, "  receiver: 'web.hook'\n  routes", "  receiver: 'web.hok'\n  routes", "web.hok"),
    # Alertmanager's and Prometheus's validation naming a value or a setting and no line: the
    # value quoted or named, the keys named (in a phrase: 'missing to address'), the root route.
    ("am", ALERTMANAGER_YML, "  receiver: 'web.hook'\n  routes", "  receiver: 'web.hook'\n  group_wait: ten seconds\n  routes",
     "group_wait: ten"),
    ("am", ALERTMANAGER_YML, "  smtp_from: 'a@example.com'", "  smtp_from: 'a@example.com'\n  resolve_timeout: 5",
     "resolve_timeout"),
    ("am", ALERTMANAGER_YML, 'severity="info"', 'severity=info"', 'severity=info"'),
    ("am", ALERTMANAGER_YML, "receivers:\n", ("time_intervals:\n  - name: t\n    time_intervals:\n"
     "      - weekdays: ['monday:fryday']\nreceivers:\n"), "fryday"),
    ("am", ALERTMANAGER_YML, "  receiver: 'web.hook'\n  routes", "  receiver: 'web.hook'\n  group_by: ['...', 'job']\n  routes",
     "group_by"),
    ("am", ALERTMANAGER_YML, "  receiver: 'web.hook'\n  routes", "  receiver: 'web.hook'\n  matchers: ['team=\"data\"']\n  routes",
     'team="data"'),
    ("am", ALERTMANAGER_YML, "  receiver: 'web.hook'\n  routes", "  receiver: 'web.hook'\n  mute_time_intervals: [t]\n  routes",
     "mute_time_intervals"),
    ("am", ALERTMANAGER_YML, "route:\n  receiver: 'web.hook'\n", "route:\n", "route:"),
    ("am", ALERTMANAGER_YML, "    webhook_configs:\n      - url: 'http://example.com/'",
     "    slack_configs:\n      - api_url: 'http://example.com/'\n        api_url_file: /etc/hook-url\n        channel: '#a'",
     "api_url: 'http"),
    ("am", ALERTMANAGER_YML, "      - url: 'http://example.com/'", ("      - url: 'http://example.com/'\n"
     "        http_config:\n          basic_auth: {username: a, password: b}\n          authorization: {credentials: c}"),
     "basic_auth"),
    ("am", ALERTMANAGER_YML, "    webhook_configs:\n      - url: 'http://example.com/'",
     "    email_configs:\n      - to: ''\n        smarthost: 'smtp:25'\n        from: 'a@example.com'", "to: ''"),
    ("am", ALERTMANAGER_YML, "      - url: 'http://example.com/'\n", ("      - url: 'http://example.com/'\n"
     '  - name: "web.hook"\n    webhook_configs:\n      - url: \'http://example.org/\'\n'), '"web.hook"'),
    ("config", PROMETHEUS_YML, "['node:9100']", "['http://node:9100']", "http://node"),
    # "missing" messages: the entry that lacks the field, found by the structure, not the first of its kind.
    ("am", ALERTMANAGER_YML, "      - url: 'http://example.com/'\n", ("      - url: 'http://example.com/'\n"
     "    email_configs:\n      - to: 'b@example.com'\n        smarthost: 'smtp:25'\n        from: 'a@example.com'\n"
     "  - name: 'other'\n    email_configs:\n      - smarthost: 'smtp:25'\n        from: 'c@example.com'\n"),
     "- smarthost: 'smtp:25'"),
    ("am", ALERTMANAGER_YML, "      - url: 'http://example.com/'\n",
     "      - url: 'http://example.com/'\n    pagerduty_configs:\n      - severity: critical\n", "- severity: critical"),
    ("config", PROMETHEUS_YML, "  - job_name: 'node'\n    static", "  - static", "- static_configs"),
    ("config", PROMETHEUS_YML, "      - targets: ['node:9100']",
     "      - targets: ['node:9100']\n    dns_sd_configs:\n      - names: ['n.example']\n        type: A",
     "- names: ['n.example']"),
    # A value the message names as a word of its own, or after a colon with spaces in it.
    ("am", ALERTMANAGER_YML, "    webhook_configs:\n      - url: 'http://example.com/'",
     "    email_configs:\n      - to: 'b@example.com'\n        smarthost: 'smtp.example.com'\n        from: 'a@example.com'",
     "smarthost:"),
    ("am", ALERTMANAGER_YML, "receivers:\n", ("time_intervals:\n  - name: t\n    time_intervals:\n"
     "      - weekdays: ['monday']\n        location: 'Mars/Olympus'\nreceivers:\n"), "Mars/Olympus"),
    ("am", ALERTMANAGER_YML, 'severity="info"', "severity info", "severity info"),
])
def test_a_tool_rejection_is_found_at_the_line_it_is_about(tmp_path, tool, text, old, new, at):
    """promtool and amtool often name no line: the rule, job, setting, regex or integration they
    name is found in the file."""
    from fixtures.tools import amtool_check_config, promtool_check_config, rejection_line
    from tests.textfiles import line_containing

    path = write_text(tmp_path / "config.yml", text.replace(old, new, 1))
    checker = {"config": promtool_check_config, "rules": promtool_check_rules, "am": amtool_check_config}[tool]
    result = checker(path)
    assert not result.ok, result.output
    assert rejection_line(path, path.read_text().splitlines(), result.output) == line_containing(path, at), result.output
