"""Every YAML and JSON file of the stack parses."""

import pytest

from fixtures.checks import fail_config
from fixtures.configfiles import ConfigError, load_config


@pytest.mark.conformance(component="stack", check="file parses")
def test_parses(config_file):
    try:
        load_config(config_file)
    except ConfigError as exc:
        fail_config(exc)
