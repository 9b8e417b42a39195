"""A scrape job whose target is one of the stack's own services (a job scraping the stack's
Alertmanager as ``alertmanager:9093``, a very common setup) is scraped from that service live: the
live run serves no synthetic target at its address, which would take the real service's place on
the run's network (Prometheus would send its alerts to the synthetic target: nothing delivered).
A rule whose series only that job could carry is not fed live, and says why; Prometheus scraping
itself at ``localhost:9090`` is answered by Prometheus itself likewise: in its own container,
localhost is Prometheus, whatever relay the network names so."""

from pathlib import Path

from fixtures.feeders.activities import SeriesFeed
from fixtures.feeders.series import Series, Shape
from fixtures.live import LiveStack
from fixtures.model.stack import Stack
from fixtures.scenarios.live_feed import LivePlan
from fixtures.scenarios.live_placement import Placer
from fixtures.scenarios.model import ExpectedAlert, Scenario

MANIFEST = """\
prometheus_config: prometheus/prometheus.yml
alertmanager_config: alertmanager/alertmanager.yml
services:
  prometheus:
    image: {local: localhost/monitoring-conformance/prometheus:2.42.0, registry: docker.io/prom/prometheus:v2.42.0}
    port: 9090
    mounts: [{source: prometheus, target: /etc/prometheus}]
  alertmanager:
    image: {local: localhost/monitoring-conformance/alertmanager:0.25.0, registry: docker.io/prom/alertmanager:v0.25.0}
    port: 9093
    mounts: [{source: alertmanager, target: /etc/alertmanager}]
"""
PROMETHEUS = """\
global: {scrape_interval: 15s}
rule_files: [rules.yml]
alerting:
  alertmanagers: [{static_configs: [{targets: ['alertmanager:9093']}]}]
scrape_configs:
  - job_name: self
    static_configs: [{targets: ['localhost:9090']}]
  - job_name: am
    static_configs: [{targets: ['alertmanager:9093']}]
  - job_name: app
    static_configs: [{targets: ['app:8080']}]
"""
RULES = """\
groups:
  - name: g
    rules:
      - alert: AlertmanagerFailedReload
        expr: max_over_time(alertmanager_config_last_reload_successful{job="am"}[5m]) == 0
        labels: {severity: critical}
        annotations: {summary: reload failed}
      - alert: AppErrors
        expr: app_errors{job="app"} > 0
        labels: {severity: warning}
        annotations: {summary: errors}
"""
ALERTMANAGER = "route: {receiver: r}\nreceivers: [{name: r}]\n"


def own_service_stack(folder: Path) -> Stack:
    (folder / "prometheus").mkdir(parents=True)
    (folder / "alertmanager").mkdir()
    (folder / "manifest.yml").write_text(MANIFEST)
    (folder / "prometheus" / "prometheus.yml").write_text(PROMETHEUS)
    (folder / "prometheus" / "rules.yml").write_text(RULES)
    (folder / "alertmanager" / "alertmanager.yml").write_text(ALERTMANAGER)
    return Stack.load(folder)


def derived(rule, job: str, metric: str, value: float) -> Scenario:
    feed = SeriesFeed(series=Series.of(metric, "gauge", {"job": job}, Shape.constant(value)))
    return Scenario(name=f"{rule.name}-derived-firing", path=rule.file, description="derived", kind="firing",
                    rule=rule.name, duration=300.0, feeds={job: [feed]},
                    firing=[ExpectedAlert(rule.name, {"severity": rule.labels["severity"]})], source="derived",
                    rule_key=rule.key)


def test_a_job_scraping_the_stacks_own_alertmanager_gets_no_synthetic_target(tmp_path):
    stack = own_service_stack(tmp_path / "stack")
    live = LiveStack(stack, "local")

    live._select_targets()

    assert "alertmanager:9093" not in live.servers, sorted(live.servers)
    # localhost in Prometheus's container is Prometheus itself: a relay named localhost is not reached.
    assert sorted(live.servers) == ["app:8080"]
    assert not live.targets_of("am") and "am" not in live.scraped_jobs
    assert any("scrape job 'am': alertmanager:9093 is the stack's own alertmanager service" in note
               for note in live.notes), live.notes
    assert any("scrape job 'self': localhost:9090 is the stack's own prometheus service itself" in note
               for note in live.notes), live.notes
    reload_failed, app_errors = stack.alert_rules
    plan = LivePlan.build([derived(reload_failed, "am", "alertmanager_config_last_reload_successful", 0.0),
                           derived(app_errors, "app", "app_errors", 3.0)], live.targets_of, live.scraped_jobs,
                          Placer(live.targets, stack.alert_rules, stack.recording_rules, live.answered_by_service))
    assert plan.fed == {"AppErrors-derived-firing"}, plan.not_fed
    (why,) = plan.not_fed
    assert why.startswith("AlertmanagerFailedReload-derived-firing: ") and (
        "job 'am' scrapes alertmanager:9093 (the stack's alertmanager service), which answers as it is" in why), why
