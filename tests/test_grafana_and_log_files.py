"""Grafana's provisioning and dashboards, and the log pipeline's files, read as their own tools read
them (issue 25), on small files written for the purpose: each defect found at its line, and the
valid counterpart of each found nothing in."""

from __future__ import annotations

import json

import pytest

from fixtures.dashboards.evaluate import percent_scale_problem
from fixtures.logs.compose_file import undefined_services
from fixtures.logs.shipper_config import logstash_errors
from fixtures.model.configfiles import load_yaml, parse_json
from fixtures.model.dashboards import load_dashboard
from fixtures.model.stackfiles import ConfigError
from fixtures.references import rsyslog_destinations
from fixtures.semantics.grafana import unparsed_variable_queries, variable_cycles
from fixtures.semantics.grafana_provisioning import (
    datasource_file_errors,
    duplicate_datasource_uids,
    provider_file_errors,
)
from fixtures.semantics.search_store import date_pattern

DATASOURCES = ("apiVersion: 1\ndatasources:\n  - name: Prometheus\n    type: prometheus\n    uid: prom\n"
               "    access: proxy\n    url: http://prometheus:9090\n    isDefault: true\n    jsonData: {timeInterval: 15s}\n")


@pytest.mark.parametrize(("edit", "line", "words"), [
    (("datasources:", "datasource:"), 2, "did you mean 'datasources'"),
    (("isDefault", "isdefault"), 8, "key 'isdefault'"),
    (("type: prometheus", "type: Prometheus"), 4, "did you mean 'prometheus'"),
    (("access: proxy", "access: server"), 6, "not one of proxy, direct"),
    (("url: http://", "url: "), 7, "has no scheme"),
])
def test_datasource_file_defects_at_their_line(tmp_path, edit, line, words):
    path = tmp_path / "datasources.yml"
    path.write_text(DATASOURCES)
    assert datasource_file_errors(path, load_yaml(path)) == []
    path.write_text(DATASOURCES.replace(*edit))
    (found,) = datasource_file_errors(path, load_yaml(path))
    assert found.line == line and words in found.problem, found


def test_datasource_uid_repeated_across_files(tmp_path):
    first, second = tmp_path / "a.yml", tmp_path / "b.yml"
    first.write_text(DATASOURCES)
    second.write_text(DATASOURCES.replace("name: Prometheus", "name: Replica"))
    (found,) = duplicate_datasource_uids([first, second])
    assert found.path == second and found.line == 5 and "'Prometheus'" in found.problem
    second.write_text(DATASOURCES.replace("uid: prom", "uid: replica"))
    assert duplicate_datasource_uids([first, second]) == []


PROVIDERS = ("apiVersion: 1\nproviders:\n  - name: a\n    type: file\n    folderUid: x\n"
             "    options:\n      path: /var/lib/grafana/dashboards\n      foldersFromFilesStructure: true\n")


@pytest.mark.parametrize(("edit", "line", "words"), [
    (("type: file", "type: files"), 4, "type 'files' is not supported"),
    (("foldersFromFilesStructure", "foldersFromFileStructure"), 8, "did you mean 'foldersFromFilesStructure'"),
    (("providers:", "provider:"), 2, "nothing under it is provisioned"),
])
def test_provider_file_defects_at_their_line(tmp_path, edit, line, words):
    path = tmp_path / "dashboards.yml"
    path.write_text(PROVIDERS)
    assert provider_file_errors(path, load_yaml(path)) == []
    path.write_text(PROVIDERS.replace(*edit))
    (found,) = provider_file_errors(path, load_yaml(path))
    assert found.line == line and words in found.problem, found


def _dashboard(tmp_path, variables: list[dict]):
    path = tmp_path / "d.json"
    path.write_text(json.dumps({"title": "d", "templating": {"list": variables}, "panels": []}, indent=2))
    return load_dashboard(path)


SOURCE = {"type": "prometheus", "uid": "prom"}


def test_variable_cycle_at_its_first_variable(tmp_path):
    chain = [{"name": "a", "type": "query", "query": "label_values(up{b=\"$b\"}, a)"},
             {"name": "b", "type": "custom", "query": "x,y"}]
    assert variable_cycles(_dashboard(tmp_path, chain)) == []
    chain[1]["query"] = "x,${a}"
    (found,) = variable_cycles(_dashboard(tmp_path, chain))
    assert found.line == 5 and "$a -> $b -> $a" in found.problem, found


def test_variable_promql_that_does_not_parse(tmp_path):
    from fixtures.model.interpolation import QueryContext

    nominal = QueryContext(range_s=3600, end_s=0, scrape_interval_s=15, variables=())
    valid = [{"name": "p", "type": "query", "datasource": SOURCE, "query": "label_values(up{job=\"x\"}, instance)"}]
    assert unparsed_variable_queries(_dashboard(tmp_path, valid), [], nominal) == []
    valid[0]["query"] = "label_values(up{, instance)"
    (found,) = unparsed_variable_queries(_dashboard(tmp_path, valid), [], nominal)
    assert found.line == 12 and "not PromQL" in found.problem, found


@pytest.mark.parametrize(("expr", "unit", "wrong"), [
    ("100 - (avg(irate(cpu{mode='idle'}[5m])) * 100)", "percentunit", True),
    ("(1 - a / b) * 100", "percentunit", True),
    ("(1 - a / b) * 100", "percent", False),
    ("avg(a) / avg(b)", "percentunit", False),
    ("sum(a) * 100 / sum(b)", "percentunit", False),  # not known to be 0-100: not judged
])
def test_percentunit_on_a_percentage(expr, unit, wrong):
    assert (percent_scale_problem(unit, expr) is not None) == wrong


def test_nan_in_json_is_refused_at_its_line(tmp_path):
    path = tmp_path / "d.json"
    assert parse_json(path, '{"a": "NaN",\n "b": 1}') == {"a": "NaN", "b": 1}
    with pytest.raises(ConfigError) as raised:
        parse_json(path, '{"a": "NaN",\n "b": NaN}')
    assert raised.value.line == 2 and "NaN is not a JSON value" in raised.value.problem


PIPELINE = ('input {\n  beats { port => 5044 }\n}\nfilter {\n  if [a][b] =~ /x/ or "t" in [tags] {\n'
            '    mutate { add_field => { "f" => "true" } remove_field => ["a", "b"] }\n  } else if ![c] { drop {} }\n}\n'
            'output {\n  elasticsearch { hosts => ["http://es:9200"] index => "logs-%{+YYYY.MM}" manage_template => false }\n}\n')


@pytest.mark.parametrize(("edit", "line"), [
    (('["a", "b"]', '["a" "b"]'), 6),
    (("port => 5044", "port = 5044"), 2),
    (('"true" }', '"true", }'), 6),
    (("} else if", "} elsif"), 7),
])
def test_logstash_grammar_at_the_token_it_stops(tmp_path, edit, line):
    path = tmp_path / "pipeline.conf"
    path.write_text(PIPELINE)
    assert logstash_errors(path) == []
    path.write_text(PIPELINE.replace(*edit))
    (found,) = logstash_errors(path)
    assert found.line == line and "Logstash cannot read the pipeline" in found.problem, found


def test_rsyslog_destinations():
    text = ('ruleset(name="r") {\n  action(type="omelasticsearch" server=["es", "es2:9201"]\n'
            '         serverport="9300")\n  action(type="omfwd" target="ls" port="514")\n'
            '  action(type="omfile" file="/x")\n}\n')
    assert rsyslog_destinations(text) == [("es", 9300, 3), ("es2", 9201, 3), ("ls", 514, 4)]


def test_compose_names_undefined_services(tmp_path):
    path = tmp_path / "compose.yml"
    text = ("services:\n  a:\n    image: x\n  b:\n    depends_on:\n      a: {condition: service_started}\n"
            "    links: ['a:alias']\n    volumes_from: ['container:other']\n")
    path.write_text(text)
    assert undefined_services(path, load_yaml(path)) == []
    path.write_text(text.replace("links: ['a:alias']", "links: ['c:alias']"))
    (found,) = undefined_services(path, load_yaml(path))
    assert found.line == 7 and "names 'c' in links" in found.problem, found


@pytest.mark.parametrize(("written", "value", "fits"), [
    ("yyyy-MM-dd", "2026-12-08T02:05:05.123456+00:00", False),
    ("yyyy-MM-dd||strict_date_optional_time", "2026-12-08T02:05:05.123456+00:00", True),
    ("yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX", "2026-12-08T02:05:05.123456+00:00", True),
    ("strict_date_time_no_millis", "2026-12-08T02:05:05.123456+00:00", False),
    ("epoch_millis", "1765159505123", True),
])
def test_date_formats(written, value, fits):
    assert bool(date_pattern(written).fullmatch(value)) == fits
    assert date_pattern("week_date") is None  # a built-in format not judged
