"""Live, on a small stack written for the purpose with no hand-written scenario, the way real stacks
scrape and alert:

- kubelet's two paths on one address (``/metrics`` and ``/metrics/cadvisor``, two scrape configs
  whose relabelling renames both jobs to ``kubelet`` and keeps the path as a label), neither the
  first job of prometheus.yml: both targets are up, and each rule's derived series are fed on the
  path its selector names, so its alert fires live with the labels that target gives;
- a rule selecting its job by a regex (``job=~".*thanos-query.*"``) is fed on the job it accepts;
- a rule about a target being down (``up{job="worker"} == 0``) is fed by withholding that target,
  and fires; the alert it inhibits (the stack's ``inhibit_rules``) is checked as suppressed, not
  awaited, and the watch ends long before the 6 h ``for`` of a rule no scenario feeds;
- a panel over a metric nothing feeds says so, not applicable; a panel whose template variable
  has no options fails saying that.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import yaml

from tests.layout import REFERENCE_STACK
from tests.live_runs import run_suites
from tests.textfiles import write_text

KUBELET_RELABEL = [{"target_label": "job", "replacement": "kubelet"},
                   {"source_labels": ["__metrics_path__"], "target_label": "metrics_path"}]
PROMETHEUS = {
    "global": {"scrape_interval": "5s", "evaluation_interval": "5s"},
    "alerting": {"alertmanagers": [{"static_configs": [{"targets": ["alertmanager:9093"]}]}]},
    "rule_files": ["rules.yml"],
    "scrape_configs": [
        {"job_name": "app", "static_configs": [{"targets": ["app:8080"]}]},
        {"job_name": "kubelet/0", "static_configs": [{"targets": ["kubelet:10250"]}],
         "relabel_configs": KUBELET_RELABEL},
        {"job_name": "kubelet/1", "metrics_path": "/metrics/cadvisor", "static_configs": [{"targets": ["kubelet:10250"]}],
         "relabel_configs": KUBELET_RELABEL},
        {"job_name": "thanos-query-frontend", "static_configs": [{"targets": ["thanos-query-frontend:10902"]}]},
        {"job_name": "worker", "static_configs": [{"targets": ["worker:8080"]}]},
    ],
}


def _alert(name: str, expr: str, severity: str, for_: str = "0s") -> dict:
    return {"alert": name, "expr": expr, "for": for_, "labels": {"severity": severity},
            "annotations": {"summary": name, "description": name}}


RULES = {"groups": [{"name": "real", "rules": [
    _alert("KubeletTooManyPods", 'kubelet_running_pods{job="kubelet", metrics_path="/metrics"} > 100', "warning"),
    _alert("ContainerThrottled", 'container_throttled{job="kubelet", metrics_path="/metrics/cadvisor"} > 5', "warning"),
    _alert("QueryFailing", 'thanos_query_failures{job=~".*thanos-query.*"} > 5', "info", "1m"),
    _alert("WorkerDown", 'up{job="worker"} == 0', "critical"),
    # Not fed live (no derivation reads a metric chosen by a regex on its name; a 6h window is beyond
    # any pre-loaded history): the watch must not wait the 6h its for is raised to.
    _alert("NeverFed", 'max_over_time({__name__=~"never_.*"}[6h]) > 0', "warning"),
    _alert("SixHourWindow", 'max_over_time(backlog{job="app"}[6h]) > 100', "warning"),
]}]}
ALERTMANAGER = {
    "route": {"receiver": "team", "group_by": ["alertname"], "group_wait": "5s", "group_interval": "5s",
              "repeat_interval": "1h",
              "routes": [{"matchers": [f'severity="{s}"'], "receiver": s} for s in ("critical", "warning", "info")]},
    "receivers": [{"name": name, "webhook_configs": [{"url": f"http://{name}.example.org/alerts"}]}
                  for name in ("team", "critical", "warning", "info")],
    # While a worker is down, its queries failing is no news.
    "inhibit_rules": [{"source_matchers": ['alertname="WorkerDown"'], "target_matchers": ['alertname="QueryFailing"']}],
}
DATASOURCE = {"type": "prometheus", "uid": "prometheus"}
DASHBOARD = {
    "title": "Kubelet", "uid": "kubelet", "time": {"from": "now-1h", "to": "now"}, "schemaVersion": 39,
    "templating": {"list": [{"name": "job", "type": "query", "datasource": DATASOURCE, "refresh": 1,
                             "query": "label_values(kube_pod_info, job)"}]},
    "panels": [
        {"id": 1, "type": "timeseries", "title": "Pods", "datasource": DATASOURCE,
         "targets": [{"refId": "A", "expr": 'kubelet_running_pods{job="$job"}'}]},
        {"id": 2, "type": "timeseries", "title": "API requests", "datasource": DATASOURCE,
         "targets": [{"refId": "A", "expr": "sum(rate(apiserver_request_total[5m]))"}]},
    ],
}


def _stack(tmp_path: Path) -> Path:
    stack_dir = tmp_path / "real-configs"
    reference = yaml.safe_load((REFERENCE_STACK / "manifest.yml").read_text())
    manifest = {"name": "scrape configs as real stacks write them", "prometheus_config": "prometheus/prometheus.yml",
                "alertmanager_config": "alertmanager/alertmanager.yml",
                "severity_levels": {"critical": "critical", "warning": "warning", "info": "info"},
                "services": {name: reference["services"][name] for name in ("alertmanager", "prometheus")},
                "grafana": {"dashboards": "grafana/dashboards", "datasources": "grafana/datasources"}}
    write_text(stack_dir / "manifest.yml", yaml.safe_dump(manifest))
    write_text(stack_dir / "prometheus" / "prometheus.yml", yaml.safe_dump(PROMETHEUS, sort_keys=False))
    write_text(stack_dir / "prometheus" / "rules.yml", yaml.safe_dump(RULES, sort_keys=False))
    write_text(stack_dir / "alertmanager" / "alertmanager.yml", yaml.safe_dump(ALERTMANAGER, sort_keys=False))
    write_text(stack_dir / "grafana" / "dashboards" / "kubelet.json", json.dumps(DASHBOARD))
    write_text(stack_dir / "grafana" / "datasources" / "prometheus.yml", yaml.safe_dump(
        {"apiVersion": 1, "datasources": [{"name": "Prometheus", **DATASOURCE, "url": "http://prometheus:9090"}]}))
    return stack_dir


def test_real_scrape_configs_run_live(tmp_path, engine):
    began = time.monotonic()
    run = run_suites(_stack(tmp_path), tmp_path / "report", "-k", "alerts_live or live_smoke or dashboards_live")
    took = time.monotonic() - began
    checks = {(c["check"], c["subject"]): c for c in run.report.get("checks", [])}
    assert checks, run.stdout[-3000:]
    errors = [(key, c["message"][:300]) for key, c in checks.items() if c["status"] == "error"]
    assert not errors, errors

    def status(check: str, subject: str) -> tuple[str, str]:
        found = checks[(check, subject)]
        return found["status"], found["message"][:800]

    # Item 1: both kubelet paths on one address are served and scraped.
    for job in ("kubelet/0", "kubelet/1", "app", "thanos-query-frontend"):
        assert status("target up", job)[0] == "passed", status("target up", job)
    # Item 2: each rule's series go to the target its selectors name (path, regex job) and fire there.
    for rule in ("KubeletTooManyPods", "ContainerThrottled", "QueryFailing", "WorkerDown"):
        assert status("fires (live)", rule)[0] == "passed", status("fires (live)", rule)
    fired = checks[("fires (live)", "ContainerThrottled")]["evidence"]
    assert any(e.get("expected labels", {}).get("metrics_path") == "/metrics/cadvisor" for e in fired.values()
               if isinstance(e, dict)), fired
    # Item 3: the down target is withheld (and said so), the inhibited alert is checked as such.
    withheld = checks[("target up", "worker")]
    assert withheld["status"] == "not applicable" and "withheld" in withheld["message"], withheld["message"]
    inhibited = checks[("notification delivered (live)", "QueryFailing")]
    assert inhibited["status"] == "passed" and inhibited["evidence"]["inhibited"]["by inhibit rule"], inhibited
    assert status("notification delivered (live)", "WorkerDown")[0] == "passed"
    assert took < 1200, f"the watch waited for a rule no scenario feeds: {took:.0f}s"
    held = status("fires (live)", "SixHourWindow")
    assert held[0] == "not applicable" and "of history this live run pre-loads" in held[1], held
    # Item 5: a panel without data says why.
    unfed = status("panel returns data (live)", "Kubelet/API requests")
    assert unfed[0] == "not applicable" and "metric apiserver_request_total is not in the live Prometheus" in unfed[1], unfed
    no_options = status("panel returns data (live)", "Kubelet/Pods")
    # Its variable's options come only from series derived for alert rules: says why, judges nothing.
    assert no_options[0] == "not applicable" and "template variable $job has no options live" in no_options[1], no_options


def test_a_target_scraped_over_https_is_served_over_tls():
    """A job of scheme https (the kubelet's, the API server's) is scraped over TLS: served in plain
    HTTP, Prometheus found every such target down ("first record does not look like a TLS
    handshake"), and the rules fed there could not fire."""
    import ssl
    import urllib.request

    from fixtures.feeders.scrape import scrape_targets
    from fixtures.feeders.targets import AddressServer, build_target

    config = {"scrape_configs": [
        {"job_name": "kubelet", "scheme": "https", "tls_config": {"insecure_skip_verify": True},
         "static_configs": [{"targets": ["node-1:10250"]}]},
        {"job_name": "app", "static_configs": [{"targets": ["app:8080"]}]}]}
    servers = []
    try:
        for scrape in scrape_targets(config):
            server = AddressServer(scrape.address)
            server.add(build_target(scrape.job_name, scrape.address, "generic", None, scrape))
            servers.append((scrape.scheme, server, server.serve("127.0.0.1")))
        insecure = ssl.create_default_context()
        insecure.check_hostname, insecure.verify_mode = False, ssl.CERT_NONE  # as insecure_skip_verify
        for scheme, _, port in servers:
            with urllib.request.urlopen(f"{scheme}://127.0.0.1:{port}/metrics", timeout=10,
                                        context=insecure if scheme == "https" else None) as answer:
                assert answer.status == 200 and answer.headers["Content-Type"].startswith("text/plain"), scheme
    finally:
        for _, server, _ in servers:
            server.stop()
