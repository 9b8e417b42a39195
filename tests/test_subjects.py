"""fixtures/subjects.py: test ids name each subject as the configuration names it; the kinds of
the domain packages (logs, traces) come through the plugin's hook, as a run registers them."""

from fixtures.declared import KINDS_KEY
from fixtures.model.stack import Stack
from fixtures.subjects import SUBJECT_KINDS


def ids(stack: Stack, kind: str, kinds=SUBJECT_KINDS) -> list[str]:
    return [param.id for param in kinds[kind](stack)]


def test_alert_rules_are_named_after_the_rules(reference_stack):
    assert ids(reference_stack, "alert_rule") == [
        "PipelineFailureRate", "PipelineDurationHigh", "DataQualityLow", "APIResponseTimeHigh",
        "DatabaseConnectionPoolExhausted", "HighCPUUsage", "HighMemoryUsage", "DiskSpaceRunningLow",
    ]


def test_a_rule_name_used_twice_is_prefixed_with_its_group(broken_stack):
    stack = Stack.load(broken_stack("prometheus/infrastructure_rules.yml", "alert: HighCPUUsage", "alert: DataQualityLow"))
    named = ids(stack, "alert_rule")
    assert "pipeline_alerts/DataQualityLow" in named and "infrastructure_alerts/DataQualityLow" in named, named
    assert "HighMemoryUsage" in named, "unique names stay bare"


def test_files_are_named_by_their_path_in_the_stack(reference_stack):
    assert ids(reference_stack, "rule_file") == ["prometheus/analytics_rules.yml", "prometheus/infrastructure_rules.yml"]
    config_files = ids(reference_stack, "config_file")
    assert "prometheus/prometheus.yml" in config_files and "manifest.yml" in config_files, config_files


def test_rule_file_entries_are_named_by_their_pattern(reference_stack):
    assert ids(reference_stack, "rule_file_entry") == ["analytics_rules.yml", "infrastructure_rules.yml"]


def test_severities_and_scrape_jobs_are_named_as_declared(reference_stack):
    assert ids(reference_stack, "severity") == ["critical", "warning", "info"]
    assert ids(reference_stack, "scrape_job") == ["analytics-api", "data-pipeline", "postgres-exporter", "node-exporter"]


def test_a_rule_file_that_does_not_parse_contributes_no_rules(broken_stack):
    # Its own parse check reports it; the other file's rules are still checked.
    stack = Stack.load(broken_stack("prometheus/analytics_rules.yml", "groups:", "groups: ["))
    assert ids(stack, "alert_rule") == ["HighCPUUsage", "HighMemoryUsage", "DiskSpaceRunningLow"]


def test_what_the_stack_s_contracts_declare_are_subjects_too(reference_stack, pytestconfig):
    kinds = pytestconfig.stash[KINDS_KEY]
    assert set(ids(reference_stack, "log_event", kinds)) == {"pipeline_started", "pipeline_finished", "pipeline_failed",
                                                             "data_quality_failed"}
    assert ids(reference_stack, "log_field", kinds) == ["pipeline_name", "run_id"]
    assert set(ids(reference_stack, "span", kinds)) == {"pipeline", "extract", "fetch", "serve", "transform", "load"}


def test_a_stack_without_a_log_contract_has_no_log_subjects(tmp_path, pytestconfig):
    (tmp_path / "manifest.yml").write_text("name: rules only\n", encoding="utf-8")
    stack = Stack.load(tmp_path)
    kinds = pytestconfig.stash[KINDS_KEY]
    assert (ids(stack, "log_event", kinds), ids(stack, "span", kinds)) == ([], [])
