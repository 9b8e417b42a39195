"""Jaeger's configuration, checked by Jaeger itself (``jaeger validate``) before anything starts."""

import pytest

from fixtures.checks import expect
from fixtures.services import jaeger
from fixtures.tools import ToolMissing, jaeger_validate


@pytest.mark.conformance(component="traces", check="jaeger validate", subject="jaeger config")
def test_jaeger_config_validates(stack):
    if stack.tracing is None:
        pytest.skip(f"{stack.manifest_path} declares no tracing")
    service = stack.tracing.jaeger
    path = jaeger.config_path(service)
    expect(path is not None and path.is_file(), (
        f"{stack.manifest_path}: the jaeger service's command {list(service.command or [])} names no "
        f"--config file that its mounts {[(str(m.source), m.target) for m in service.mounts]} provide"
    ))
    try:
        result = jaeger_validate(jaeger.BINARY, path)
    except ToolMissing as exc:
        pytest.fail(str(exc), pytrace=False)
    errors = [line for line in result.output.splitlines() if "application version" not in line]
    expect(result.ok, f"{path}: Jaeger rejects the configuration:\n" + "\n".join(errors))
