"""Loads the conformance harness as a pytest plugin for the suites and the harness's own tests."""

# fixtures.progress first: fixtures.polling, which the others import, imports it too.
pytest_plugins = ["fixtures.progress", "fixtures.parallel", "fixtures.shards", "fixtures.plugin", "fixtures.logs.plugin",
                  "fixtures.traces.plugin"]
