"""The log harness's own parts: the manifest's logs section, and running a logger module the way
the suites run the stack's (failures named by file and line, output as the application writes it)."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from fixtures.logs.delivery import LoggingCodeError, emit, event, raw_line
from fixtures.logs.settings import LogSettings
from fixtures.model.stack import Stack
from fixtures.model.stackfiles import ConfigError
from fixtures.services import rsyslog

GOOD_LOGGER = '''
import json, logging, sys

class StructuredLogger:
    def __init__(self, name):
        self.logger = logging.getLogger(name)
        self.logger.setLevel(logging.INFO)
        if not self.logger.handlers:
            handler = logging.StreamHandler()
            handler.setFormatter(logging.Formatter("%(message)s"))
            self.logger.addHandler(handler)

    def info(self, message, **fields):
        self.logger.info(json.dumps({"message": message, **fields}))
'''


def test_an_unknown_bad_input_handling_names_the_manifest_line(broken_stack):
    stack_dir = broken_stack("manifest.yml", "oversize: {handling: kept}", "oversize: {handling: truncated}")
    with pytest.raises(ConfigError) as raised:
        LogSettings.of(Stack.load(stack_dir))
    assert "handling 'truncated' is not one of kept, flagged, dropped" in str(raised.value)
    assert raised.value.path == stack_dir.resolve() / "manifest.yml" and raised.value.line, raised.value.location


def test_the_reference_log_settings(reference_stack):
    settings = LogSettings.of(reference_stack)
    assert settings.store == "elasticsearch" and "rsyslog" in settings.pipeline
    assert settings.bad_input["non_json"].flag == "parse_failed"
    assert settings.logger_module.name == "logging_config.py"


def _settings_for(reference_stack, module) -> LogSettings:
    return replace(LogSettings.of(reference_stack), logger_module=module)


def test_a_logger_that_raises_is_named_by_file_and_line(tmp_path, reference_stack):
    module = tmp_path / "broken_logging.py"
    module.write_text("class StructuredLogger:\n    def __init__(self, name):\n        raise ValueError('no handler')\n")
    with pytest.raises(LoggingCodeError) as raised:
        emit(_settings_for(reference_stack, module), tmp_path / "app.log", [event("info", "hello", run_id="r1")])
    message = str(raised.value)
    assert f"{module}:3" in message and "ValueError: no handler" in message, message
    assert "constructing StructuredLogger('analytics.pipeline')" in message, message


def test_a_missing_level_method_is_a_failure_not_a_silent_loss(tmp_path, reference_stack):
    module = tmp_path / "logging_config.py"
    module.write_text(GOOD_LOGGER)
    with pytest.raises(LoggingCodeError, match=r"has no method critical\(\)"):
        emit(_settings_for(reference_stack, module), tmp_path / "app.log", [event("critical", "boom", run_id="r1")])


def test_events_and_raw_lines_are_written_as_the_application_writes_them(tmp_path, reference_stack):
    module = tmp_path / "logging_config.py"
    module.write_text(GOOD_LOGGER)
    log_file = tmp_path / "app.log"
    planned = emit(_settings_for(reference_stack, module), log_file,
                   [event("info", "Pipeline started", run_id="r1"), raw_line("not json")])
    lines = log_file.read_text().splitlines()
    assert json.loads(lines[0])["event_id"] == planned[0].event_id and lines[1] == "not json", lines
    assert all(p.emitted_at for p in planned), planned


def test_rsyslog_check_output_is_read_for_errors_and_version():
    output = ("rsyslogd: version 8.2302.0, config validation run (level 1), master config /etc/rsyslog.conf\n"
              "rsyslogd: error during parsing file /etc/rsyslog.conf, on or before line 12: syntax error")
    assert rsyslog.version(output) == "rsyslog 8.2302.0"
    assert rsyslog.check_problems(output) == [output.splitlines()[1]]


def test_delivery_counts_each_event_not_the_total():
    """One event lost and another stored twice: the total is right, the delivery is not."""
    from fixtures.logs.delivery import compare

    expected = list(range(10))
    found = [0, 1, 2, 3, 3, 5, 6, 7, 8, 9]  # 4 lost, 3 twice: still ten documents
    delivery = compare(expected, found)
    assert len(found) == len(expected) and not delivery.intact
    assert delivery.lost == (4,) and delivery.duplicated == {3: 2}, delivery
    assert "9 of 10 arrived, 1 lost" in delivery.describe() and "1 duplicated, 1 extra" in delivery.describe()
    assert compare(expected, list(expected)).intact


def test_delivery_counts_events_indexed_out_of_order():
    from fixtures.logs.delivery import compare

    assert compare(["a", "b", "c", "d"], ["a", "c", "b", "d"], ordered=True).reordered == 1
    assert compare(["a", "b", "c"], ["a", "b", "c", "b"], ordered=True).reordered == 0  # a late duplicate only
    assert compare(["a", "b"], ["b", "a"]).reordered is None  # the order the store indexed in is not known


def test_two_events_of_one_kind_in_one_run_are_followed_apart():
    """The store's answer for a run's events: a lost second event of the same kind is lost,
    though its run id arrived (with the first)."""
    from fixtures.logs.delivery import Arrivals, Planned

    first, second = Planned({"fields": {"event_id": "e1", "run_id": "r"}}), Planned({"fields": {"event_id": "e2",
                                                                                             "run_id": "r"}})
    arrivals = Arrivals(hits={"e1": 1}, indexed=[("analytics-logs-1", 0, "e1")])
    delivery = arrivals.delivery([first, second])
    assert delivery.lost == ("e2",) and delivery.reordered == 0, delivery
