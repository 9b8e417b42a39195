"""Generate a large stack of alert rules for the scale benchmark (benchmarks/scale.py).

Deterministic: the same arguments write the same files. The rules mix the shapes public rule
collections have (/work/shared/corpora/): thresholds on gauges, ``rate()`` of counters, error
ratios joined ``on`` a label with ``group_left``, ``absent``, ``histogram_quantile`` over bucket
rates, with ``for`` from 0 to 15 minutes, spread over several rule files and many groups, each
group its own service and team labels. ``--routing`` adds Alertmanager routing (a webhook
receiver per team, a route per severity) and the severity levels the manifest declares.
``--long-windows`` mixes in the long-window shapes of SLO rule sets: multi-window burn-rate pairs
over recording rules (5m to 3d error ratios, as the SRE workbook writes them), a week-long
``for`` and a day's ``avg_over_time``, the shapes whose cost derivation must bound.

    python benchmarks/generate_stack.py --rules 1000 --out /tmp/stack-1k [--routing] [--long-windows]
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

# Multi-window, multi-burn-rate SLO alerts: (long window, short window, burn rate, for).
BURN_RATES = (("1h", "5m", 14.4, "2m"), ("6h", "30m", 6, "15m"), ("1d", "2h", 3, "1h"), ("3d", "6h", 1, "3h"))
SLO_TARGET_ERRORS = 0.001


def _slo_ratio(n: int, service: str, window: str) -> tuple[str, dict]:
    """The recorded error ratio of one SLO over a window: its name, and its recording rule."""
    name = f"service:slo_{n}_errors:ratio_rate{window}"
    requests = f'slo_{n}_requests_total{{service="{service}"'
    return name, {"record": name, "expr": f'sum by (service) (rate({requests}, code=~"5.."}}[{window}])) '
                                          f"/ sum by (service) (rate({requests}}}[{window}]))"}


def _burn_rate(n: int, service: str, rng: random.Random) -> tuple[str, list[dict], str]:
    turn = n // 4  # the long-window shape's turn (rule_groups): two in four are burn-rate pairs, each pair in turn
    long, short, burn, hold = BURN_RATES[(turn // 4 * 2 + turn % 4) % len(BURN_RATES)]
    (long_ratio, long_rule), (short_ratio, short_rule) = _slo_ratio(n, service, long), _slo_ratio(n, service, short)
    threshold = f"({burn} * {SLO_TARGET_ERRORS})"
    return f"{long_ratio} > {threshold} and {short_ratio} > {threshold}", [long_rule, short_rule], hold


def _week_long(n: int, service: str, rng: random.Random) -> tuple[str, list[dict], str]:
    return f'sum by (instance) (backlog_{n % 67}{{service="{service}"}}) > {rng.randint(100, 1000)}', [], "1w"


def _day_average(n: int, service: str, rng: random.Random) -> tuple[str, list[dict], str]:
    return (f'avg_over_time(temperature_{n % 71}_celsius{{service="{service}"}}[24h]) > {rng.randint(25, 40)}', [],
            "5m")


# Shapes with their own recording rules and 'for': every fourth rule of --long-windows is one.
LONG_WINDOW_SHAPES = (_burn_rate, _burn_rate, _week_long, _day_average)


def rule_groups(rules: int, seed: int = 13, long_windows: bool = False) -> list[list[dict]]:
    """Groups of rules, in the order files get them: each group one service, one team (recording
    rules first, each once)."""
    rng = random.Random(seed)
    groups = []
    for index in range(rules):
        if index % RULES_PER_GROUP == 0:
            groups.append([])
        group = len(groups) - 1
        service, team = f"svc-{group}", TEAMS[group % len(TEAMS)]
        severity = SEVERITIES[rng.randrange(len(SEVERITIES))]
        if long_windows and index % 4 == 3:
            shape = LONG_WINDOW_SHAPES[index // 4 % len(LONG_WINDOW_SHAPES)]
            expr, recordings, hold = shape(index, service, rng)
            rule = {"alert": f"{shape.__name__.strip('_').title().replace('_', '')}{index}", "expr": expr, "for": hold}
            recorded = [r for r in groups[group] if "record" in r]
            groups[group][len(recorded):len(recorded)] = [r for r in recordings if r not in recorded]
        else:
            shape = SHAPES[index % len(SHAPES)]
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


def write_stack(rules: int, out: Path, routing: bool = False, long_windows: bool = False) -> Path:
    """Write the stack folder; returns it."""
    if out.exists():
        shutil.rmtree(out)
    (out / "prometheus").mkdir(parents=True)
    groups = rule_groups(rules, long_windows=long_windows)
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
    parser.add_argument("--long-windows", action="store_true",
                        help="mix in SLO burn-rate pairs over recording rules, a week-long for, a day's avg_over_time")
    args = parser.parse_args()
    print(write_stack(args.rules, args.out, args.routing, args.long_windows))


if __name__ == "__main__":
    main()
