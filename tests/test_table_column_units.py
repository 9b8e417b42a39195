"""An old Grafana table (type "table" before Grafana 7, "table-old" after) shows each query's values
in a column of its own (``Value #A``, ``Value #B``; ``Value`` for a lone query), with the unit of the
first style whose pattern names the column, exactly or as a ``/regex/``; a style of type "hidden"
hides it. kube-prometheus's Prometheus dashboard has such a table: each query is judged in its
column's unit (fixtures/model/dashboards.py), and a hidden one in none."""

from __future__ import annotations

import json
from pathlib import Path

from fixtures.dashboards.evaluate import time_unit_problem
from fixtures.model.dashboards import load_dashboard

UPTIME = "time() - process_start_time_seconds{job=\"prometheus\"}"
BUILD = "count by (version) (prometheus_build_info{job=\"prometheus\"})"


def table(styles: list[dict], queries: dict[str, str]) -> dict:
    return {"title": "Prometheus", "panels": [{"type": "table", "title": "Stats", "id": 1, "styles": styles,
                                               "targets": [{"refId": ref, "expr": expr, "format": "table"}
                                                           for ref, expr in queries.items()]}]}


def panel_of(tmp_path: Path, model: dict):
    path = tmp_path / "d.json"
    path.write_text(json.dumps(model, indent=1))
    (panel,) = load_dashboard(path).panels
    return panel


def test_each_query_is_judged_in_its_columns_unit(tmp_path):
    panel = panel_of(tmp_path, table([{"pattern": "Time", "type": "hidden"},
                                      {"pattern": "Value #A", "type": "number", "unit": "short"},
                                      {"pattern": "/Value #[BC]/", "type": "number", "unit": "s"},
                                      {"pattern": "/.*/", "type": "string", "unit": "percent"}],
                                     {"A": UPTIME, "B": UPTIME, "D": BUILD}))
    uptime_short, uptime_seconds, _ = panel.targets
    assert [panel.unit_of(t) for t in panel.targets] == ["short", "s", "percent"]
    assert "panel's unit is 'short'" in time_unit_problem(panel.unit_of(uptime_short), uptime_short.expr)
    assert time_unit_problem(panel.unit_of(uptime_seconds), uptime_seconds.expr) is None
    assert not any(t.hidden for t in panel.targets)


def test_a_lone_query_is_the_value_column_and_a_hidden_column_shows_no_unit(tmp_path):
    lone = panel_of(tmp_path, table([{"pattern": "Value", "unit": "dtdurations"}], {"A": UPTIME}))
    assert lone.unit_of(lone.targets[0]) == "dtdurations"
    hidden = panel_of(tmp_path, table([{"pattern": "Value #A", "type": "hidden", "unit": "short"},
                                       {"pattern": "Value #B", "unit": "short"}], {"A": UPTIME, "B": BUILD}))
    assert [t.hidden for t in hidden.targets] == [True, False]
    other = panel_of(tmp_path, {"title": "T", "panels": [{"type": "timeseries", "title": "P", "styles": [
        {"pattern": "Value", "unit": "short"}], "fieldConfig": {"defaults": {"unit": "s"}},
        "targets": [{"refId": "A", "expr": UPTIME}]}]})
    assert other.unit_of(other.targets[0]) == "s"  # styles belong to the old table only
