"""Dashboards as Grafana reads them: template variables given the values Grafana gives them on
load, datasource variables, panels told apart by id, and the server's own words on a refusal.

The variable queries run against a stand-in for the Prometheus HTTP API that answers from a fixed
set of series, as Prometheus's labels, series and query APIs would."""

from __future__ import annotations

import json

import pytest
import requests

from fixtures.dashboards.evaluate import PrometheusLookups, dashboard_variables, refusal, run_target
from fixtures.model.dashboard_variables import undefined
from fixtures.model.dashboards import Datasource, load_dashboard, resolve_datasource, unresolved_reason
from fixtures.model.interpolation import QueryContext, Value, interpolate

SERIES = [
    {"__name__": "pipeline_runs_total", "pipeline": "orders", "status": "success", "job": "data-pipeline"},
    {"__name__": "pipeline_runs_total", "pipeline": "billing", "status": "failed", "job": "data-pipeline"},
    {"__name__": "api_requests_total", "endpoint": "/a", "method": "GET", "job": "analytics-api"},
]


def _matches(selector: str | None, labels: dict) -> bool:
    return selector is None or selector.split("{")[0] == labels["__name__"]


class PrometheusApi:
    """What the Prometheus client's ``_get`` answers for the few paths variable queries use, and
    the queries a panel sends (``query_range``), recorded."""

    def __init__(self):
        self.sent = []

    def _get(self, path: str, **params):
        match = params.get("match[]")
        chosen = [s for s in SERIES if _matches(match, s)]
        if path == "/api/v1/labels":
            return sorted({name for s in chosen for name in s})
        if path.startswith("/api/v1/label/"):
            label = path.split("/")[4]
            return sorted({s[label] for s in chosen if label in s})
        if path == "/api/v1/series":
            return chosen
        if path == "/api/v1/query":
            return {"resultType": "vector", "result": [{"metric": s, "value": [1700000000.5, "1"]}
                                                       for s in SERIES if _matches(params["query"], s)]}
        raise AssertionError(path)

    def query_range(self, expr, start, end, step):
        self.sent.append(expr)
        if "label_values" in expr:
            response = requests.Response()
            response.status_code = 400
            response._content = json.dumps({"status": "error", "errorType": "bad_data",
                                            "error": "1:1: parse error: unexpected identifier"}).encode()
            raise requests.HTTPError("400 Client Error: Bad Request for url: http://prometheus/api/v1/query_range",
                                     response=response)
        return [{"metric": {}, "values": [[end, "1"]]}]


def dashboard(tmp_path, variables: list[dict], panels: list[dict] | None = None, **extra):
    model = {"title": "Pipelines", "time": {"from": "now-1h", "to": "now"}, "templating": {"list": variables},
             "panels": panels or [{"id": 1, "title": "Runs", "type": "timeseries",
                                   "targets": [{"refId": "A", "expr": 'sum(rate(pipeline_runs_total{pipeline=~"$pipeline"}[5m]))'}]}],
             **extra}
    path = tmp_path / "pipelines.json"
    path.write_text(json.dumps(model, indent=2))
    return load_dashboard(path)


def values(board, api=None) -> dict[str, Value]:
    lookups = PrometheusLookups(api or PrometheusApi())
    return {v.name: v for v in dashboard_variables(board, lookups, 1_700_000_000.0)}


def query_variable(query, **fields) -> dict:
    return {"name": "pipeline", "type": "query", "query": query, "refresh": 1, **fields}


@pytest.mark.parametrize(("query", "first"), [
    ("label_values(pipeline_runs_total, pipeline)", "billing"),
    ("label_values(pipeline)", "billing"),
    ("label_names()", "__name__"),
    ("metrics(_runs_)", "pipeline_runs_total"),
    ('query_result(pipeline_runs_total)', 'pipeline_runs_total{pipeline="orders",status="success",job="data-pipeline"} 1 1700000000500'),
    ({"query": "label_values(pipeline_runs_total, pipeline)", "refId": "PrometheusVariableQueryEditor-VariableQuery"},
     "billing"),
])
def test_an_unsaved_query_variable_is_run_and_takes_its_first_option(tmp_path, query, first):
    got = values(dashboard(tmp_path, [query_variable(query)]))["pipeline"]
    assert got.values == (first,), got


def test_a_query_variable_is_never_pasted_into_promql(tmp_path):
    board = dashboard(tmp_path, [query_variable("label_values(pipeline_runs_total, pipeline)")])
    api = PrometheusApi()
    panel = board.panels[0]
    result = run_target(api, board, panel, panel.targets[0], None, tuple(values(board, api).values()))
    assert api.sent == ['sum(rate(pipeline_runs_total{pipeline=~"billing"}[5m]))'], api.sent
    assert result.error is None and result.variables, result


def test_a_saved_value_that_is_still_an_option_is_kept_else_the_first(tmp_path):
    saved = query_variable("label_values(pipeline)", current={"text": "orders", "value": "orders"})
    assert values(dashboard(tmp_path, [saved]))["pipeline"].values == ("orders",)
    gone = query_variable("label_values(pipeline)", current={"text": "retired", "value": "retired"})
    assert values(dashboard(tmp_path, [gone]))["pipeline"].values == ("billing",)


def test_include_all_selects_all_as_the_all_value_or_every_option(tmp_path):
    everything = values(dashboard(tmp_path, [query_variable("label_values(pipeline)", includeAll=True)]))["pipeline"]
    assert interpolate('x{p=~"$pipeline"}', QueryContext(3600, 0, 15, variables=(everything,))) == 'x{p=~"(billing|orders)"}'
    custom = values(dashboard(tmp_path, [query_variable("label_values(pipeline)", includeAll=True, allValue=".*")]))
    assert interpolate('x{p=~"$pipeline"}', QueryContext(3600, 0, 15, variables=(custom["pipeline"],))) == 'x{p=~".*"}'


def test_regex_and_sort_shape_the_options(tmp_path):
    variable = query_variable("query_result(pipeline_runs_total)", regex='/pipeline="(?<value>[^"]+)"/', sort=2)
    assert values(dashboard(tmp_path, [variable]))["pipeline"].values == ("orders",)


def test_custom_constant_textbox_and_interval_variables(tmp_path):
    board = dashboard(tmp_path, [
        {"name": "env", "type": "custom", "query": "Production : prod, staging", "multi": True,
         "current": {"value": ["prod", "staging"]}},
        {"name": "team", "type": "constant", "query": "data"},
        {"name": "filter", "type": "textbox", "query": "orders"},
        {"name": "step", "type": "interval", "query": "1m,5m", "auto": True, "auto_count": 30, "auto_min": "10s"},
    ])
    got = values(board)
    assert got["env"].values == ("prod", "staging")
    assert (got["team"].values, got["filter"].values, got["step"].values) == (("data",), ("orders",), ("2m",))
    context = QueryContext(3600, 0, 15, variables=tuple(got.values()))
    assert interpolate("a=${env:csv} b=${env:pipe} c=[[env]] d=${env:regex} e=$team[$step]", context) == (
        "a=prod,staging b=prod|staging c=(prod|staging) d=(prod|staging) e=data[2m]")


def test_a_chained_variable_sees_the_one_before_it(tmp_path):
    board = dashboard(tmp_path, [
        {"name": "prefix", "type": "custom", "query": "api_, pipeline_"},
        {"name": "metric", "type": "query", "query": "metrics(^$prefix)", "refresh": 1},
    ])
    assert values(board)["metric"].values == ("api_requests_total",)


def test_a_refused_variable_query_carries_prometheus_s_own_words(tmp_path):
    class Refusing(PrometheusApi):
        def _get(self, path, **params):
            response = requests.Response()
            response.status_code = 400
            response._content = b'{"status":"error","errorType":"bad_data","error":"invalid parameter \\"match[]\\""}'
            raise requests.HTTPError("400 Client Error: Bad Request for url: http://x", response=response)

    got = values(dashboard(tmp_path, [query_variable("label_values(up{, job)")]), Refusing())["pipeline"]
    assert got.error and 'bad_data: invalid parameter "match[]"' in got.error, got


def test_a_refused_query_reports_prometheus_s_error_not_the_url(tmp_path):
    board = dashboard(tmp_path, [], panels=[{"id": 1, "title": "Bad", "type": "stat",
                                             "targets": [{"refId": "A", "expr": "label_values(up, job)"}]}])
    panel = board.panels[0]
    result = run_target(PrometheusApi(), board, panel, panel.targets[0], None)
    assert result.error == "400 bad_data: 1:1: parse error: unexpected identifier", result.error
    assert refusal(ValueError("plain")) == "ValueError: plain"


def test_undefined_variables_are_named_and_grafana_s_own_are_not(tmp_path):
    board = dashboard(tmp_path, [query_variable("label_values(pipeline)")])
    expr = 'label_replace(rate(x{p="$pipeline",e="${env}"}[$__rate_interval]), "a", "$1", "b", "(.*)")'
    assert undefined(expr, board.variables) == ["env"]


PROMETHEUS = [Datasource("Prometheus", "prom-uid", "prometheus", True, "15s"),
              Datasource("Loki", "loki-uid", "loki", False, "15s")]


@pytest.mark.parametrize("reference", ["${datasource}", "$datasource", "[[datasource]]",
                                       {"type": "prometheus", "uid": "${datasource}"}])
def test_a_datasource_variable_resolves_to_the_datasource_of_its_type(tmp_path, reference):
    board = dashboard(tmp_path, [{"name": "datasource", "type": "datasource", "query": "prometheus"}])
    assert resolve_datasource(reference, PROMETHEUS, board) == PROMETHEUS[0]


def test_an_exported_dashboard_s_inputs_resolve_only_through_a_variable(tmp_path):
    inputs = [{"name": "DS_PROMETHEUS", "type": "datasource", "pluginId": "prometheus"}]
    with_variable = dashboard(tmp_path, [{"name": "DS_PROMETHEUS", "type": "datasource", "query": "prometheus",
                                          "current": {"text": "Prometheus", "value": "prom-uid"}}], __inputs=inputs)
    assert resolve_datasource({"uid": "${DS_PROMETHEUS}"}, PROMETHEUS, with_variable) == PROMETHEUS[0]
    inputs_only = dashboard(tmp_path, [], __inputs=inputs)
    assert resolve_datasource({"uid": "${DS_PROMETHEUS}"}, PROMETHEUS, inputs_only) is None
    assert "grafana/grafana#10786" in unresolved_reason({"uid": "${DS_PROMETHEUS}"}, inputs_only)


def test_panels_sharing_a_title_are_told_apart_by_id_rows_included(tmp_path):
    twin = {"type": "stat", "title": "Twin", "targets": [{"refId": "A", "expr": "up"}]}
    board = dashboard(tmp_path, [], panels=[
        {**twin, "id": 1},
        {"id": 2, "type": "row", "title": "More", "collapsed": True, "panels": [{**twin, "id": 3}]},
        {"id": 4, "type": "stat", "title": "Alone", "targets": [{"refId": "A", "expr": "up"}]},
    ])
    assert [p.id for p in board.panels] == ["Pipelines/Twin (id 1)", "Pipelines/Twin (id 3)", "Pipelines/Alone"]
    text = (tmp_path / "pipelines.json").read_text().splitlines()
    assert [text[p.line - 1].strip() for p in board.panels] == ['"title": "Twin",', '"title": "Twin",', '"title": "Alone",']
    assert board.panels[0].line != board.panels[1].line


@pytest.mark.parametrize(("refresh", "static"), [(0, ("orders",)), (1, ("__unresolved_pipeline",)),
                                                 (2, ("__unresolved_pipeline",))])
def test_statically_a_saved_value_stands_only_where_grafana_never_refreshes_the_variable(tmp_path, refresh, static):
    """Refreshed on load, a query variable's saved value holds only where the live data still offers
    it (kube-prometheus's Grafana Overview saves job 'default/grafana'): statically it is unknown."""
    board = dashboard(tmp_path, [query_variable("label_values(pipeline_runs_total, pipeline)", refresh=refresh,
                                                current={"text": "orders", "value": "orders"})])
    (got,) = dashboard_variables(board, None, 0)
    assert got.values == static, got
