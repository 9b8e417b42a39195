"""Loads the conformance harness as a pytest plugin for the suites and the harness's own tests."""

# fixtures.progress first: fixtures.polling, which the others import, imports it too. fixtures.plugin
# loads its own modules and the domain packages' plugins (fixtures/plugin/__init__.py).
pytest_plugins = ["fixtures.progress", "fixtures.parallel", "fixtures.shards", "fixtures.plugin"]
