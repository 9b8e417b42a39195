"""Tracing, before anything starts: Jaeger's configuration checked by Jaeger itself (``jaeger
validate``), and the stack's tracing module read for what a live run cannot show once the module
fails to import: arguments it ignores, and code it runs on import."""

import pytest

from fixtures.checks import at_rejection, expect, expect_no_defects, fail, not_applicable
from fixtures.model.configfiles import shared_config
from fixtures.model.stackfiles import ConfigError
from fixtures.semantics.jaeger import unknown_storage
from fixtures.services import jaeger_config
from fixtures.tools import ToolMissing, jaeger_validate
from fixtures.traces.source import ENTRY_POINT, code_run_at_import, unread_parameters
from fixtures.validation import require_valid

pytestmark = pytest.mark.stack_section("tracing", what="tracing into Jaeger")

# What an ignored argument of configure_tracing costs, where the harness knows it.
UNREAD_COST = {
    "service_name": "Jaeger files spans under the resource's service.name, so they would arrive as "
                    "OpenTelemetry's default 'unknown_service' and a search by the configured name finds nothing",
}


def require_tracing(stack, validation, *paths):
    if stack.tracing is None:
        pytest.skip(f"{stack.manifest_path} declares no tracing")
    require_valid(validation, *paths)
    return stack.tracing


def read(check, path):
    try:
        return check(path)
    except SyntaxError as exc:
        pytest.fail(f"{path}:{exc.lineno}: the tracing module does not parse: {exc.msg}", pytrace=False)
    except ConfigError as exc:  # not a file, outside the stack, not UTF-8: at its line where it has one
        pytest.fail(f"{exc.location}: cannot read the tracing module: {exc.problem}", pytrace=False)


@pytest.mark.conformance(component="traces", check="jaeger validate", subject="jaeger config", phase="static")
def test_jaeger_config_validates(stack, validation):
    path = jaeger_config.config_path(stack.tracing.jaeger) if stack.tracing else None
    service = require_tracing(stack, validation, *([path] if path and path.is_file() else [])).jaeger
    expect(path is not None and path.is_file(), (
        f"{stack.manifest_path}: the jaeger service's command {list(service.command or [])} names no "
        f"--config file that its mounts {[(str(m.source), m.target) for m in service.mounts]} provide"
    ))
    try:
        result = jaeger_validate(jaeger_config.BINARY, path)
    except ToolMissing as exc:
        pytest.fail(str(exc), pytrace=False)
    errors = [line for line in result.output.splitlines() if "application version" not in line]
    if not result.ok:
        where = at_rejection(path, "\n".join(errors))  # the name Jaeger quotes, found in the file
        shown = f"{path}:{where['line']}" if where.get("line") else str(path)
        fail(f"{shown}: Jaeger rejects the configuration:\n" + "\n".join(errors), where)


@pytest.mark.conformance(component="traces", check="configure_tracing uses its arguments", subject=ENTRY_POINT,
                         phase="static")
def test_configure_tracing_uses_its_arguments(stack, validation):
    path = require_tracing(stack, validation, stack.tracing.module if stack.tracing else None).module
    unread = read(unread_parameters, path)
    expect(unread is not None, f"{path}: defines no {ENTRY_POINT}(service_name, endpoint) at module level")
    expect(not unread, "; ".join(
        f"{path}:{f.line}: {ENTRY_POINT} {f.problem} (`{f.text}`)"
        + next((f": {cost}" for name, cost in UNREAD_COST.items() if f"'{name}'" in f.problem), "")
        for f in unread
    ))


@pytest.mark.conformance(component="traces", check="tracing module runs nothing at import", subject="tracing module",
                         phase="static")
def test_tracing_module_runs_nothing_at_import(stack, validation):
    path = require_tracing(stack, validation, stack.tracing.module if stack.tracing else None).module
    findings = read(code_run_at_import, path)
    configures = any(f"{ENTRY_POINT}(" in f.text for f in findings)
    expect(not findings, (
        f"{path}: importing the tracing set-up runs code: "
        + "; ".join(f"line {f.line} `{f.text}`" for f in findings)
        + (f"; {ENTRY_POINT} then runs with the module's own arguments, and OpenTelemetry keeps the first "
           "tracer provider a process sets, so the application's own call (its service name, its endpoint) "
           "is ignored" if configures else "")
        + "; keep usage examples under `if __name__ == \"__main__\":`"
    ))


@pytest.mark.conformance(component="traces", check="storage names a defined backend", subject="jaeger config",
                         phase="static")
def test_storage_names_a_backend(stack, validation):
    """The exporter and query API name their store among the jaeger_storage extension's backends:
    ``jaeger validate`` does not resolve the names, Jaeger does only when its pipelines start."""
    path = jaeger_config.config_path(stack.tracing.jaeger) if stack.tracing else None
    require_tracing(stack, validation, *([path] if path and path.is_file() else []))
    if path is None or not path.is_file():
        not_applicable("the jaeger service is given no --config file (see 'jaeger validate')")
    expect_no_defects(unknown_storage(path, shared_config(path)))
