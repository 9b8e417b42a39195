"""A corpus of broken inputs, as data, and a runner that judges what the static suites make of
each (issue 13, item 1): one finding at the defect's own file and line, no traceback, nothing
started.

Each :class:`Defect` is one edit of one file of a copy of the reference stack, and the line
(found by its text in the edited file, never a number) where the one finding must be. Defects in
the same ``batch`` edit different files and cannot reach each other's checks, so one static run
judges them all; a batch that is not clear throughout is run again one defect at a time, so a
verdict is always about one defect. Manifest defects end the run at once with a usage error and
run alone.

Run as a script (``python -m tests.broken_inputs [ROOT]``) to print the clear / unclear / crash
summary for the harness at ROOT (default: this checkout).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from tests.layout import REFERENCE_STACK, ROOT

BAD_BYTE = "\udcff"  # written as the byte 0xff (surrogateescape): not UTF-8
HUNG = "the run did not end"
CRASH_MARKS = ("Traceback (most recent call last)", "INTERNALERROR", HUNG)
WORKERS = 2
MAX_MESSAGE = 20_000  # characters of one check's message: beyond, it quotes input unbounded
OWNERS: list[str] = []  # every run's owner label, to find anything a static run started


@dataclass(frozen=True)
class Defect:
    name: str
    file: str  # relative to the stack
    old: str  # must occur exactly once
    new: str
    at: str | None  # text of the line the finding must name (in the edited file); None: line 1
    batch: int  # 0: alone (a manifest defect: a usage error ends the run)
    usage: bool = False  # the run must stop with a usage error, not a failing check
    control: bool = False  # a valid edit (run alone): the run must find nothing
    secret: str = ""  # a value the edit writes that no output or report file may show


M, P, AR, IR, AM = ("manifest.yml", "prometheus/prometheus.yml", "prometheus/analytics_rules.yml",
                    "prometheus/infrastructure_rules.yml", "alertmanager/alertmanager.yml")
EXEC, OPS = "grafana/dashboards/analytics-executive.json", "grafana/dashboards/analytics-operations.json"
METRICS, TRACING = "app/src/monitoring/custom_metrics.py", "app/src/tracing/tracer_config.py"


def sc(name: str) -> str:
    return f"scenarios/{name}.yml"


# Issue 25: configuration that is valid but means nothing or something else (fixtures/semantics.py),
# values a reader must refuse at their own line, and valid edits (controls) that must pass. Each
# runs alone (its own batch): several edit the same file.
RSYSLOG, LOGSTASH = "elk/rsyslog/rsyslog.conf", "elk/logstash/pipeline/analytics.conf"
RECEIVERS = "receivers:\n  - name: 'web.hook'"
INFO_ROUTE = "    - matchers: ['severity=\"info\"']\n      receiver: 'web.hook'"
CPU_LABELS = '          severity: warning\n        annotations:\n          summary: "High CPU usage detected"'
FAILURE_LABELS = ('          severity: critical\n        annotations:\n'
                  '          summary: "High pipeline failure rate detected"')


def _inhibit(source: str, target: str) -> str:
    return (f"inhibit_rules:\n  - source_matchers: ['{source}']\n    target_matchers: ['{target}']\n"
            f"    equal: [instance]\n{RECEIVERS}")


SEMANTIC: tuple[Defect, ...] = tuple(Defect(*fields, batch=2500 + n, control=fields[4] is None)
                                     for n, fields in enumerate((
    ("alertmanager: inhibit source no alert carries", AM, RECEIVERS,
     _inhibit('severity="page"', 'severity="warning"'), 'severity="page"'),
    ("alertmanager: inhibit target on a label no rule carries", AM, RECEIVERS,
     _inhibit('severity="critical"', 'alertname="HighCPUUsage"\', \'team="database"'), 'team="database"'),
    ("control: alertmanager: inhibit warning while critical", AM, RECEIVERS,
     _inhibit('severity="critical"', 'severity="warning"'), None),
    ("alertmanager: route on a misspelt alertname", AM, INFO_ROUTE,
     INFO_ROUTE + "\n    - matchers: ['alertname=\"DiskSpaceRunningLw\"']\n      receiver: 'critical-alerts'",
     "DiskSpaceRunningLw"),
    ("alertmanager: route after a catch-all", AM, INFO_ROUTE,
     INFO_ROUTE + "\n    - receiver: 'web.hook'\n    - matchers: ['alertname=\"HighCPUUsage\"']\n"
                  "      receiver: 'critical-alerts'", 'alertname="HighCPUUsage"'),
    ("control: alertmanager: route on a regular expression", AM, "['severity=\"info\"']",
     "['severity=~\"info|debug\"']", None),
    ("alertmanager: critical receiver without integration", AM, "  - name: 'critical-alerts'\n",
     "  - name: 'critical-alerts'\n  - name: 'critical-alerts-old'\n", "- name: 'critical-alerts'\n"),
    ("alertmanager: warning receiver without integration", AM, "  - name: 'warning-alerts'\n",
     "  - name: 'warning-alerts'\n  - name: 'warning-alerts-old'\n", "- name: 'warning-alerts'\n"),
    ("alertmanager: repeat_interval below group_interval", AM, "  repeat_interval: 1h", "  repeat_interval: 5s",
     "repeat_interval: 5s"),
    ("alertmanager: a route's group_interval above the repeat", AM, "      receiver: 'critical-alerts'",
     "      receiver: 'critical-alerts'\n      group_interval: 2h", "group_interval: 2h"),
    ("control: alertmanager: repeat_interval equal to group_interval", AM, "  repeat_interval: 1h",
     "  repeat_interval: 10s", None),
    ("rules: label alertname", IR, CPU_LABELS, CPU_LABELS.replace("warning\n", "warning\n          alertname: CPUHigh\n"),
     "alertname: CPUHigh"),
    ("rules: templated label alertname", AR, FAILURE_LABELS,
     FAILURE_LABELS.replace("critical\n", "critical\n          alertname: '{{ $labels.pipeline_name }}'\n"),
     "alertname: '{{"),
    ("rules: negative group limit", AR, "  - name: pipeline_alerts\n", "  - name: pipeline_alerts\n    limit: -1\n",
     "limit: -1"),
    ("rules: group limit not a number", IR, "  - name: infrastructure_alerts\n",
     "  - name: infrastructure_alerts\n    limit: many\n", "limit: many"),
    ("control: rules: group limit above the alerts", IR, "  - name: infrastructure_alerts\n",
     "  - name: infrastructure_alerts\n    limit: 5\n", None),
    ("prometheus.yml: Alertmanager target on another port", P, "          - alertmanager:9093",
     "          - alertmanager:9094", "alertmanager:9094"),
    ("prometheus.yml: Alertmanager target on an unknown host", P, "          - alertmanager:9093",
     "          - alertmanagr:9093", "alertmanagr:9093"),
    ("dashboard: uid of another dashboard", OPS, '"uid": "analytics-operations",', '"uid": "analytics-executive",',
     '"uid": "analytics-executive"'),
    ("index template: unknown field type", "elk/index-template.json", '"module": {"type": "keyword"}',
     '"module": {"type": "keywrd"}', '"keywrd"'),
    ("index template: unknown numeric type", "elk/index-template.json", '"quality_score": {"type": "float"}',
     '"quality_score": {"type": "floating"}', '"floating"'),
    ("control: index template: a keyword as wildcard", "elk/index-template.json", '"module": {"type": "keyword"}',
     '"module": {"type": "wildcard"}', None),
    ("rules: group interval often", AR, "  - name: pipeline_alerts\n", "  - name: pipeline_alerts\n    interval: often\n",
     "interval: often"),
    ("rules: keep_firing_for negative", IR, "        for: 1m", "        for: 1m\n        keep_firing_for: -1m",
     "keep_firing_for: -1m"),
    ("prometheus.yml: scrape_interval without a unit", P, "    scrape_interval: 30s", "    scrape_interval: 30",
     "scrape_interval: 30"),
    ("scenario: NaN value", sc("DatabaseConnectionPoolExhausted-firing"), "active: 48", "active: .nan",
     "active: .nan"),
    ("scenario: infinite value", sc("HighCPUUsage-firing"), "cpu_busy: 0.9}", "cpu_busy: .inf}", "cpu_busy: .inf"),
    ("rsyslog.conf: action left open", RSYSLOG, 'action.resumeRetryCount="-1")', 'action.resumeRetryCount="-1"',
     'action(type="omelasticsearch"'),
    ("rsyslog.conf: misspelt object", RSYSLOG, 'module(load="mmjsonparse")', 'modul(load="mmjsonparse")',
     'modul(load="mmjsonparse")'),
    ("control: rsyslog.conf: a main queue and a block comment", RSYSLOG, 'module(load="mmjsonparse")',
     'module(load="mmjsonparse")\n/* in memory { */\nmain_queue(queue.type="LinkedList")', None),
    ("logstash pipeline: list left open", LOGSTASH, 'hosts => ["http://elasticsearch:9200"]',
     'hosts => ["http://elasticsearch:9200"', "hosts =>"),
    ("logstash pipeline: quote left open", LOGSTASH, 'index => "analytics-logs-%{+YYYY-MM-dd}"',
     'index => "analytics-logs-%{+YYYY-MM-dd}', "index =>"),
)))

# Issue 25, the campaign's missed classes (fixtures/semantics/, fixtures/references.py): labels no
# alert carries, addresses no service listens on, container paths no mount provides, the log
# pipeline against the manifest, routes that cannot notify; each with a valid counterpart (control).
# Each runs alone (its own batch).
FILEBEAT, DATASOURCES = "elk/filebeat/filebeat.yml", "grafana/provisioning/datasources/prometheus.yml"
PROVIDERS, LOG_CONTRACT = "grafana/provisioning/dashboards/dashboards.yml", "contracts/logs.yml"
FAILURE_DESCRIPTION = 'description: "Pipeline failure rate is {{ $value | humanizePercentage }} over the last 5 minutes"'
WARNING_ROUTE = "    - matchers: ['severity=\"warning\"']\n      receiver: 'warning-alerts'"
ALWAYS = "time_intervals:\n  - name: always\n    time_intervals:\n      - times: [{start_time: '00:00', end_time: '24:00'}]\n"
ALWAYS_UTC = ALWAYS.replace("'24:00'}]", "'24:00'}]\n        location: UTC")
WEEKENDS = ALWAYS.replace("- times", "- weekdays: [saturday, sunday]\n        times")


def _equal(label: str) -> str:
    return (f"inhibit_rules:\n  - source_matchers: ['severity=\"critical\"']\n    target_matchers: ['severity=\"warning\"']\n"
            f"    equal: [{label}]\n{RECEIVERS}")


def _second_default(org: str) -> str:
    """A second default data source, before the first (so it is the one the finding names)."""
    return ("datasources:\n  - {name: Prometheus2, type: prometheus, uid: prometheus2, access: proxy, "
            f"url: 'http://prometheus:9090', isDefault: true{org}}}\n")


def _variable(datasource: str) -> str:
    return ('"uid": "analytics-operations",\n  "templating": {"list": [{"name": "job", "type": "query", '
            f'"datasource": {datasource}, "query": "label_values(up, job)"}}]}},')


REFERENCES: tuple[Defect, ...] = tuple(Defect(*fields, batch=2700 + n, control=fields[4] is None)
                                       for n, fields in enumerate((
    # Labels Alertmanager or a template keys on that no alert of the stack can carry.
    ("alertmanager: group_by a misspelt label", AM, "group_by: ['alertname']",
     "group_by: ['alertname', 'pipline_name']", "group_by:"),
    ("alertmanager: inhibit equal on a label no alert carries", AM, RECEIVERS, _equal("datacenter"),
     "equal: [datacenter]"),
    ("control: alertmanager: group_by and equal on carried labels", AM, "group_by: ['alertname']",
     "group_by: ['alertname', 'pipeline_name', 'instance']", None),
    ("rules: annotation names a label the aggregation drops", AR, FAILURE_DESCRIPTION,
     FAILURE_DESCRIPTION.replace("5 minutes", "5 minutes on {{ $labels.instance }}"), "labels.instance"),
    ("rules: annotation indexes a label the expression drops", IR, 'summary: "High CPU usage detected"',
     "summary: 'High CPU usage on {{ index $labels \"host\" }}'", "index $labels"),
    ("control: rules: annotation names the label the aggregation keeps", AR, FAILURE_DESCRIPTION,
     FAILURE_DESCRIPTION.replace("5 minutes", "5 minutes in {{ $labels.pipeline_name }}"), None),
    # Addresses: a service of the manifest on a port it does not listen on; localhost in a container.
    ("filebeat: Logstash on a port it does not listen on", FILEBEAT, '"logstash:5044"', '"logstash:5045"',
     "logstash:5045"),
    ("manifest: tracing endpoint on a port Jaeger does not listen on", M, "http://jaeger:4318/v1/traces",
     "http://jaeger:4319/v1/traces", "jaeger:4319"),
    ("datasources: Prometheus on another port", DATASOURCES, "url: http://prometheus:9090",
     "url: http://prometheus:9091", "prometheus:9091"),
    ("datasources: localhost in Grafana's container", DATASOURCES, "url: http://prometheus:9090",
     "url: http://localhost:9090", "localhost:9090"),
    ("alertmanager: webhook on localhost", AM, "http://webhook-service:5000/alerts", "http://localhost:5000/alerts",
     "localhost:5000"),
    ("control: alertmanager: webhook on an outside host's other port", AM, "http://webhook-service:5000/alerts",
     "http://webhook-service:5001/alerts", None),
    ("prometheus.yml: alerting path_prefix the Alertmanager does not serve", P, "  alertmanagers:\n    - static_configs:",
     "  alertmanagers:\n    - path_prefix: /am\n      static_configs:", "path_prefix: /am"),
    ("control: prometheus.yml: alerting path_prefix at the root", P, "  alertmanagers:\n    - static_configs:",
     "  alertmanagers:\n    - path_prefix: /\n      static_configs:", None),
    # Container paths no mount of the manifest provides; Grafana provisioning Grafana refuses.
    ("dashboard provider: path no mount provides", PROVIDERS, "path: /var/lib/grafana/dashboards",
     "path: /var/lib/grafana/dashboardz", "dashboardz"),
    ("dashboard provider: path in a mount, no such folder", PROVIDERS, "path: /var/lib/grafana/dashboards",
     "path: /etc/grafana/provisioning/dashbords", "dashbords"),
    ("alertmanager: *_file in no mount", AM, ("- api_url_file: /etc/alertmanager/secrets/slack-webhook-url\n"
     "        channel: '#data-team'"), "- api_url_file: /run/secrets/slack-webhook-url\n        channel: '#data-team'",
     "/run/secrets/slack"),
    ("datasources: two defaults", DATASOURCES, "datasources:\n", _second_default(""), "name: Prometheus2"),
    ("datasources: two defaults, one in organisation 1 written out", DATASOURCES, "datasources:\n",
     _second_default(", orgId: 1"), "name: Prometheus2"),
    ("control: datasources: a second data source, not the default", DATASOURCES, "datasources:\n",
     _second_default("").replace("isDefault: true", "isDefault: false"), None),
    # The log pipeline against the manifest.
    ("manifest: log pipeline names no service", M, "pipeline: [elasticsearch, rsyslog, logstash, filebeat]",
     "pipeline: [elasticsearch, rsyslog, logstsh, filebeat]", "pipeline: ["),
    ("manifest: log store names no service", M, "  store: elasticsearch", "  store: elasticsearh", "store: elasticsearh"),
    ("log contract: searchable by a field no event has", LOG_CONTRACT, "searchable_by: [pipeline_name, run_id]",
     "searchable_by: [pipeline_name, runid]", "searchable_by:"),
    ("log contract: searchable by an unlogged field", LOG_CONTRACT, "searchable_by: [pipeline_name, run_id]",
     "searchable_by: [pipeline_name, run_id, tenant]", "searchable_by:"),
    ("rsyslog.conf: reads another folder than the application's", RSYSLOG, 'file="/var/log/analytics/*.log"',
     'file="/var/log/analytic/*.log"', "/var/log/analytic/"),
    ("filebeat: reads another folder than the application's", FILEBEAT, "- /var/log/analytics/*.log",
     "- /var/log/app/*.log", "/var/log/app/"),
    ("control: rsyslog.conf: reads some files of the application's folder", RSYSLOG,
     'file="/var/log/analytics/*.log"', 'file="/var/log/analytics/pipeline-*.log"', None),
    ("logstash pipeline: index the pattern does not match", LOGSTASH, 'index => "analytics-logs-%{+YYYY-MM-dd}"',
     'index => "analytics-log-%{+YYYY-MM-dd}"', "analytics-log-%"),
    ("rsyslog.conf: index template the pattern does not match", RSYSLOG, 'string="analytics-logs-%$now-utc%"',
     'string="app-logs-%$now-utc%"', 'searchIndex="analytics-index"'),
    ("control: logstash pipeline: index per pipeline under the pattern", LOGSTASH,
     'index => "analytics-logs-%{+YYYY-MM-dd}"', 'index => "analytics-logs-%{[pipeline_name]}-%{+YYYY.MM}"', None),
    # A dashboard variable whose datasource matches no provisioned one.
    ("dashboard: variable on a misspelt datasource uid", OPS, '"uid": "analytics-operations",',
     _variable('{"type": "prometheus", "uid": "promethues"}'), '"promethues"'),
    ("dashboard: variable on a datasource name not provisioned", OPS, '"uid": "analytics-operations",',
     _variable('"Prometheus-old"'), '"Prometheus-old"'),
    ("control: dashboard: variable on the provisioned datasource", OPS, '"uid": "analytics-operations",',
     _variable('{"type": "prometheus", "uid": "prometheus"}'), None),
    # A path the manifest declares that is a folder where a file is read (or the other way round),
    # and a trace driver outside the stack (the harness would run it).
    ("manifest: prometheus_config names a folder", M, "prometheus_config: prometheus/prometheus.yml",
     "prometheus_config: prometheus", "prometheus_config:"),
    ("manifest: log contract names a folder", M, "contract: contracts/logs.yml", "contract: contracts",
     "contract: contracts\n"),
    ("control: manifest: scenarios folder written with a slash", M, "scenarios: scenarios", "scenarios: scenarios/",
     None),
    ("trace contract: driver outside the stack", "contracts/traces.yml", "driver: traced_run.py",
     "driver: ../../outside_driver.py", "driver:"),
    ("trace contract: driver at an absolute path", "contracts/traces.yml", "driver: traced_run.py",
     "driver: /usr/lib/python3/dist-packages/driver.py", "driver:"),
    ("control: trace contract: driver written with ./", "contracts/traces.yml", "driver: traced_run.py",
     "driver: ./traced_run.py", None),
    # The index template against the values the log contract's events carry.
    ("index template: a decimal field mapped as keyword", "elk/index-template.json",
     '"quality_score": {"type": "float"}', '"quality_score": {"type": "keyword"}', '"quality_score"'),
    ("index template: a decimal field mapped as long", "elk/index-template.json",
     '"quality_score": {"type": "float"}', '"quality_score": {"type": "long"}', '"quality_score"'),
    ("control: index template: a decimal field as double", "elk/index-template.json",
     '"quality_score": {"type": "float"}', '"quality_score": {"type": "double"}', None),
    # Routes that cannot notify.
    ("alertmanager: info route muted at every moment", AM, f"{INFO_ROUTE}\n\nreceivers:",
     f"{INFO_ROUTE}\n      mute_time_intervals: [always]\n\n{ALWAYS}receivers:", "mute_time_intervals: [always]"),
    ("alertmanager: warning route muted all day in UTC", AM, f"{WARNING_ROUTE}\n{INFO_ROUTE}\n\nreceivers:",
     (f"{WARNING_ROUTE}\n      mute_time_intervals: [always]\n{INFO_ROUTE}\n\n"
     f"{ALWAYS_UTC}receivers:"), "mute_time_intervals: [always]"),
    ("control: alertmanager: info route muted at weekends", AM, f"{INFO_ROUTE}\n\nreceivers:",
     f"{INFO_ROUTE}\n      mute_time_intervals: [always]\n\n{WEEKENDS}receivers:",
     None),
    ("prometheus.yml: alert relabelling drops severity", P, "alerting:\n",
     "alerting:\n  alert_relabel_configs:\n    - action: labeldrop\n      regex: severity\n", "- action: labeldrop"),
    ("prometheus.yml: alert relabelling keeps too little", P, "alerting:\n",
     "alerting:\n  alert_relabel_configs:\n    - action: labelkeep\n      regex: alertname|instance\n",
     "- action: labelkeep"),
    ("control: prometheus.yml: alert relabelling drops a replica label", P, "alerting:\n",
     "alerting:\n  alert_relabel_configs:\n    - action: labeldrop\n      regex: prometheus_replica\n", None),
)))

# Issue 25, reading bounded and typed: a value of the wrong type, an unknown key or an out-of-range
# value in a file the user writes for the harness; a file or run that would never end; a tool's
# rejection found at the line it is about, not only the file. Each alone; controls must pass.
NEST = "[" * 100_000 + "]" * 100_000
BOUNDED: tuple[Defect, ...] = tuple(Defect(*fields, batch=2600 + n, control=fields[4] is None)
                                    for n, fields in enumerate((
    ("scenario: feeds a string", sc("HighCPUUsage-firing"), "feeds:\n  node-exporter:\n    - host: {cpu_busy: 0.9}",
     "feeds: node-exporter", "feeds: node-exporter"),
    ("scenario: a number written as a mapping", sc("HighCPUUsage-silent"), "{cpu_busy: 0.78}",
     "{cpu_busy: {value: 0.78}}", "cpu_busy: {value"),
    ("scenario: every 0s", sc("PipelineFailureRate-firing"), "every: 10s", "every: 0s", "every: 0s"),
    ("scenario: misspelt key", sc("HighMemoryUsage-firing"), "duration: 6m", "duraton: 6m", "duraton: 6m"),
    ("control: scenario: duration in seconds", sc("HighCPUUsage-firing"), "duration: 8m", "duration: 480", None),
    ("scenario: a duration of centuries", sc("HighCPUUsage-silent"), "duration: 8m", "duration: 100000000h",
     "duration: 100000000h"),
    ("scenario: a run too long for the stack's intervals", sc("HighCPUUsage-firing"), "duration: 8m", "duration: 3d",
     "duration: 3d"),
    ("scenario: a million events", sc("PipelineFailureRate-firing"), ("duration: 8m\nfeeds:\n  data-pipeline:\n"
     "    - pipeline_runs: {pipeline_name: customer_analytics, every: 10s"),
     "duration: 20m\nfeeds:\n  data-pipeline:\n    - pipeline_runs: {pipeline_name: customer_analytics, every: 1ms",
     "every: 1ms"),
    ("control: scenario: a long run at coarse intervals", sc("HighCPUUsage-silent"), "duration: 8m",
     "duration: 4d\nvirtual_time: {scrape: 5m, evaluation: 5m}", None),
    ("rules: nested 100000 deep", AR, '          summary: "High pipeline failure rate detected"',
     f'          summary: "High pipeline failure rate detected"\n          nest: {NEST}', "nest: [[["),
    ("dashboard: nested 150 deep", OPS, '"uid": "analytics-operations",',
     '"uid": "analytics-operations",\n  "nest": ' + '{"a": ' * 150 + "1" + "}" * 150 + ",", '"nest"'),
    ("rules: a NUL byte in a comment", AR, "# analytics_rules.yml\n# Fix", "# analytics_rules.yml \x00\n# Fix",
     "# analytics_rules.yml \x00"),
    ("prometheus.yml: scrape_timeout above the interval", P, "    scrape_interval: 10s",
     "    scrape_interval: 10s\n    scrape_timeout: 20s", "scrape_timeout: 20s"),
    ("prometheus.yml: two jobs of one name", P, "      - targets: ['node-exporter:9100']",
     ("      - targets: ['node-exporter:9100']\n\n  - job_name: 'node-exporter'  # a second job of the name\n"
     "    static_configs:\n      - targets: ['node-exporter-2:9100']"), "a second job of the name"),
    ("prometheus.yml: relabel regex that does not compile", P, "      - targets: ['postgres-exporter:9187']",
     ("      - targets: ['postgres-exporter:9187']\n    relabel_configs:\n      - source_labels: [__address__]\n"
     '        regex: "(["\n        action: keep'), 'regex: "(["'),
    ("alertmanager: matcher regex that does not compile", AM, "['severity=\"info\"']", "['severity=~\"(info\"']",
     'severity=~"(info"'),
    ("control: prometheus.yml: scrape_timeout below the interval", P, "    scrape_interval: 10s",
     "    scrape_interval: 10s\n    scrape_timeout: 5s", None),
    ("control: prometheus.yml: a relabel regex that compiles", P, "      - targets: ['postgres-exporter:9187']",
     ("      - targets: ['postgres-exporter:9187']\n    relabel_configs:\n      - source_labels: [__address__]\n"
     '        regex: "(.+)"\n        action: keep'), None),
))) + (Defect("manifest: queryable_within 0s", M, "queryable_within: 10s", "queryable_within: 0s",
                "queryable_within: 0s", 0, True),)

# Issue 25, one defect one finding: defects that only promtool or the harness's own validation
# finds, whose consumers (virtual-time runs, routing, panel truths, the team's promtool tests)
# used to fail beside the finding. Each runs alone: the run has exactly one failing check, at the
# defect; the controls show that the blocking leaves a valid neighbour judged.
DROWNING: tuple[Defect, ...] = tuple(Defect(*fields, batch=2800 + n, control=fields[4] is None)
                                     for n, fields in enumerate((
    ("rules: annotation template left open", IR, 'summary: "High CPU usage detected"',
     'summary: "High CPU usage {{ $value"', "summary: \"High CPU usage {{"),
    ("rules: label name with a dash", AR, FAILURE_LABELS,
     FAILURE_LABELS.replace("critical\n", "critical\n          on-call: data\n"), "on-call: data"),
    ("rules: recording rule name with dashes", IR, "      - alert: HighMemoryUsage\n",
     "      - record: node-memory-ratio\n        expr: vector(1)\n      - alert: HighMemoryUsage\n",
     "record: node-memory-ratio"),
    ("control: rules: a valid recording rule beside the alerts", IR, "      - alert: HighMemoryUsage\n",
     "      - record: node:memory_ratio\n        expr: vector(1)\n      - alert: HighMemoryUsage\n", None),
    ("scenario: feeds a job prometheus.yml does not scrape", sc("HighCPUUsage-firing"), "  node-exporter:\n",
     "  node-exportr:\n", "node-exportr:"),
    ("dashboard: a panel truth's dashboard does not parse", EXEC, '"uid": "analytics-executive",',
     '"uid": "analytics-executive",,', '"uid": "analytics-executive",,'),
    ("alertmanager: a route matcher that does not parse", AM, "['severity=\"info\"']", "['severity=~\"(info\"']",
     'severity=~"(info"'),
    ("prometheus.yml: evaluation_interval without a unit", P, "  evaluation_interval: 15s", "  evaluation_interval: 15",
     "evaluation_interval: 15"),
)))


# Issue 25, the second campaign's missed and symptom-only classes: a rule that means something else
# than it says (fixtures/semantics/expressions.py), a scenario expecting what its rule cannot send
# or a fraction written as a percentage, an inline Alertmanager template that does not parse or
# calls one defined nowhere, scrape settings that starve the rules, a *_file outside the stack, a
# name (storage backend, fact, flag, driver, promtool rule file) that resolves to nothing, HTTP to a
# gRPC port, a log field a term query cannot find or a value its mapping refuses. Each alone.
JAEGER, TRACES, PROMTOOL_TEST = "jaeger/config.yml", "contracts/traces.yml", "prometheus/tests/data_quality.test.yml"
PIPELINE_JOB = "    - targets: ['pipeline-scheduler:8080']\n    metrics_path: '/metrics'\n    scrape_interval: 30s\n"
NODE_JOB = "  - job_name: 'node-exporter'\n"
WARNING_TITLE = "        title: 'Warning Alert'"


def _metric_relabel(action: str, regex: str) -> str:
    return (f"{PIPELINE_JOB}    metric_relabel_configs:\n      - source_labels: [__name__]\n        regex: '{regex}'\n"
            f"        action: {action}\n")


SECOND_CAMPAIGN: tuple[Defect, ...] = tuple(Defect(*fields, batch=2900 + n, control=fields[4] is None)
                                            for n, fields in enumerate((
    ("rules: increase() over a gauge", IR, "(1 - (node_memory_MemAvailable_bytes /",
     "(1 - (increase(node_memory_MemAvailable_bytes[5m]) /", "increase(node_memory"),
    ("rules: deriv() over a counter", AR, "/ sum by (pipeline_name) (rate(pipeline_runs_total[5m]))",
     "/ sum by (pipeline_name) (deriv(pipeline_runs_total[5m]))", "deriv(pipeline_runs_total"),
    ("rules: alert comparison returning every series", IR, "* 100 > 85\n        for: 3m",
     "* 100 > bool 85\n        for: 3m", "> bool 85"),
    ("rules: label templated with the value", AR, FAILURE_LABELS,
     FAILURE_LABELS.replace("critical\n", "critical\n          ratio: '{{ $value | humanizePercentage }}'\n"),
     "ratio: '{{ $value"),
    ("rules: label value its firing scenario never feeds", IR, 'node_cpu_seconds_total{mode="idle"}',
     'node_cpu_seconds_total{mode="iddle"}', 'mode="iddle"'),
    ("rules: threshold on another scale, number first", AR, "data_quality_score < 0.8", "75 > data_quality_score",
     "75 > data_quality_score"),
    ("scenario: expects a severity its rule does not set", sc("HighMemoryUsage-firing"), "severity: warning}",
     "severity: critical}", "severity: critical}"),
    ("scenario: a fraction written as a percentage", sc("PipelineFailureRate-firing"), "failure_ratio: 0.3",
     "failure_ratio: 30", "failure_ratio: 30"),
    ("alertmanager: inline template left open", AM, "Subject: 'WARNING: {{ .GroupLabels.alertname }}'",
     "Subject: 'WARNING: {{ .GroupLabels.alertname }'", "Subject: 'WARNING"),
    ("alertmanager: inline template's range never ended", AM,
     "          Description: {{ .Annotations.description }}\n          {{ end }}\n",
     "          Description: {{ .Annotations.description }}\n", "text: |"),
    ("alertmanager: inline template calls one defined nowhere", AM, WARNING_TITLE,
     "        title: '{{ template \"slack.warning.title\" . }}'", "slack.warning.title"),
    ("control: alertmanager: inline template calls a default one", AM, WARNING_TITLE,
     "        title: '{{ template \"slack.default.title\" . }}'", None),
    ("control: prometheus.yml: metric relabelling drops what no rule reads", P, PIPELINE_JOB,
     _metric_relabel("drop", "go_.*"), None),
    ("prometheus.yml: sample_limit below the metrics the job declares", P, "  - job_name: 'analytics-api'\n",
     "  - job_name: 'analytics-api'\n    sample_limit: 10\n", "sample_limit: 10"),
    ("prometheus.yml: scrape over https to a service serving http", P, NODE_JOB,
     "  - job_name: 'alertmanager'\n    scheme: https\n    static_configs:\n      - targets: ['alertmanager:9093']\n\n"
     + NODE_JOB, "scheme: https"),
    ("prometheus.yml: password_file outside the stack", P, NODE_JOB,
     NODE_JOB + "    basic_auth:\n      username: prom\n      password_file: ../../outside/password\n",
     "password_file: ../../outside"),
    ("jaeger config: query storage no backend defines", JAEGER, "traces: memstore", "traces: mem_store",
     "traces: mem_store"),
    ("manifest: tracing endpoint over HTTP on the query API's gRPC port", M, "http://jaeger:4318/v1/traces",
     "http://jaeger:16685/v1/traces", "jaeger:16685"),
    ("trace contract: driver in a folder the stack lacks", TRACES, "driver: traced_run.py",
     "driver: scripts/traced_run.py", "driver:"),
    ("manifest: panel truth gives its fact an argument it does not take", M,
     "B: {fact: pipeline_duration_quantile, q: 0.95}", "B: {fact: pipeline_duration_quantile, quantile: 0.95}",
     "quantile: 0.95"),
    ("manifest: bad-input flag no shipper sets", M, "oversize: {handling: kept}",
     "oversize: {handling: flagged, flag: truncated}", "oversize:"),
    ("log contract: searchable by a field mapped as text", LOG_CONTRACT, "searchable_by: [pipeline_name, run_id]",
     "searchable_by: [pipeline_name, run_id, message]", "searchable_by:"),
    ("log contract: a value its mapping's type refuses", LOG_CONTRACT, "threshold: 0.8}", 'threshold: "high"}',
     'threshold: "high"'),
    ("promtool test: rule file outside the stack", PROMTOOL_TEST, "  - ../analytics_rules.yml",
     "  - ../../../outside_rules.yml", "outside_rules.yml"),
)))


def _as_prometheus_rule(file: str) -> str:
    """A rule file of the reference stack as the Prometheus Operator keeps it: a PrometheusRule."""
    text = (REFERENCE_STACK / file).read_text(encoding="utf-8")
    return ("apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata:\n  name: rules\nspec:\n"
            + textwrap.indent(text, "  "))


# Issue 25, unclear findings as classes: a tool's rejection that names no line, found at the setting
# it is about (the value it quotes or names, the keys it names, the root route); a value judged
# wrong, at its own line rather than its rule's, span's or panel's; a route defect that misroutes
# a severity, one finding (its severity's) with each alert's routing check blocked by it. Each alone.
_TIMED_INFO_ROUTE = f"{INFO_ROUTE}\n      mute_time_intervals: [always]\n\n{WEEKENDS}receivers:"
_DATA_TEAM_SLACK = "      - api_url_file: /etc/alertmanager/secrets/slack-webhook-url\n        channel: '#data-team'"
_MEMORY_QUERY = ('"refId": "B",\n          "datasource": {\n            "type": "prometheus",\n'
                 '            "uid": "prometheus"\n          },\n          "expr": "(1 - (node_memory')
_FRESHNESS_QUERY = ('"refId": "A",\n          "datasource": {\n            "type": "prometheus",\n'
                    '            "uid": "prometheus"\n          },\n          "expr": "time() - max(')
UNCLEAR: tuple[Defect, ...] = tuple(Defect(*fields, batch=3000 + n, control=fields[4] is None)
                                    for n, fields in enumerate((
    # amtool and promtool: a message naming a value or a setting, no line.
    ("alertmanager: group_interval in words", AM, "  group_interval: 10s", "  group_interval: every ten seconds",
     "group_interval: every ten seconds"),
    ("alertmanager: slack api_url and api_url_file both", AM, _DATA_TEAM_SLACK,
     "      - api_url: 'https://hooks.slack.com/services/T0/B0/SlackCanary42'\n" + _DATA_TEAM_SLACK.replace("-", " ", 1),
     "hooks.slack.com/services/T0"),
    ("alertmanager: weekday misspelt", AM, f"{INFO_ROUTE}\n\nreceivers:", _TIMED_INFO_ROUTE.replace("sunday", "sundy"),
     "sundy"),
    ("alertmanager: root route muted", AM, "  receiver: 'web.hook'\n  # Fix",
     "  receiver: 'web.hook'\n  mute_time_intervals: [offhours]\n  # Fix", "mute_time_intervals: [offhours]"),
    ("alertmanager: group_by label twice", AM, "group_by: ['alertname']", "group_by: ['alertname', 'alertname']",
     "group_by: ['alertname', 'alertname']"),
    ("alertmanager: e-mail to left empty", AM, "      - to: 'on-call@yourcompany.com'", "      - to: ''", "- to: ''"),
    ("alertmanager: two receivers of one name", AM, "  - name: 'warning-alerts'\n", '  - name: "critical-alerts"\n',
     '- name: "critical-alerts"'),
    # A value judged wrong: at its own line.
    ("rules: severity not a declared level", IR, CPU_LABELS, CPU_LABELS.replace("severity: warning", "severity: major"),
     "severity: major"),
    ("trace contract: span service unknown", "contracts/traces.yml", "    service: source\n", "    service: warehouse\n",
     "service: warehouse"),
    ("dashboard: query datasource uid unknown", EXEC, _FRESHNESS_QUERY,
     _FRESHNESS_QUERY.replace('"uid": "prometheus"', '"uid": "prometheus-staging"'), '"prometheus-staging"'),
    ("dashboard: two panels of one id", EXEC, '"id": 2,', '"id":1,', '"id":1,'),
    ("manifest: panel truth for a query the panel lacks", M, "    B: {fact: memory_percent, tolerance: 3}",
     "    D: {fact: memory_percent, tolerance: 3}", "D: {fact: memory_percent"),
    ("dashboard: two queries of one refId", OPS, _MEMORY_QUERY, _MEMORY_QUERY.replace('"B"', '"A" '), '"refId": "A" ,'),
    ("promtool test: expected label value wrong", "prometheus/tests/data_quality.test.yml",
     "exp_labels: {severity: warning, table_name: customers}", "exp_labels: {severity: critical, table_name: customers}",
     "exp_labels: {severity: critical"),
    # A route defect that misroutes a severity.
    ("alertmanager: critical route matcher misspelt", AM, "['severity=\"critical\"']", "['severity=\"critcal\"']",
     'severity="critcal"'),
    ("alertmanager: catch-all before the info route", AM, INFO_ROUTE,
     "    - matchers: ['severity=~\".+\"']\n      receiver: 'critical-alerts'\n" + INFO_ROUTE, 'severity="info"'),
    ("control: alertmanager: a catch-all after the severity routes", AM, INFO_ROUTE,
     INFO_ROUTE + "\n    - matchers: ['severity=~\".+\"']\n      receiver: 'web.hook'", None),
    ("control: dashboard: a panel id another dashboard uses", EXEC, '"id": 2,', '"id": 4,', None),
)))

# Issue 25, campaign 3's unclear classes, each at the defect's own line: a tool's message placed by
# the entry it is about (the one lacking a field, the value it names, a key near the one meant);
# a parse error explained by its cause (a merge conflict, an invisible character); a manifest or
# trace contract value that is well-formed but names or means nothing. Each runs alone.
CRITICAL_EMAIL = "      - to: 'on-call@yourcompany.com'\n"
CONFLICT = "    scrape_interval: 30s\n"
LOCATED: tuple[Defect, ...] = tuple(Defect(*fields, batch=3200 + n, control=fields[4] is None,
                                           usage=fields[1] == M and fields[4] is not None)
                                    for n, fields in enumerate((
    # A tool's message: the entry lacking what it says is missing, the value it names, the key meant.
    ("alertmanager: a second webhook without url", AM, "        text: '{{ .CommonAnnotations.summary }}'\n\n",
     "        text: '{{ .CommonAnnotations.summary }}'\n    webhook_configs:\n      - send_resolved: true\n\n",
     "- send_resolved: true"),
    ("prometheus.yml: a middle scrape config without job_name", P, "  - job_name: 'postgres-exporter'\n",
     "  - metrics_path: /metrics  # postgres-exporter\n", "# postgres-exporter"),
    ("alertmanager: e-mail smarthost without port", AM, CRITICAL_EMAIL,
     CRITICAL_EMAIL + "        smarthost: 'mail.yourcompany.com'\n", "smarthost: 'mail.yourcompany.com'"),
    ("control: alertmanager: e-mail smarthost with its port", AM, CRITICAL_EMAIL,
     CRITICAL_EMAIL + "        smarthost: 'mail.yourcompany.com:25'\n", None),
    ("rules: group instead of groups, after another key", IR, "\ngroups:\n", "\nnamespace: infra\ngroup:\n", "group:"),
    ("promtool test: a stray letter in the second group's values", PROMTOOL_TEST, "values: '0.8x20'",
     "values: '0.8x20 y'", "values: '0.8x20 y'"),
    # A parse error at its cause; a manifest path in a container written relative.
    ("prometheus.yml: merge conflict left in", P, CONFLICT,
     "<<<<<<< ours\n" + CONFLICT + "=======\n    scrape_interval: 20s\n>>>>>>> theirs\n", "<<<<<<< ours"),
    ("rules: zero-width space before a key", IR, "        for: 5m\n", "\u200b        for: 5m\n", "for: 5m"),
    ("alertmanager: non-breaking space after a colon", AM, "  group_wait: 10s", "  group_wait:\u00a010s", "group_wait:"),
    ("control: rules: a non-breaking space inside a quoted annotation", IR, 'summary: "High CPU usage detected"',
     'summary: "High CPU usage\u00a0detected"', None),
    ("manifest: application_log_dir relative", M, "application_log_dir: /var/log/analytics",
     "application_log_dir: var/log/analytics", "application_log_dir:"),
    ("manifest: Jaeger mount target relative", M, "{source: jaeger, target: /etc/jaeger}",
     "{source: jaeger, target: ./etc/jaeger}", "{source: jaeger, target:"),
    # The trace contract's names and enumerated values; the manifest's tracing endpoint.
    ("trace contract: run entry the driver does not define", TRACES, "  pipeline: {runs: run}",
     "  pipeline: {runs: run_pipeline}", "pipeline: {runs: run_pipeline}"),
    ("trace contract: span kind not a kind", TRACES, "    kind: server\n", "    kind: rpc\n", "kind: rpc"),
    ("trace contract: one key for two spans", TRACES, "  - key: serve\n", "  - key: fetch  # the server span\n",
     "# the server span"),
    ("trace contract: a misspelt span setting", TRACES, "    attributes: {destination.table",
     "    atributes: {destination.table", "atributes:"),
    ("manifest: tracing endpoint with one slash", M, "endpoint: http://jaeger:4318/v1/traces",
     "endpoint: http:/jaeger:4318/v1/traces", "endpoint: http:/jaeger"),
    ("control: trace contract: a manual span declared internal", TRACES, "    attributes: {records.transformed",
     "    kind: internal\n    attributes: {records.transformed", None),
)))


# Issue 25, Grafana and the log pipeline read as their own tools read them (fixtures/semantics/grafana.py,
# grafana_provisioning.py, fixtures/logs/): a dashboard variable, threshold, unit, transformation or
# legend that means nothing or something else; JSON Grafana refuses; provisioning keys and values
# Grafana ignores or refuses, paths no mount provides; a Logstash pipeline out of its grammar, a
# compose file naming what it does not define or mounting what the stack does not hold, a shipper on
# a port the store does not listen on, a date format the logger's timestamps do not fit. Defects of
# different files that cannot reach each other's checks share a batch; controls run together.
COMPOSE, TEMPLATE = "elk/docker-compose-elk.yml", "elk/index-template.json"
_PROMETHEUS_SOURCE = '"datasource": {"type": "prometheus", "uid": "prometheus"}'
_QUALITY_UNIT = ('avg(data_quality_score)",\n          "legendFormat": "Quality Score"\n        }\n      ],\n'
                 '      "fieldConfig": {\n        "defaults": {\n          "unit": "percentunit",')
_ES_ACTION = 'server="elasticsearch" serverport="9200"'


def _variables(*entries: str) -> str:
    """The dashboard's uid line followed by a templating list of ``entries`` (JSON objects), one a line."""
    return '"uid": "analytics-operations",\n  "templating": {"list": [\n    ' + ",\n    ".join(entries) + "\n  ]},"


PANELS: tuple[Defect, ...] = tuple(Defect(*fields, control=fields[4] is None) for fields in (
    # Values of a type or form Grafana does not read: one finding at their line, never the harness's
    # own error in the checks that read them (campaign 4's F06, F09, F10 class).
    ("dashboard: time range ending at a word", OPS, '"to": "now"', '"to": "today"', '"to": "today"', 3412),
    ("dashboard: a threshold step value written as a duration string", EXEC, '"value": 3600\n',
     '"value": "1h"\n', '"value": "1h"', 3413),
    ("control: dashboard: a time range rounded to the day", OPS, '"from": "now-6h"', '"from": "now-7d/d"', None, 3415),
    ("dashboard: variable query_result not closed", EXEC, '"uid": "analytics-executive",',
     ('"uid": "analytics-executive",\n  "templating": {"list": [{"name": "ratio", "type": "query", '
     f'{_PROMETHEUS_SOURCE},\n    "query": "query_result(sum(rate(pipeline_runs_total[5m]))"}}]}},'), "query_result(", 3400),
    ("dashboard provider: type filesystem", PROVIDERS, "    type: file\n", "    type: filesystem\n",
     "type: filesystem", 3400),
    ("logstash pipeline: = for =>", LOGSTASH, "beats { port => 5044 }", "beats { port = 5044 }", "port = 5044", 3400),
    ("compose: depends_on a misspelt service, long form", COMPOSE, "    depends_on:\n      - logstash\n",
     "    depends_on:\n      logstsh:\n        condition: service_started\n", "logstsh:", 3400),
    ("index template: timestamp without millis", TEMPLATE, '"timestamp": {"type": "date"}',
     '"timestamp": {"type": "date", "format": "strict_date_time_no_millis"}', '"format"', 3400),
    ("rsyslog.conf: store on another port, server as a list", RSYSLOG, _ES_ACTION,
     'server=["elasticsearch"] serverport="9300"', 'serverport="9300"', 3400),
    ("dashboard: legend names a label the aggregation drops", OPS, '"legendFormat": "{{ query_type }}"',
     '"legendFormat": "{{ table }}"', "{{ table }}", 3401),
    ("dashboard: a threshold above the next", EXEC, '"value": 3600', '"value": 9000', '"value": 9000', 3401),
    ("logstash pipeline: comma in a hash", LOGSTASH, '{ "parse_failed" => "true" }', '{ "parse_failed" => "true", }',
     "add_field", 3401),
    ("compose: mount from outside the stack", COMPOSE, "- ./filebeat/filebeat.yml:", "- ../../filebeat.yml:",
     "../../filebeat.yml", 3401),
    ("dashboard provider: option misspelt", PROVIDERS, "      path: /var/lib/grafana/dashboards",
     "      path: /var/lib/grafana/dashboards\n      foldersFromFileStructure: true", "foldersFromFileStructure", 3401),
    ("index template: timestamp as a custom pattern with a space", TEMPLATE, '"timestamp": {"type": "date"}',
     '"timestamp": {"type": "date",\n          "format": "yyyy-MM-dd HH:mm:ss"}', '"format"', 3401),
    ("dashboard: transformation id misspelt", EXEC, '"title": "Data Freshness",',
     '"title": "Data Freshness",\n      "transformations": [{"id": "seriesToRow", "options": {}}],', 'seriesToRow"',
     3402),
    ("dashboard: three variables in a cycle", OPS, '"uid": "analytics-operations",', _variables(
        f'{{"name": "cluster", "type": "query", {_PROMETHEUS_SOURCE}, '
        '"query": "label_values(up{job=~\\"$service\\"}, cluster)"}',
        f'{{"name": "host", "type": "query", {_PROMETHEUS_SOURCE}, '
        '"query": "label_values(up{cluster=~\\"$cluster\\"}, instance)"}',
        '{"name": "service", "type": "custom", "query": "api,${host}"}'), '"name": "cluster"', 3402),
    ("dashboard provider: path relative to the repository", PROVIDERS, "path: /var/lib/grafana/dashboards",
     "path: ./dashboards", "path: ./dashboards", 3402),
    ("compose: link to a service it does not define", COMPOSE, "      - ELASTICSEARCH_HOSTS=http://elasticsearch:9200\n",
     "      - ELASTICSEARCH_HOSTS=http://elasticsearch:9200\n    links:\n      - elastic:es\n", "- elastic:es", 3402),
    ("rsyslog.conf: forwards to a port Logstash does not listen on", RSYSLOG, 'action.resumeRetryCount="-1")',
     'action.resumeRetryCount="-1")\n  action(type="omfwd" target="logstash" port="5045" protocol="tcp")',
     'target="logstash"', 3402),
    ("dashboard: percentunit on a score times 100", EXEC, _QUALITY_UNIT,
     _QUALITY_UNIT.replace("score)", "score) * 100").replace('"unit": ', '"unit":'), '"unit":"percentunit"', 3403),
    ("dashboard: Infinity in a dashboard", OPS, '"id": 4,', '"id": Infinity,', '"id": Infinity', 3403),
    ("datasources: isDefault written in lower case", DATASOURCES, "    isDefault: true", "    isdefault: true",
     "isdefault", 3404),
    ("datasources: plugin id misspelt", DATASOURCES, "    type: prometheus", "    type: promtheus", "type: promtheus",
     3405),
    ("datasources: a second data source with the first's uid", DATASOURCES, "    isDefault: true",
     "    isDefault: true\n  - {name: Thanos, type: prometheus, uid: prometheus, url: 'http://prometheus:9090'}",
     "name: Thanos", 3406),
    ("datasources: url without a scheme, with slashes", DATASOURCES, "url: http://prometheus:9090",
     "url: //prometheus:9090", "url: //prometheus", 3407),
    # Controls: valid forms of the same files, which must pass.
    ("control: dashboard: a variable using another", EXEC, '"uid": "analytics-executive",',
     ('"uid": "analytics-executive",\n  "templating": {"list": [\n    {"name": "status", "type": "custom", '
     '"query": "success,failure"},\n    {"name": "pipeline", "type": "query", '
     f'{_PROMETHEUS_SOURCE}, "query": "label_values(pipeline_runs_total{{status=\\"$status\\"}}, pipeline_name)"}}'
     "\n  ]},"), None, 3410),
    ("control: dashboard: legend with a label the aggregation keeps", OPS, '"legendFormat": "{{ query_type }}"',
     '"legendFormat": "{{query_type}} (p95)"', None, 3410),
    ("control: dashboard provider: folder uid and UI updates", PROVIDERS, "    folder: Analytics\n",
     "    folder: Analytics\n    folderUid: analytics\n    allowUiUpdates: true\n    updateIntervalSeconds: 30\n",
     None, 3410),
    ("control: logstash pipeline: conditionals", LOGSTASH, '  mutate { remove_field => ["agent", "ecs",',
     ('  if [level] =~ /debug/ { drop {} } else if "noise" in [tags] and [level] != "error" { mutate { add_tag => '
     '["x"] } }\n  mutate { remove_field => ["agent", "ecs",'), None, 3410),
    ("control: compose: depends_on in its long form", COMPOSE, "    depends_on:\n      - logstash\n",
     "    depends_on:\n      logstash:\n        condition: service_started\n", None, 3410),
    ("control: index template: the store's default format written out", TEMPLATE, '"timestamp": {"type": "date"}',
     '"timestamp": {"type": "date", "format": "strict_date_optional_time||epoch_millis"}', None, 3410),
    ("control: rsyslog.conf: store as a list with its port", RSYSLOG, _ES_ACTION,
     'server=["elasticsearch"] serverport="9200"', None, 3410),
    ("control: datasources: jsonData and editable", DATASOURCES, "    isDefault: true",
     "    isDefault: true\n    editable: false\n    jsonData:\n      timeInterval: 15s\n      httpMethod: POST", None, 3411),
    ("control: dashboard: percentunit on a clamped ratio", EXEC, _QUALITY_UNIT,
     _QUALITY_UNIT.replace("avg(data_quality_score)", "clamp_max(avg(data_quality_score), 1)"), None, 3411),
    ("control: dashboard: known transformations", OPS, '"legendFormat": "{{ query_type }}"\n        }\n      ],',
     ('"legendFormat": "{{ query_type }}"\n        }\n      ],\n      "transformations": [{"id": "seriesToRows"}, '
     '{"id": "organize", "options": {}}],'), None, 3411),
    ("control: index template: a pattern of the logger's ISO times", TEMPLATE, '"timestamp": {"type": "date"}',
     '"timestamp": {"type": "date", "format": "yyyy-MM-dd\'T\'HH:mm:ss.SSSSSSXXX"}',
     None, 3411),
))


# Issue 25, the third campaign's classes whose cause went unnamed: an expression that means nothing
# (a quantile outside 0..1, a match on a label a side cannot carry, a copy of a rule), a look-back
# window shorter than two scrapes (the rule's, or the scrape interval's where every window over
# the job is too short), a group evaluated less often than its rules' for, a metric relabelling
# dropping what rules read, a rule file rule_files leaves out, an inhibit whose equal labels no
# source and target share, a URL secret that is not a URL, scenarios that contradict themselves or
# expect a label the rule cannot carry, a counter fed falling values, a team test asserting the
# silence of an alert no rule has. Each alone.
UNLOADED_RULES = "prometheus/capacity_rules.yml"
SLACK_URL = "alertmanager/secrets/slack-webhook-url"
CAPACITY_RULES = ("groups:\n  - name: capacity\n    rules:\n      - alert: InodesRunningLow\n"
                  "        expr: node_filesystem_files_free / node_filesystem_files < 0.1\n        for: 5m\n"
                  "        labels:\n          severity: warning\n")
API_QUANTILE = "histogram_quantile(0.95, sum by (endpoint, method, le)"
FAILED_RATIO = "sum by (pipeline_name) (rate(pipeline_runs_total[5m]))"
DISK_LAST = '          description: "Disk usage is {{ $value }}% on {{ $labels.instance }}"'
_MEMORY_COPY = ("\n\n      - alert: HighMemoryUsage  # copied\n        expr: |\n"
                "          (1 - (node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes)) * 100 > 95\n"
                "        for: 1m\n        labels:\n          severity: warning{}\n        annotations:\n"
                '          summary: "Memory nearly exhausted"\n')
_INHIBIT_EQUAL = ("inhibit_rules:\n  - source_matchers: ['{}']\n    target_matchers: ['{}']\n    equal: [{}]\n"
                  f"{RECEIVERS}")
_RUNS_FEED = "    - pipeline_runs: {pipeline_name: customer_analytics, every: 5s, failure_ratio: 0.08, duration: 120}"
_COUNTER = ("\n    - series: {{metric: pipeline_runs_total, type: counter, labels: {{pipeline_name: nightly, "
            "status: success}}, steps: {}}}")
_SILENT_TEST = "      - eval_time: 5m\n        alertname: DataQualityLow\n"
MEANING: tuple[Defect, ...] = tuple(Defect(*fields[:5], batch=3300 + n, control=fields[0].startswith("control:"),
                                           secret=fields[5] if len(fields) > 5 else "")
                                    for n, fields in enumerate((
    ("rules: a quantile above 1", AR, API_QUANTILE, API_QUANTILE.replace("0.95", "1.5"), "histogram_quantile(1.5"),
    ("control: rules: the 0.99 quantile", AR, API_QUANTILE, API_QUANTILE.replace("0.95", "0.99"), None),
    ("rules: a match on a label one side aggregated away", AR, f"/ {FAILED_RATIO}",
     "/ on(status) sum by (pipeline_name, status) (rate(pipeline_runs_total[5m]))", "/ on(status)"),
    ("control: rules: a match on the label both sides keep", AR, f"/ {FAILED_RATIO}", f"/ on(pipeline_name) {FAILED_RATIO}",
     None),
    # A match that cannot hold fails its evaluation on many series: the whole-stack scenarios (the
    # healthy day) leave that rule out, so its own finding stays the one (R27's class, in another rule).
    ("rules: a match on a label both sides aggregated away", AR, f"/ {FAILED_RATIO}", f"/ on(instance) {FAILED_RATIO}",
     "/ on(instance)"),
    ("rules: a copy of an alert with the same labels", IR, DISK_LAST, DISK_LAST + _MEMORY_COPY.format(""),
     "HighMemoryUsage  # copied"),
    ("rules: a copy of an alert with the same labels in a group of its own", IR, DISK_LAST,
     DISK_LAST + _MEMORY_COPY.format("").replace("\n      - alert", "\n  - name: copies\n    rules:\n      - alert"),
     "HighMemoryUsage  # copied"),
    ("rules: rate over less than two scrapes of its job", AR, "(rate(api_request_duration_seconds_bucket[5m]))",
     "(rate(api_request_duration_seconds_bucket[15s]))", "api_request_duration_seconds_bucket[15s]"),
    ("control: rules: irate over four scrapes", IR, 'irate(node_cpu_seconds_total{mode="idle"}[5m])',
     'irate(node_cpu_seconds_total{mode="idle"}[1m])', None),
    ("prometheus.yml: a scrape interval longer than the windows over its job", P, NODE_JOB,
     NODE_JOB + "    scrape_interval: 10m\n", "scrape_interval: 10m"),
    ("control: prometheus.yml: a job scraped every minute", P, NODE_JOB, NODE_JOB + "    scrape_interval: 1m\n", None),
    ("rules: a group evaluated less often than its for", IR, "  - name: infrastructure_alerts\n",
     "  - name: infrastructure_alerts\n    interval: 4m\n", "interval: 4m"),
    ("control: rules: a group evaluated every 30s", IR, "  - name: infrastructure_alerts\n",
     "  - name: infrastructure_alerts\n    interval: 30s\n", None),
    ("prometheus.yml: metric relabelling drops what a rule reads", P, NODE_JOB,
     NODE_JOB + "    metric_relabel_configs:\n      - source_labels: [__name__]\n        regex: 'node_memory_.*'\n"
                "        action: drop\n", "- source_labels: [__name__]"),
    ("rules: a rule file rule_files does not name", UNLOADED_RULES, "", CAPACITY_RULES, None),
    ("control: prometheus: another YAML file beside the rules", "prometheus/web-config.yml", "",
     "# read with --web.config.file\nhttp_server_config:\n  http2: true\n", None),
    ("alertmanager: inhibit equal on a label source and target always differ on", AM, RECEIVERS,
     _INHIBIT_EQUAL.format('severity="critical"', 'severity="warning"', "severity"), "equal: [severity]"),
    ("control: alertmanager: inhibit equal on a label both sides carry", AM, RECEIVERS,
     _INHIBIT_EQUAL.format('alertname="PipelineFailureRate"', 'alertname="PipelineDurationHigh"', "pipeline_name"),
     None),
    ("alertmanager: a webhook URL secret without its scheme", SLACK_URL, "https://hooks", "hooks", None,
     "XXXXXXXXXXXXXXXXXXXXXXXX"),
    ("control: alertmanager: a webhook URL secret with spaces around it", SLACK_URL, "https://hooks",
     "  https://hooks", None),
    ("scenario: a latest first firing past its end", sc("HighCPUUsage-firing"), "latest: 7m", "latest: 9m",
     "duration: 8m"),
    ("control: scenario: a latest first firing at its end", sc("HighCPUUsage-firing"), "latest: 7m", "latest: 8m",
     None),
    ("scenario: expects a label its rule cannot carry", sc("APIResponseTimeHigh-firing"), "labels: {endpoint: /reports,",
     "labels: {route: /reports,", "{route: /reports,"),
    ("control: scenario: expected labels written as a block", sc("APIResponseTimeHigh-firing"),
     "labels: {endpoint: /reports, method: GET, severity: warning}",
     "labels:\n        endpoint: /reports\n        method: GET\n        severity: warning", None),
    ("scenario: a counter fed falling steps", sc("PipelineFailureRate-silent"), _RUNS_FEED,
     _RUNS_FEED + _COUNTER.format("{0s: 500, 2m: 100}"), "steps: {0s: 500"),
    ("control: scenario: a counter fed rising steps", sc("PipelineFailureRate-silent"), _RUNS_FEED,
     _RUNS_FEED + _COUNTER.format("{0s: 100, 2m: 500}"), None),
    ("scenario: a healthy day expecting an alert", sc("healthy"), "kind: healthy\n",
     "kind: healthy\nexpect:\n  firing:\n    - alertname: HighCPUUsage\n", "expect:"),
    ("control: scenario: a silent one expecting no alert", sc("HighMemoryUsage-silent"), "kind: silent\n",
     "kind: silent\nexpect: {firing: []}\n", None),
    ("promtool test: a silence asserted of an alert no rule has", PROMTOOL_TEST, _SILENT_TEST,
     _SILENT_TEST.replace("DataQualityLow", "DataQualtyLow"), "alertname: DataQualtyLow"),
    ("control: promtool test: a silence asserted with exp_alerts: []", PROMTOOL_TEST, _SILENT_TEST,
     _SILENT_TEST + "        exp_alerts: []\n", None),
)))


# Issue 25, campaign 3's worst classes (robust25): a manifest field its schema let through that no
# consumer handles; an input whose analysis cost is unbounded; a secret of a file kind the redaction
# does not know quoted in an error; a path a configuration names that leaves the stack; valid
# configuration the harness or a tool here read otherwise than Prometheus does. Each case runs alone
# (its own batch) but the file_sd control, whose two files share one.
_DISK_LABELS = '          severity: warning\n        annotations:\n          summary: "Disk space running low"'
_LONG_EXPR = " or ".join(f'up{{job="analytics-api",instance="host-{i}:8080"}}' for i in range(4000))  # 210,886
ROBUST: tuple[Defect, ...] = (
    # The manifest: each one usage error at its line.
    Defect("manifest: a flagged bad input with an empty flag", M, "non_json: {handling: flagged, flag: parse_failed}",
           "non_json: {handling: flagged, flag: ''}", "non_json: {handling: flagged", 3100, True),
    Defect("manifest: oversize flagged without a flag", M, "    oversize: {handling: kept}",
           "    oversize: {handling: flagged}", "oversize: {handling: flagged}", 3101, True),
    Defect("manifest: application_log_dir a relative path", M, "application_log_dir: /var/log/analytics",
           "application_log_dir: var/log/analytics", "application_log_dir: var/log", 3102, True),
    Defect("manifest: a mount target a relative path", M, "{source: prometheus, target: /etc/prometheus}",
           "{source: prometheus, target: etc/prometheus}", "target: etc/prometheus", 3103, True),
    Defect("control: manifest: bad_input flagged in block style", M, "non_json: {handling: flagged, flag: parse_failed}",
           "non_json:\n      handling: flagged\n      flag: parse_failed", None, 3104, control=True),
    # Bounded analyses: an expression past the loader's bound is one finding, at its line.
    Defect("rules: a valid expression of 210,000 characters", IR, "* 100) > 80", f"* 100) > 80 or {_LONG_EXPR}",
           "100 - (avg by(instance) (irate(node_cpu", 3110),
    Defect("rules: an expression of 210,000 characters with a syntax error at its end", AR,
           "histogram_quantile(0.95, sum by (pipeline_name, le) (rate(pipeline_duration_seconds_bucket[5m]))) > 3600",
           "histogram_quantile(0.95, sum by (pipeline_name, le) (rate(pipeline_duration_seconds_bucket[5m]))) > 3600 "
           f"or {_LONG_EXPR} )", "> 3600 or up{", 3111),
    Defect("control: rules: an expression of 15,000 characters within the bound (comment lines)", IR,
           "        expr: |\n          100 - (avg by(instance)",
           "        expr: |\n" + "".join(f"          # {'why this threshold, at length ' * 3}{n}\n" for n in range(150))
           + "          100 - (avg by(instance)", None, 3112, control=True),
    # Secrets of file kinds the redaction does not know, in a line an error quotes.
    Defect("jaeger config: an exporter's token header in a YAML error", JAEGER,
           "  jaeger_storage_exporter:\n    trace_storage: memstore",
           "  jaeger_storage_exporter:\n    trace_storage: memstore\n  otlphttp/vendor:\n"
           "    endpoint: https://otlp.vendor.example\n    headers: {X-Auth-Token: Tok3nCanary4242, x-team: a\n",
           "X-Auth-Token", 3120, secret="Tok3nCanary4242"),
    Defect("filebeat: a cloud.auth credential with its quote left open", "elk/filebeat/filebeat.yml",
           "output.logstash:\n", 'cloud.auth: "elastic:Cl0udCanary5577\noutput.logstash:\n', "cloud.auth", 3121,
           secret="Cl0udCanary5577"),
    Defect("control: alertmanager: a webhook's authorization credentials", AM, "      - url: 'http://webhook-service:5000/alerts'\n",
           "      - url: 'http://webhook-service:5000/alerts'\n        http_config:\n          authorization:\n"
           "            credentials: W3bhookCanary88\n", None, 3122, control=True, secret="W3bhookCanary88"),
    # Paths a configuration names, opened by the harness or a tool it calls, that leave the stack.
    Defect("alertmanager: templates from a host folder no mount provides", AM, "route:\n",
           "templates:\n  - '/etc/*.conf'\n\nroute:\n", "/etc/*.conf", 3130),
    Defect("prometheus.yml: file_sd target files through ../ out of the stack", P, NODE_JOB + "    static_configs:",
           NODE_JOB + "    file_sd_configs:\n      - files: ['../../../../../etc/*.json']\n    static_configs:",
           "../../../../../etc/*.json", 3131),
    Defect("promtool test: a rule file outside the stack", PROMTOOL_TEST, "  - ../analytics_rules.yml",
           "  - ../analytics_rules.yml\n  - /etc/hostname", "/etc/hostname", 3132),
    Defect("control: alertmanager: templates inside its mount that match nothing yet", AM, "route:\n",
           "templates:\n  - '/etc/alertmanager/templates/*.tmpl'\n\nroute:\n", None, 3133, control=True),
    # Valid configuration read otherwise than Prometheus reads it.
    Defect("control: prometheus.yml: postgres targets from a JSON file_sd file beside it", P,
           "    static_configs:\n      - targets: ['postgres-exporter:9187']",
           "    file_sd_configs:\n      - files: [targets/*.json]", None, 3140, control=True),
    Defect("control: the file_sd target file", "prometheus/targets/postgres.json", "",
           '[{"targets": ["postgres-exporter:9187"]}]\n', None, 3140, control=True),
    Defect("control: rules: annotations YAML 1.1 reads as booleans and numbers", IR, _DISK_LABELS,
           _DISK_LABELS + "\n          region: on\n          rack: 0x1F\n          paged: n", None, 3141, control=True),
    Defect("control: prometheus.yml: Alertmanagers found by Kubernetes discovery", P,
           "    - static_configs:\n        - targets:\n          - alertmanager:9093",
           "    - static_configs:\n        - targets:\n          - alertmanager:9093\n"
           "    - kubernetes_sd_configs:\n        - role: endpoints\n          namespaces: {names: [monitoring]}",
           None, 3142, control=True),
    Defect("prometheus.yml: a discovery Prometheus does not have (misspelt)", P, NODE_JOB + "    static_configs:",
           NODE_JOB + "    kubernetess_sd_configs:\n      - role: pod\n    static_configs:", "kubernetess_sd_configs",
           3143),
    # What a promtool without Kubernetes discovery cannot judge is read by the harness: the role.
    Defect("prometheus.yml: a Kubernetes discovery role that is not one (endpointslices)", P, NODE_JOB + "    static_configs:",
           NODE_JOB + "    kubernetes_sd_configs:\n      - namespaces: {names: [monitoring]}\n        role: endpointslices\n"
           "    static_configs:", "role: endpointslices", 3144),
    Defect("prometheus.yml: Alertmanagers found by Kubernetes discovery without a role", P,
           "    - static_configs:\n        - targets:\n          - alertmanager:9093",
           "    - static_configs:\n        - targets:\n          - alertmanager:9093\n"
           "    - kubernetes_sd_configs:\n        - namespaces: {names: [monitoring]}", "namespaces: {names: [monitoring]}",
           3145),
)


CORPUS: tuple[Defect, ...] = (
    # The manifest: each a usage error naming manifest.yml and the line.
    Defect("manifest: non-numeric port", M, "    port: 9093", "    port: ninety-ninety", "ninety-ninety", 0, True),
    Defect("manifest: mount source missing", M, "{source: alertmanager, target", "{source: alertmanagr, target",
           "alertmanagr", 11),  # a finding, not a usage error: the rest of the stack can be checked
    Defect("manifest: non-UTF-8 byte", M, "# The seed's alert strategy", f"# The seed{BAD_BYTE}s alert strategy",
           "s alert strategy", 0, True),
    Defect("manifest: YAML error", M, "name: analytics-monitoring (reference)",
           "name: analytics-monitoring: (reference)", "name: analytics-monitoring", 0, True),
    Defect("manifest: image missing for a profile", M, "      registry: docker.io/prom/alertmanager:v0.25.0\n", "",
           "  alertmanager:", 0, True),
    Defect("manifest: bad duration", M, "queryable_within: 10s", "queryable_within: soon", "queryable_within", 0,
           True),
    Defect("manifest: scenarios folder missing", M, "scenarios: scenarios", "scenarios: scenaros",
           "scenarios: scenaros", 0, True),
    Defect("manifest: severity_levels a list", M, "  critical: critical-alerts\n  warning: warning-alerts\n  info: web.hook",
           "  - critical\n  - warning\n  - info", "  - critical", 0, True),
    Defect("manifest: unknown field", M, "scenarios: scenarios", "scenario: scenarios", "scenario: scenarios", 0, True),
    Defect("manifest: wrong type", M, "  delivery_bound_s: 10", "  delivery_bound_s: ten seconds",
           "delivery_bound_s: ten seconds", 0, True),
    Defect("manifest: environment a list", M, "      discovery.type: single-node\n      ES_JAVA_OPTS",
           "      - discovery.type=single-node\n      - ES_JAVA_OPTS", "- discovery.type=single-node", 0, True),
    # prometheus.yml: everything about rules and scenarios depends on it; batched with files it
    # cannot reach (dashboards, Alertmanager, Jaeger, logs).
    Defect("prometheus.yml: YAML error", P, "- job_name: 'postgres-exporter'", "- job_name: postgres: exporter",
           "postgres: exporter", 1),
    Defect("prometheus.yml: empty", P, "", "", None, 2),
    Defect("prometheus.yml: quote left open", P, '- "analytics_rules.yml"', '- "analytics_rules.yml',
           '"analytics_rules.yml', 3),
    Defect("prometheus.yml: non-UTF-8 byte", P, "# prometheus.yml", f"# prometheus.yml {BAD_BYTE}", None, 4),
    Defect("prometheus.yml: rule file missing", P, '- "infrastructure_rules.yml"', '- "infrastucture_rules.yml"',
           "infrastucture_rules.yml", 5),
    Defect("prometheus.yml: bad scrape_interval", P, "  scrape_interval: 15s", "  scrape_interval: 15 seconds",
           "15 seconds", 6),
    Defect("prometheus.yml: bad evaluation_interval", P, "evaluation_interval: 15s", "evaluation_interval: -1m",
           "evaluation_interval", 7),
    # Rule files.
    Defect("rules: YAML error", AR, 'summary: "Data quality score below threshold"',
           "summary: Data quality score: below threshold", "summary: Data quality score: below", 8),
    Defect("rules: invalid PromQL", AR, "rate(pipeline_duration_seconds_bucket[5m]))) > 3600",
           "rate(pipeline_duration_seconds_bucket[5m])) > 3600", "rate(pipeline_duration_seconds_bucket", 9),
    Defect("rules: for: abc", IR, "        for: 1m", "        for: abc", "for: abc", 8),
    Defect("rules: empty rule file named by scenarios", AR, "", "", None, 10),
    Defect("rules: non-UTF-8 byte", IR, "      - alert: HighCPUUsage", f"      - alert: HighCPUUsage # {BAD_BYTE}",
           "alert: HighCPUUsage", 9),
    Defect("rules: labels a list", IR, "          severity: warning\n        annotations:\n          summary: \"Disk",
           "          - warning\n        annotations:\n          summary: \"Disk", "- warning", 10),
    Defect("rules: annotation missing", AR, '          summary: "API response time is high"\n', "",
           "alert: APIResponseTimeHigh", 11),
    Defect("rules: groups not a list", IR, "groups:\n", "groups: {}\nrest:\n", "groups:", 11),
    Defect("rules: rule without expr", AR, "        expr: |\n          data_quality_score < 0.8\n", "",
           "alert: DataQualityLow", 12),
    Defect("rules: annotations a string", IR,
           '        annotations:\n          summary: "High memory usage detected"\n'
           '          description: "Memory usage is {{ $value }}% on {{ $labels.instance }}"',
           '        annotations: "High memory usage detected"', "annotations: \"High memory", 12),
    # Alertmanager.
    Defect("alertmanager: YAML error", AM, "  group_by: ['alertname']", "  group_by: ['alertname'", "group_by", 1),
    Defect("alertmanager: *_file secret missing", AM,
           "      - api_url_file: /etc/alertmanager/secrets/slack-webhook-url\n        channel: '#data-team'",
           "      - api_url_file: /etc/alertmanager/secrets/slack-webhook\n        channel: '#data-team'",
           "secrets/slack-webhook\n", 2),
    Defect("alertmanager: non-UTF-8 byte", AM, "# alertmanager.yml", f"# alertmanager.yml {BAD_BYTE}", None, 3),
    Defect("alertmanager: receiver undefined", AM, "      receiver: 'critical-alerts'",
           "      receiver: 'critical-alert'", "receiver: 'critical-alert'", 4),
    Defect("alertmanager: empty", AM, "", "", None, 5),
    # Scenarios: blamed on the scenario file, never on the rule.
    Defect("scenario: duration forever", sc("PipelineFailureRate-firing"), "duration: 8m", "duration: forever",
           "duration: forever", 9),
    Defect("scenario: duration -8m", sc("HighCPUUsage-firing"), "duration: 8m", "duration: -8m", "duration: -8m", 8),
    Defect("scenario: typo in rule", sc("DataQualityLow-silent"), "rule: DataQualityLow", "rule: DataQualityLo",
           "rule: DataQualityLo", 9),
    Defect("scenario: negative value", sc("DatabaseConnectionPoolExhausted-firing"), "active: 48", "active: -48",
           "active: -48", 11),
    Defect("scenario: list as a label value", sc("HighMemoryUsage-firing"), "severity: warning}",
           "severity: [warning]}", "severity: [warning]", 10),
    Defect("scenario: YAML error", sc("PipelineDurationHigh-silent"), "kind: silent", "kind: silent: yes",
           "kind: silent", 11),
    Defect("scenario: unknown kind", sc("APIResponseTimeHigh-silent"), "kind: silent", "kind: silence",
           "kind: silence", 12),
    Defect("scenario: unknown activity", sc("DataQualityLow-firing"), "- data_quality: {table_name: customers, "
           "dimension: completeness, score: 0.95", "- data_qualty: {table_name: customers, dimension: completeness, "
           "score: 0.95", "data_qualty", 11),
    Defect("scenario: non-UTF-8 byte", sc("DiskSpaceRunningLow-silent"), "kind: silent", f"kind: silent # {BAD_BYTE}",
           "kind: silent", 12),
    Defect("scenario: unknown activity field", sc("HighCPUUsage-silent"), "cpu_busy: 0.78", "cpu_bsy: 0.78",
           "cpu_bsy", 12),
    Defect("scenario: fires_between reversed", sc("APIResponseTimeHigh-firing"), "{earliest: 3m, latest: 5m}",
           "{earliest: 5m, latest: 3m}", "fires_between", 13),
    Defect("scenario: feeds a job prometheus.yml lacks", sc("PipelineDurationHigh-firing"), "  data-pipeline:",
           "  data-pipelin:", "data-pipelin:", 14),
    Defect("scenario: every not a duration", sc("PipelineFailureRate-silent"), "every: 5s", "every: often",
           "every: often", 14),
    Defect("scenario: expect.firing labels a list", sc("DiskSpaceRunningLow-firing"), "labels: {", "labels: [{",
           "labels: [{", 14),
    # The application's instrumentation.
    Defect("instrumentation: syntax error", METRICS, "class AnalyticsMetrics:", "class AnalyticsMetrics",
           "class AnalyticsMetrics", 13),
    Defect("tracing module: syntax error", TRACING, "def configure_tracing(", "def configure_tracing((",
           "def configure_tracing((", 8),
    # Dashboards and Grafana provisioning.
    Defect("dashboard: JSON error", EXEC, '"uid": "analytics-executive",', '"uid": "analytics-executive"',
           '"title": "Analytics Executive Dashboard"', 1),
    Defect("dashboard: template variable undefined", OPS, "[5m]", "[$window]", "$window", 2),
    Defect("dashboard: non-UTF-8 byte", OPS, '"uid": "analytics-operations",',
           f'"uid": "analytics-operations{BAD_BYTE}",', '"uid": "analytics-operations', 3),
    Defect("datasources: YAML error", "grafana/provisioning/datasources/prometheus.yml", "    access: proxy",
           "    access: proxy: direct", "access: proxy", 4),
    # Logs and tracing configuration.
    Defect("compose file: YAML error", "elk/docker-compose-elk.yml", "version: '3.8'", "version: '3.8",
           "version: '3.8", 5),
    Defect("index template: JSON error", "elk/index-template.json", '"index_patterns": ["analytics-logs-*"],',
           '"index_patterns": ["analytics-logs-*"]', '"template": {', 6),
    Defect("jaeger config: YAML error", "jaeger/config.yml", "      exporters: [jaeger_storage_exporter]",
           "      exporters: [jaeger_storage_exporter", "exporters: [jaeger_storage_exporter", 6),
    Defect("jaeger config: unknown exporter", "jaeger/config.yml", "      exporters: [jaeger_storage_exporter]",
           "      exporters: [jaeger_storage]", "exporters: [jaeger_storage]", 7),
    # The application's contracts: what it logs, the trace it makes.
    Defect("log contract: unknown level", "contracts/logs.yml", "    level: critical", "    level: fatal",
           "level: fatal", 15),
    Defect("trace contract: parent not declared", "contracts/traces.yml", "    parent: extract\n",
           "    parent: extraction\n", "parent: extraction", 15),
    # Reading the user's input (issue 25): contained, bounded, duplicate keys refused, secrets masked
    # in raw text, container paths read through the mounts. Batches 101 and up; controls alone.
    Defect("manifest: config path leaves the stack", M, "alertmanager_config: alertmanager/alertmanager.yml",
           "alertmanager_config: ../../../../etc/passwd", "alertmanager_config: ../", 0, True, secret="root:x:0:0"),
    Defect("manifest: mount source leaves the stack", M, "      - {source: prometheus, target: /etc/prometheus}",
           "      - {source: ../../outside, target: /etc/prometheus}", "source: ../../outside", 0, True),
    Defect("prometheus.yml: rule file outside the stack", P, '  - "infrastructure_rules.yml"',
           '  - "../../../../etc/passwd"', "etc/passwd", 0, secret="root:x:0:0"),
    Defect("alertmanager: duplicate key", AM, "  group_wait: 10s\n", "  group_wait: 10s\n  group_wait: 30s\n",
           "group_wait: 30s", 101),
    Defect("dashboard: duplicate key", EXEC, '"uid": "analytics-executive",',
           '"uid": "analytics-executive",\n  "uid": "exec-two",', '"uid": "exec-two"', 101),
    Defect("rules: duplicate key", IR, "        for: 1m", "        for: 1m\n        for: 7m", "for: 7m", 101),
    Defect("rules: YAML alias bomb", AR, "groups:\n", "".join(
        f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 10 if previous else ['"lol"'] * 10) + "]\n"
        for previous, name in zip(["", *"abcdefgh"], "abcdefghi", strict=True)) + "groups:\n", "g: &g [", 102),
    Defect("rules: a 1 MiB line in a YAML error", IR, "      - alert: HighCPUUsage",
           "      - alert: HighCPUUsage: " + "x" * 1_048_576, "alert: HighCPUUsage: xxx", 102),
    Defect("rules: file written as the container reads it (control)", P, '  - "infrastructure_rules.yml"',
           '  - "/etc/prometheus/infrastructure_rules.yml"', None, 0, control=True),
    Defect("rules: file written as the container reads it, misspelt", P, '  - "infrastructure_rules.yml"',
           '  - "/etc/prometheus/infrastucture_rules.yml"', "infrastucture_rules.yml", 0),
    Defect("alertmanager: flow-style secret in a YAML error", AM, "      - url: 'http://webhook-service:5000/alerts'\n",
           "      - url: 'http://webhook-service:5000/alerts'\n"
           "        http_config: {basic_auth: {username: u, password: Flowpassw0rdCanary}\n",
           "http_config: {basic_auth", 103, secret="Flowpassw0rdCanary"),
    Defect("prometheus.yml: secret on the line after its key, quote left open", P,
           "  - job_name: 'node-exporter'\n", "  - job_name: 'node-exporter'\n    basic_auth:\n      username: u\n"
           "      password:\n        'NextLineCanary9\n", "'NextLineCanary9", 0, secret="NextLineCanary9"),
    Defect("prometheus.yml: proxy_connect_header in a YAML error", P, "  - job_name: 'node-exporter'\n",
           "  - job_name: 'node-exporter'\n    proxy_connect_header: {Authorization: [Bearer ProxyCanary77]\n",
           "proxy_connect_header", 0, secret="ProxyCanary77"),
    Defect("alertmanager: token in a webhook host and path (control)", AM, "http://webhook-service:5000/alerts'",
           "http://h0sttok3n99.hooks.example:5000/alerts/PathT0ken123'", None, 0, control=True),
    Defect("rules: a PrometheusRule object (control)", IR, "", _as_prometheus_rule(IR), None, 0, control=True),
    Defect("rules: a PrometheusRule object with for: abc", IR, "", _as_prometheus_rule(IR).replace(
        "          for: 1m", "          for: abc"), "for: abc", 0),
    *SEMANTIC,
    *REFERENCES,
    *BOUNDED,
    *DROWNING,
    *UNCLEAR,
    *SECOND_CAMPAIGN,
    *PANELS,
    *LOCATED,
    *MEANING,
    *ROBUST,
)


@dataclass
class Verdict:
    defect: Defect
    outcome: str  # clear | unclear | crash
    why: str = ""


@dataclass
class Run:
    returncode: int
    output: str
    report: dict
    started: list[str] = field(default_factory=list)  # images or timings: a live stack ran
    written: str = ""  # every report file's text


def _copy(directory: Path, defects: list[Defect]) -> Path:
    stack = directory / "stack"
    shutil.copytree(REFERENCE_STACK, stack, ignore=lambda d, names: ["examples"] if Path(d) == REFERENCE_STACK else [])
    for defect in defects:
        path = stack / defect.file
        path.parent.mkdir(parents=True, exist_ok=True)  # a file the defect adds (old ""): a file_sd target file
        text = path.read_text(encoding="utf-8") if defect.old else ""
        if defect.old:
            assert text.count(defect.old) == 1, f"{defect.name}: {defect.old!r} must occur once in {defect.file}"
            text = text.replace(defect.old, defect.new)
        else:
            text = defect.new  # the whole file
        path.write_bytes(text.encode("utf-8", errors="surrogateescape"))
    return stack


def expected_line(stack: Path, defect: Defect) -> int:
    if defect.at is None:
        return 1
    lines = (stack / defect.file).read_bytes().decode("utf-8", errors="replace").splitlines()
    wanted = defect.at.rstrip("\n")
    found = [n for n, line in enumerate(lines, 1) if wanted in line and (not defect.at.endswith("\n")
                                                                          or line.endswith(wanted))]
    assert len(found) == 1, f"{defect.name}: expected one line containing {defect.at!r}, found {found}"
    return found[0]


def run_static(root: Path, stack: Path, report_dir: Path, timeout: float = 300) -> Run:
    """The static suites of the harness at ``root`` on ``stack``, in a subprocess, as a user runs them."""
    command = [sys.executable, "-m", "pytest", str(root / "suites"), "--stack", str(stack), "-m", "not live",
               "--report-dir", str(report_dir), "-p", "no:cacheprovider", "-q", "-rN"]
    env = {**os.environ, "PYTHONPATH": str(root)}
    with subprocess.Popen(command, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          errors="replace") as process:
        OWNERS.append(f"{socket.gethostname()}:{process.pid}")  # the harness's owner label on what it starts
        try:
            output, _ = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            output = process.communicate()[0] + f"\n{HUNG} after {timeout:.0f} s"
    results = report_dir / "results.json"
    report = json.loads(results.read_text(encoding="utf-8")) if results.exists() else {}
    started = [*(report.get("images") or {}), *(report.get("timings") or {})]
    written = "".join(p.read_text(encoding="utf-8", errors="replace") for p in sorted(report_dir.rglob("*"))
                      if p.is_file()) if report_dir.is_dir() else ""
    return Run(process.returncode, output, report, started, written)


def judge(defect: Defect, stack: Path, run: Run, batch: list[Defect]) -> Verdict:
    """One defect's verdict from a run of its batch."""
    if any(mark in run.output for mark in CRASH_MARKS):
        return Verdict(defect, "crash", _excerpt(run.output, CRASH_MARKS))
    if run.started:
        return Verdict(defect, "crash", f"a static run started a live stack: {run.started}")
    if defect.secret and (defect.secret in run.output or defect.secret in run.written):
        return Verdict(defect, "unclear", f"the secret {defect.secret!r} shows in the output or a report file")
    longest = max((len(c["message"]) for c in run.report.get("checks", [])), default=0)
    if longest > MAX_MESSAGE:
        return Verdict(defect, "unclear", f"a message quotes {longest} characters; expected a bounded excerpt")
    if defect.control:  # run alone on the reference stack, which passes every static check
        failing = [c for c in run.report.get("checks", []) if c["status"] in ("failed", "error")]
        shown = "; ".join(f"{c['check']}[{c['subject']}] at {_where(c)}: {c['message'][:160]}" for c in failing[:4])
        return Verdict(defect, "unclear", f"a valid edit failed {len(failing)} check(s): {shown}") if failing \
            else Verdict(defect, "clear")
    line = expected_line(stack, defect)
    path = stack.resolve() / defect.file
    if defect.usage:
        named = f"{path}:{line}" in run.output
        if run.returncode != 4 or not named or run.report:
            return Verdict(defect, "unclear", f"expected one usage error naming {defect.file}:{line}; exit "
                           f"{run.returncode}: {_tail(run.output)}")
        return Verdict(defect, "clear")
    failing = [c for c in run.report.get("checks", []) if c["status"] in ("failed", "error")]
    errors = [c for c in failing if c["status"] == "error"]
    if errors:
        return Verdict(defect, "crash", f"{len(errors)} setup error(s): {errors[0]['message'][:300]}")
    others = {d.file for d in batch if d is not defect}
    mine = [c for c in failing if (c.get("location") or {}).get("file") not in others]
    at_source = [c for c in mine if (c.get("location") or {}).get("file") == defect.file
                 and c["location"].get("line") == line and f"{defect.file}:{line}" in c["message"]]
    if len(mine) == 1 and at_source:
        return Verdict(defect, "clear")
    shown = "; ".join(f"{c['check']}[{c['subject']}] at {_where(c)}: {c['message'][:160]}" for c in mine[:4])
    return Verdict(defect, "unclear", f"expected one failing check at {defect.file}:{line}; "
                   f"{len(mine)} failed{': ' + shown if shown else ' (missed: exit ' + str(run.returncode) + ')'}")


def _where(check: dict) -> str:
    location = check.get("location") or {}
    return f"{location.get('file')}:{location.get('line')}"


def _excerpt(output: str, marks) -> str:
    index = min(output.find(m) for m in marks if m in output)
    return output[index:index + 400]


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text)[:400]


def _tail(output: str) -> str:
    return output.strip()[-300:]


def run_batch(root: Path, defects: list[Defect]) -> list[Verdict]:
    files = [d.file for d in defects]
    assert len(files) == len(set(files)), f"a batch edits each file once: {files}"
    with tempfile.TemporaryDirectory(prefix="mc-broken-") as scratch:
        stack = _copy(Path(scratch), defects)
        run = run_static(root, stack, Path(scratch) / "report")
        return [judge(defect, stack, run, defects) for defect in defects]


def batches(corpus=CORPUS) -> list[list[Defect]]:
    grouped: dict[int, list[Defect]] = {}
    alone = []
    for defect in corpus:
        (alone.append([defect]) if defect.batch == 0 else grouped.setdefault(defect.batch, []).append(defect))
    return [*grouped.values(), *alone]


def judge_corpus(root: Path = ROOT, corpus=CORPUS, workers: int = WORKERS) -> list[Verdict]:
    """Every defect's verdict: batches first; a batch not clear throughout again defect by defect."""
    with ThreadPoolExecutor(workers) as pool:
        first = [v for found in pool.map(lambda b: run_batch(root, b), batches(corpus)) for v in found]
        shared = {d.batch for d in corpus if d.batch and sum(o.batch == d.batch for o in corpus) > 1}
        again = [v.defect for v in first if v.outcome != "clear" and v.defect.batch in shared]
        redone = {v.defect.name: v for found in pool.map(lambda d: run_batch(root, [d]), again) for v in found}
    return [redone.get(v.defect.name, v) for v in first]


def summary(verdicts: list[Verdict]) -> str:
    counts = {outcome: sum(v.outcome == outcome for v in verdicts) for outcome in ("clear", "unclear", "crash")}
    lines = [f"{len(verdicts)} broken inputs: " + ", ".join(f"{n} {o}" for o, n in counts.items())]
    lines += [f"  {v.outcome}: {v.defect.name} ({v.defect.file}): {_one_line(v.why)}"
              for v in verdicts if v.outcome != "clear"]
    return "\n".join(lines)


if __name__ == "__main__":
    print(summary(judge_corpus(Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else ROOT)))
