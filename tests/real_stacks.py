"""Whole stacks nobody here wrote, assembled as a team adopting the suite would, from the public
configuration in ../shared/corpora (read in place, copied only into a stack folder outside the
repository: their licences are not ours).

    python -m tests.real_stacks thanos OUT    # writes the Thanos mixin's stack into OUT
    python -m tests.real_stacks thanos-operator OUT    # the same, its rules as PrometheusRule objects

The Thanos project's monitoring mixin ships rules, recording rules, dashboards and its own
promtool tests, but no manifest, prometheus.yml or alertmanager.yml: those below are what a team
would write around it — one scrape job per Thanos component (the rules select them by
`job=~".*thanos-<component>.*"`), every severity the rules use routed to a receiver of its own,
and no hand-written scenario, so every rule is tested on scenarios derived from its expression."""

import shutil
import sys
import textwrap
from pathlib import Path

import yaml

from tests.layout import CORPORA, ROOT

THANOS = CORPORA / "thanos-mixin"
THANOS_COMPONENTS = ("query", "query-frontend", "store", "receive", "compact", "sidecar", "rule",
                     "bucket-replicate")
# The reference stack's Prometheus and Alertmanager services, as a team's manifest names them.
REFERENCE_SERVICES = ("prometheus", "alertmanager")


def _write_yaml(path: Path, content: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(content, sort_keys=False))


def thanos_prometheus_config() -> dict:
    return {
        "global": {"scrape_interval": "30s", "evaluation_interval": "30s"},
        "rule_files": ["alerts.yaml", "rules.yaml"],
        "alerting": {"alertmanagers": [{"static_configs": [{"targets": ["alertmanager:9093"]}]}]},
        "scrape_configs": [
            {"job_name": f"thanos-{component}",
             "static_configs": [{"targets": [f"thanos-{component}:10902"]}]}
            for component in THANOS_COMPONENTS
        ],
    }


def thanos_alertmanager_config() -> dict:
    receivers = {"critical": "pager", "warning": "team-chat", "info": "team-digest"}
    return {
        "route": {
            "receiver": "team-digest",
            "group_by": ["alertname", "job"],
            "group_wait": "30s", "group_interval": "5m", "repeat_interval": "4h",
            "routes": [{"matchers": [f'severity="{severity}"'], "receiver": receiver}
                       for severity, receiver in receivers.items()],
        },
        "receivers": [{"name": receiver, "webhook_configs": [{"url": f"http://{receiver}.example:5000/"}]}
                      for receiver in receivers.values()],
    }


def build_thanos_stack(out: Path) -> Path:
    """The Thanos mixin as a stack folder in OUT (which must not exist yet); returns OUT."""
    if not THANOS.is_dir():
        raise FileNotFoundError(f"{THANOS}: the shared corpora are not beside the repository")
    out.mkdir(parents=True)
    prometheus = out / "prometheus"
    prometheus.mkdir()
    for name in ("alerts.yaml", "rules.yaml"):
        shutil.copyfile(THANOS / name, prometheus / name)
    _write_yaml(prometheus / "prometheus.yml", thanos_prometheus_config())
    _write_yaml(out / "alertmanager/alertmanager.yml", thanos_alertmanager_config())
    shutil.copytree(THANOS / "dashboards", out / "grafana/dashboards")
    shutil.copytree(ROOT / "stack/grafana/provisioning", out / "grafana/provisioning")
    reference = yaml.safe_load((ROOT / "stack/manifest.yml").read_text())
    _write_yaml(out / "manifest.yml", {
        "name": "thanos mixin",
        "prometheus_config": "prometheus/prometheus.yml",
        "alertmanager_config": "alertmanager/alertmanager.yml",
        "severity_levels": {"critical": "pager", "warning": "team-chat", "info": "team-digest"},
        "scrape_targets": {f"thanos-{component}": "generic" for component in THANOS_COMPONENTS},
        "services": {name: reference["services"][name] for name in REFERENCE_SERVICES},
        "grafana": {"dashboards": "grafana/dashboards", "datasources": "grafana/provisioning/datasources"},
    })
    return out


def build_thanos_operator_stack(out: Path) -> Path:
    """The same stack with its rules as a team on the Prometheus Operator keeps them: alerts.yaml one
    PrometheusRule object, rules.yaml one PrometheusRule per group as YAML documents of one file,
    the first of them a List; its dashboards as ConfigMaps (issue 24, item 3). The suite must judge it as it
    judges the plain one."""
    build_thanos_stack(out)
    prometheus = out / "prometheus"
    alerts = yaml.safe_load((THANOS / "alerts.yaml").read_text())
    (prometheus / "alerts.yaml").write_text(yaml.safe_dump(_prometheus_rule("thanos-alerts", alerts["groups"]),
                                                           sort_keys=False))
    groups = yaml.safe_load((THANOS / "rules.yaml").read_text())["groups"]
    documents = [{"apiVersion": "v1", "kind": "List", "items": [_prometheus_rule("thanos-rules-0", groups[:1])]},
                 *(_prometheus_rule(f"thanos-rules-{i}", [group]) for i, group in enumerate(groups[1:], 1))]
    (prometheus / "rules.yaml").write_text(yaml.safe_dump_all(documents, sort_keys=False))
    # Dashboards as the Operator's Grafana sidecar takes them: one ConfigMap each, the last two
    # together in a List, dashboard JSON under data.
    dashboards = sorted((out / "grafana/dashboards").glob("*.json"))
    for path in dashboards[:-2]:
        path.with_suffix(".yaml").write_text(_config_map(path))
        path.unlink()
    (out / "grafana/dashboards/more-dashboards.yaml").write_text("apiVersion: v1\nkind: List\nitems:\n" + "".join(
        textwrap.indent(_config_map(path), "    ").replace("    apiVersion", "  - apiVersion", 1)
        for path in dashboards[-2:]))
    for path in dashboards[-2:]:
        path.unlink()
    return out


def _config_map(dashboard: Path) -> str:
    """A ConfigMap delivering one dashboard, its JSON as written, under data."""
    return (f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {dashboard.stem}\n  labels:\n"
            f"    grafana_dashboard: '1'\ndata:\n  {dashboard.name}: |\n"
            + textwrap.indent(dashboard.read_text(), "    ", lambda line: True))


def _prometheus_rule(name: str, groups: list) -> dict:
    return {"apiVersion": "monitoring.coreos.com/v1", "kind": "PrometheusRule",
            "metadata": {"name": name, "labels": {"role": "alert-rules"}}, "spec": {"groups": groups}}


STACKS = {"thanos": build_thanos_stack, "thanos-operator": build_thanos_operator_stack}

if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in STACKS:
        sys.exit(f"usage: python -m tests.real_stacks {{{','.join(STACKS)}}} OUT")
    print(STACKS[sys.argv[1]](Path(sys.argv[2])))
