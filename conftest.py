"""Loads the conformance harness as a pytest plugin for the suites and the harness's own tests."""

pytest_plugins = ["fixtures.parallel", "fixtures.plugin", "fixtures.logs.plugin", "fixtures.traces.plugin"]
