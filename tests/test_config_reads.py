"""A configuration the manifest declares must be the one its service reads: an Alertmanager Secret
mounted into /etc/alertmanager while Alertmanager, started without ``--config.file``, reads
/etc/alertmanager/alertmanager.yml; a prometheus.yml of another name; Grafana's data sources outside
its provisioning folder. Each is a finding at the manifest line to change (fixtures/config_reads.py)."""

from __future__ import annotations

from pathlib import Path

import yaml

from fixtures.config_reads import unread_configs
from fixtures.model.stack import Stack
from tests.textfiles import write_text

IMAGE = {"local": "localhost/x:1", "registry": "docker.io/x:1"}


def stack_with(folder: Path, services: dict, **declared) -> Stack:
    write_text(folder / "alertmanager" / "alertmanager-secret.yaml", "route: {receiver: r}\nreceivers: [{name: r}]\n")
    write_text(folder / "prometheus" / "prom.yml", "global: {scrape_interval: 15s}\n")
    write_text(folder / "prometheus" / "prometheus.yml", "global: {scrape_interval: 30s}\n")
    write_text(folder / "grafana" / "provisioning" / "datasources" / "ds.yml", "apiVersion: 1\ndatasources: []\n")
    write_text(folder / "grafana" / "dashboards" / "d.json", "{}")
    manifest = {**declared, "services": {name: {"image": IMAGE, "port": 1000 + n, **spec}
                                         for n, (name, spec) in enumerate(services.items())}}
    write_text(folder / "manifest.yml", yaml.safe_dump(manifest, sort_keys=False))
    return Stack.load(folder)


AM_MOUNT = {"mounts": [{"source": "alertmanager", "target": "/etc/alertmanager"}]}


def test_a_secret_mounted_where_alertmanager_does_not_read_it_is_found_at_its_mount(tmp_path):
    stack = stack_with(tmp_path / "s", {"alertmanager": AM_MOUNT}, alertmanager_config="alertmanager/alertmanager-secret.yaml")
    (error,) = unread_configs(stack)
    text = (tmp_path / "s" / "manifest.yml").read_text().splitlines()
    assert "source: alertmanager" in text[error.line - 1], (error.line, text)  # the mount to change
    assert ("reads /etc/alertmanager/alertmanager.yml (the image's default: its command sets no --config.file)"
            in error.problem), error.problem
    assert "mounted at /etc/alertmanager/alertmanager-secret.yaml" in error.problem


def test_the_command_naming_the_mounted_file_agrees_and_one_naming_another_is_found_at_it(tmp_path):
    right = {**AM_MOUNT, "command": ["--config.file=/etc/alertmanager/alertmanager-secret.yaml"]}
    assert unread_configs(stack_with(tmp_path / "a", {"alertmanager": right},
                                     alertmanager_config="alertmanager/alertmanager-secret.yaml")) == []
    relative = {**AM_MOUNT, "command": ["--storage.path=/alertmanager", "--config.file", "alertmanager.yml"]}
    stack = stack_with(tmp_path / "b", {"alertmanager": relative}, alertmanager_config="alertmanager/alertmanager-secret.yaml")
    (error,) = unread_configs(stack)
    text = (tmp_path / "b" / "manifest.yml").read_text().splitlines()
    assert "--config.file" in text[error.line - 1], (error.line, text)
    assert "reads /alertmanager/alertmanager.yml (its command's --config.file), which no mount provides" in error.problem


def test_prometheus_reading_another_file_of_the_stack_is_found(tmp_path):
    """A second case: prometheus_config names prom.yml; Prometheus reads prometheus.yml beside it."""
    mounted = {"mounts": [{"source": "prometheus", "target": "/etc/prometheus"}]}
    stack = stack_with(tmp_path / "s", {"prometheus": mounted}, prometheus_config="prometheus/prom.yml")
    (error,) = unread_configs(stack)
    assert "which is prometheus/prometheus.yml of the stack" in error.problem, error.problem
    fixed = {**mounted, "command": ["--config.file=/etc/prometheus/prom.yml"]}
    assert unread_configs(stack_with(tmp_path / "t", {"prometheus": fixed}, prometheus_config="prometheus/prom.yml")) == []


def test_grafana_data_sources_outside_its_provisioning_folder_are_found(tmp_path):
    """A third: Grafana provisions data sources from $GF_PATHS_PROVISIONING/datasources only."""
    grafana = {"dashboards": "grafana/dashboards", "datasources": "grafana/provisioning/datasources"}
    elsewhere = {"mounts": [{"source": "grafana/provisioning/datasources", "target": "/etc/grafana/datasources"}]}
    (error,) = unread_configs(stack_with(tmp_path / "s", {"grafana": elsewhere}, grafana=grafana))
    assert "reads /etc/grafana/provisioning/datasources (the image's default" in error.problem, error.problem
    moved = {**elsewhere, "environment": {"GF_PATHS_PROVISIONING": "/etc/grafana"}}
    assert unread_configs(stack_with(tmp_path / "t", {"grafana": moved}, grafana=grafana)) == []
