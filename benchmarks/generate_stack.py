"""Generate a large stack of alert rules for the scale benchmark (benchmarks/scale.py).

Deterministic: the same arguments write the same files. The rules mix the shapes public rule
collections have (/work/shared/corpora/): thresholds on gauges, ``rate()`` of counters, error
ratios joined ``on`` a label with ``group_left``, ``absent``, ``histogram_quantile`` over bucket
rates, with ``for`` from 0 to 15 minutes, spread over several rule files and many groups, each
group its own service and team labels. ``--routing`` adds Alertmanager routing (a webhook
receiver per team, a route per severity) and the severity levels the manifest declares.

    python benchmarks/generate_stack.py --rules 1000 --out /tmp/stack-1k [--routing]
"""

from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path

import yaml

RULE_FILES = 8
RULES_PER_GROUP = 10
SEVERITIES = ("critical", "warning", "info")
TEAMS = ("billing", "search", "storage", "identity", "payments", "edge")
FOR_CHOICES = (None, "1m", "2m", "5m", "10m", "15m")
REFERENCE_MANIFEST = Path(__file__).resolve().parent.parent / "stack" / "manifest.yml"


def _threshold(n: int, service: str, rng: random.Random) -> str:
    return f'sum by (instance) (queue_depth_{n % 97}{{service="{service}"}}) > {rng.randint(10, 5000)}'


def _rate(n: int, service: str, rng: random.Random) -> str:
    return (f'sum by (instance, code) (rate(http_requests_{n % 89}_total{{service="{service}", code=~"5.."}}[5m]))'
            f' > {rng.randint(1, 50)}')


def _ratio(n: int, service: str, rng: random.Random) -> str:
    # The corpus's join: an error ratio per instance, carrying the owner label of an info metric.
    m = n % 83
    return (f'sum by (instance) (rate(job_errors_{m}_total{{service="{service}"}}[5m]))'
            f' / on (instance) group_left sum by (instance) (rate(job_runs_{m}_total{{service="{service}"}}[5m]))'
            f' > {rng.choice((0.01, 0.05, 0.1, 0.25))}')


def _absent(n: int, service: str, rng: random.Random) -> str:
    return f'absent(heartbeat_{n % 79}_timestamp_seconds{{service="{service}"}})'


def _quantile(n: int, service: str, rng: random.Random) -> str:
    return (f'histogram_quantile({rng.choice((0.9, 0.95, 0.99))}, sum by (le, instance) '
            f'(rate(request_{n % 73}_duration_seconds_bucket{{service="{service}"}}[5m])))'
            f' > {rng.choice((0.25, 0.5, 1, 2.5))}')


SHAPES = (_threshold, _threshold, _rate, _rate, _ratio, _absent, _quantile)


def rule_groups(rules: int, seed: int = 13) -> list[list[dict]]:
    """Groups of rules, in the order files get them: each group one service, one team."""
    rng = random.Random(seed)
    groups = []
    for index in range(rules):
        if index % RULES_PER_GROUP == 0:
            groups.append([])
        group = len(groups) - 1
        service, team = f"svc-{group}", TEAMS[group % len(TEAMS)]
        shape = SHAPES[index % len(SHAPES)]
        severity = SEVERITIES[rng.randrange(len(SEVERITIES))]
        rule = {"alert": f"{shape.__name__.strip('_').title()}{index}", "expr": shape(index, service, rng)}
        if (hold := FOR_CHOICES[rng.randrange(len(FOR_CHOICES))]) is not None:
            rule["for"] = hold
        rule["labels"] = {"severity": severity, "team": team}
        rule["annotations"] = {
            "summary": f"{shape.__name__.strip('_')} on {{{{ $labels.instance }}}} of {service}",
            "description": "value {{ $value }}",
        }
        groups[group].append(rule)
    return groups


def write_stack(rules: int, out: Path, routing: bool = False) -> Path:
    """Write the stack folder; returns it."""
    if out.exists():
        shutil.rmtree(out)
    (out / "prometheus").mkdir(parents=True)
    groups = rule_groups(rules)
    files = [f"rules_{i:02d}.yml" for i in range(min(RULE_FILES, len(groups)))]
    for i, name in enumerate(files):
        mine = [{"name": f"group_{g}", "rules": rules_} for g, rules_ in enumerate(groups) if g % len(files) == i]
        (out / "prometheus" / name).write_text(yaml.safe_dump({"groups": mine}, sort_keys=False, width=1 << 12))
    prometheus = {
        "global": {"scrape_interval": "15s", "evaluation_interval": "15s"},
        "rule_files": files,
        "scrape_configs": [{"job_name": "services", "static_configs": [{"targets": ["services-exporter:9100"]}]}],
    }
    manifest: dict = {"name": f"generated: {rules} alert rules", "prometheus_config": "prometheus/prometheus.yml"}
    if routing:
        prometheus["alerting"] = {"alertmanagers": [{"static_configs": [{"targets": ["alertmanager:9093"]}]}]}
        _write_routing(out)
        reference = yaml.safe_load(REFERENCE_MANIFEST.read_text())
        manifest |= {"alertmanager_config": "alertmanager/alertmanager.yml",
                     "severity_levels": {level: f"{level}-hook" for level in SEVERITIES},
                     "services": {name: reference["services"][name] for name in ("alertmanager", "prometheus")}}
    (out / "prometheus" / "prometheus.yml").write_text(yaml.safe_dump(prometheus, sort_keys=False))
    (out / "manifest.yml").write_text(yaml.safe_dump(manifest, sort_keys=False))
    return out


def _write_routing(out: Path) -> None:
    (out / "alertmanager").mkdir()
    config = {
        "route": {"receiver": "info-hook", "group_by": ["alertname", "team"], "group_wait": "10s",
                  "group_interval": "10s", "repeat_interval": "1h",
                  "routes": [{"matchers": [f'severity="{level}"'], "receiver": f"{level}-hook"}
                             for level in SEVERITIES]},
        "receivers": [{"name": f"{level}-hook", "webhook_configs": [{"url": f"http://{level}-hook:5000/alerts"}]}
                      for level in SEVERITIES],
    }
    (out / "alertmanager" / "alertmanager.yml").write_text(yaml.safe_dump(config, sort_keys=False))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rules", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--routing", action="store_true", help="add Alertmanager routing and severity levels")
    args = parser.parse_args()
    print(write_stack(args.rules, args.out, args.routing))


if __name__ == "__main__":
    main()
