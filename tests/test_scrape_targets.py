"""fixtures/feeders/scrape.py and the address servers: every scrape config Prometheus accepts is
served where Prometheus asks for it, and its series carry the labels Prometheus gives them."""

import requests

from fixtures.feeders.scrape import host_port, scrape_targets
from fixtures.feeders.targets import AddressServer, build_target
from fixtures.model.scrape_jobs import relabel

# Kubelet as kube-prometheus scrapes it: two scrape configs on one address, one path each, the
# job renamed by relabelling and the path kept as a label; a blackbox-style job moving the
# address into a parameter; a job dropped by relabelling.
KUBELET = {"scrape_configs": [
    {"job_name": "serviceMonitor/kubelet/0", "static_configs": [{"targets": ["kubelet:10250"]}],
     "relabel_configs": [{"target_label": "job", "replacement": "kubelet"},
                         {"source_labels": ["__metrics_path__"], "target_label": "metrics_path"}]},
    {"job_name": "serviceMonitor/kubelet/1", "metrics_path": "/metrics/cadvisor", "honor_labels": True,
     "static_configs": [{"targets": ["kubelet:10250"], "labels": {"cluster": "eu1"}}],
     "relabel_configs": [{"target_label": "job", "replacement": "kubelet"},
                         {"source_labels": ["__metrics_path__"], "target_label": "metrics_path"}]},
    {"job_name": "probe", "params": {"module": ["http_2xx"]},
     "static_configs": [{"targets": ["https://example.org"]}],
     "relabel_configs": [{"source_labels": ["__address__"], "target_label": "__param_target"},
                         {"source_labels": ["__param_target"], "target_label": "instance"},
                         {"target_label": "__address__", "replacement": "blackbox:9115"}]},
    {"job_name": "dropped", "static_configs": [{"targets": ["a:1", "b:2"]}],
     "relabel_configs": [{"source_labels": ["__address__"], "regex": "a:.*", "action": "drop"}]},
]}


def test_scrape_targets_follow_paths_params_and_relabelling():
    found = {(t.job_name, t.address): t for t in scrape_targets(KUBELET)}
    kubelet, cadvisor = found[("serviceMonitor/kubelet/0", "kubelet:10250")], found[("serviceMonitor/kubelet/1", "kubelet:10250")]
    assert (kubelet.metrics_path, cadvisor.metrics_path) == ("/metrics", "/metrics/cadvisor")
    assert kubelet.label_dict == {"job": "kubelet", "instance": "kubelet:10250", "metrics_path": "/metrics"}
    assert cadvisor.label_dict == {"job": "kubelet", "instance": "kubelet:10250", "metrics_path": "/metrics/cadvisor",
                                   "cluster": "eu1"}
    assert cadvisor.honor_labels
    probe = found[("probe", "blackbox:9115")]
    assert probe.params == (("module", ("http_2xx",)), ("target", ("https://example.org",)))
    assert probe.label_dict == {"job": "probe", "instance": "https://example.org"}
    assert [t.address for t in found.values() if t.job_name == "dropped"] == ["b:2"]
    assert probe.written == "https://example.org" and kubelet.written == "kubelet:10250"


def test_relabel_actions_as_prometheus_documents_them():
    labels = {"__address__": "db-7:9187", "__meta_role": "primary", "env": "prod"}
    assert relabel(labels, [{"source_labels": ["__address__"], "regex": "([^-]+)-(\\d+):.*",
                             "target_label": "shard", "replacement": "${1}_$2"}])["shard"] == "db_7"
    assert relabel(labels, [{"action": "keep", "source_labels": ["env"], "regex": "staging"}]) is None
    assert relabel(labels, [{"action": "labelmap", "regex": "__meta_(.+)"}])["role"] == "primary"
    assert "env" not in relabel(labels, [{"action": "labeldrop", "regex": "env"}])
    assert relabel(labels, [{"action": "lowercase", "source_labels": ["env"], "target_label": "e"},
                            {"action": "uppercase", "source_labels": ["e"], "target_label": "e"}])["e"] == "PROD"
    assert relabel(labels, [{"action": "hashmod", "source_labels": ["__address__"], "modulus": 4,
                             "target_label": "shard"}])["shard"] in {"0", "1", "2", "3"}
    assert host_port("example.org") == ("example.org", 80) and host_port("kubelet:10250") == ("kubelet", 10250)


def test_one_server_per_address_answers_each_job_on_its_own_path():
    server = AddressServer("kubelet:10250")
    targets = []
    for scrape in scrape_targets(KUBELET)[:2]:
        target = build_target(scrape.job_name, scrape.address, "generic", None, scrape)
        server.add(target)
        targets.append(target)
    port = server.serve("127.0.0.1")
    try:
        from fixtures.feeders.series import Series, Shape
        targets[0].generic.add(Series.of("kubelet_running_pods", "gauge", {}, Shape.constant(3)), 0)
        targets[1].generic.add(Series.of("container_cpu_usage_seconds_total", "counter", {}, Shape.constant(9)), 0)
        base = f"http://127.0.0.1:{port}"
        metrics, cadvisor = requests.get(f"{base}/metrics", timeout=5), requests.get(f"{base}/metrics/cadvisor", timeout=5)
        assert "kubelet_running_pods 3.0" in metrics.text and "container_cpu" not in metrics.text
        assert "container_cpu_usage_seconds_total 9.0" in cadvisor.text and "kubelet_running" not in cadvisor.text
        assert requests.get(f"{base}/other", timeout=5).status_code == 404
        targets[0].withheld = True  # a target held down answers with an error: Prometheus records up 0
        assert requests.get(f"{base}/metrics", timeout=5).status_code == 503
    finally:
        server.stop()
