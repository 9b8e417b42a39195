"""The log pipeline's files, before anything starts: what the compose file mounts exists, every
pipeline service has its configuration, and the index template maps the events' fields."""

import difflib
import re

import pytest

from fixtures.checks import at, expect, expect_no_defects, fail_config, named, not_applicable
from fixtures.logs.compose_file import undefined_services
from fixtures.logs.delivery import LoggingCodeError, logged_lines
from fixtures.logs.shipper_config import shipper_files, structure_errors
from fixtures.model.configfiles import load_json, shared_config
from fixtures.model.stackfiles import ConfigError, SourceLine, read_text
from fixtures.references import mounted_files, unmatched_indices, unread_log_dir
from fixtures.semantics.search_store import (
    ANALYSED_TYPES,
    mapped_type,
    misfit_field_types,
    unfit_dates,
    unfit_values,
    unknown_field_types,
)
from fixtures.subjects import log_services
from fixtures.validation import require_valid

pytestmark = pytest.mark.stack_section("logs", what="the log pipeline")


@pytest.mark.conformance(component="logs", check="compose mount exists", phase="static", subject_kind="compose_mount")
def test_compose_mount_exists(compose_mount, stack):
    service, source, path, line = compose_mount
    compose = stack.path(stack.manifest["logs"]["compose"])
    # Judged before anything is looked at there: nothing outside the stack folder is read.
    expect(stack.inside(path), (
        f"{compose}:{line}: service '{service}' mounts {source}, which is outside the stack folder: the pipeline "
        "depends on a file the stack does not hold (and the harness reads nothing outside it)\n"
        f"    {SourceLine(compose, line).text.strip()}"
    ), at(compose, line))
    expect(path.exists(), (
        f"{compose}:{line}: service '{service}' mounts {source}, which does not exist "
        f"({stack.relative(path)}): the service starts without the configuration it is given\n"
        f"    {SourceLine(compose, line).text.strip()}"
    ), at(compose, line))


@pytest.mark.conformance(component="logs", check="compose services defined", subject="logs.compose", phase="static")
def test_compose_services_defined(log_settings, validation):
    """A service the compose file's services depend on (or link to) that it does not define: docker
    compose refuses the whole file, and no service of the pipeline starts."""
    if log_settings.compose is None:
        not_applicable("the manifest names no compose file for the log pipeline (logs.compose)")
    require_valid(validation, log_settings.compose)
    expect_no_defects(undefined_services(log_settings.compose, shared_config(log_settings.compose)))


@pytest.mark.conformance(component="logs", check="configuration present", phase="static", subject_kind="log_service")
def test_log_service_configuration_present(log_service, stack):
    service = stack.services[log_service]
    missing = [stack.relative(m.source) for m in service.mounts if not m.source.exists()]
    expect(not missing, (
        f"{stack.manifest_path}: log pipeline service '{log_service}' is given {', '.join(missing)}, "
        f"which the stack does not have"
    ), at(stack.manifest_path))


@pytest.mark.conformance(component="logs", check="index template maps the events", phase="static")
def test_index_template(log_settings, validation):
    path = log_settings.index_template
    expect(path.exists(), f"{path}: the index template the manifest names does not exist, so the store "
                          "guesses every field's type from the first event it sees (a timestamp may stay text)",
           at(path))
    # A file that does not parse (the template, the contract naming the fields) is its own finding (file valid).
    require_valid(validation, path, log_settings.contract_path)
    try:
        template = load_json(path)
    except ConfigError as exc:
        fail_config(exc)
    patterns = template.get("index_patterns") or []
    where = at(path, _line_of(path, '"index_patterns"'))
    expect(log_settings.index_pattern in patterns, (
        f"{named(where)}: index_patterns {patterns} do not include {log_settings.index_pattern}, "
        "the indices the events are shipped to"
    ), where)
    properties = ((template.get("template") or {}).get("mappings") or {}).get("properties") or {}
    unmapped = [name for name in log_settings.contract.standard_fields if name not in properties]
    where = at(path, _line_of(path, '"properties"'))
    expect(not unmapped, f"{named(where)}: the standard fields {unmapped} have no mapping", where)
    kind = properties["timestamp"].get("type")
    expect(kind == "date", f"{path}: timestamp is mapped as {kind!r}, expected 'date'", at(path, _line_of(path, '"timestamp"')))


def _line_of(path, text: str) -> int | None:
    lines = read_text(path).splitlines()
    return next((number for number, line in enumerate(lines, 1) if text in line), None)


@pytest.mark.conformance(component="logs", check="index template field types known", phase="static")
def test_index_template_types(log_settings, validation):
    path = log_settings.index_template
    if not path.exists():
        not_applicable(f"{path} does not exist (see 'index template maps the events')")
    require_valid(validation, path)
    expect_no_defects(unknown_field_types(path, load_json(path)))


@pytest.mark.conformance(component="logs", check="shipper configuration reads", subject="log pipeline",
                         phase="static")
def test_shipper_configuration_reads(stack):
    """A shipper whose configuration does not read ships nothing: found here, before any container
    (rsyslogd -N1 checks it again in the image when the shipper starts)."""
    files = [found for name in log_services(stack) for mount in stack.services[name].mounts
             for found in shipper_files(name, mount.source)]
    if not files:
        not_applicable("no shipper of the log pipeline is given a configuration in a language read here "
                       "(rsyslog.conf, a Logstash pipeline); a YAML or JSON one is read by 'file valid'")
    expect_no_defects([error for path, rsyslog in files for error in structure_errors(path, rsyslog)])


@pytest.mark.conformance(component="logs", check="pipeline names services", subject="logs.pipeline", phase="static")
def test_pipeline_names_services(stack):
    """A pipeline or store name that is no service of the manifest would silently drop out of the
    live pipeline (and every check of it)."""
    logs, services = stack.manifest["logs"], stack.services
    named = [(str(name), logs.line_of_item("pipeline", index)) for index, name in enumerate(logs.get("pipeline") or [])]
    named += [(str(logs["store"]), logs.line_of("store"))] if logs.get("store") is not None else []
    unknown = [ConfigError(stack.manifest_path, line, (
        f"logs names service '{name}', which the manifest's services do not have (services: {sorted(services)}): it "
        "would drop out of the pipeline unreported"), SourceLine(stack.manifest_path, line).text)
        for name, line in named if name not in services]
    expect_no_defects(unknown)


@pytest.mark.conformance(component="logs", check="shippers read the application's log and write the index pattern",
                         subject="log pipeline", phase="static")
def test_shippers_match_the_manifest(log_settings, stack):
    """A shipper that reads no file in application_log_dir ships nothing the application logs; one
    writing an index the index_pattern does not match writes where nothing searches."""
    pipeline = log_settings.pipeline
    expect_no_defects([*unread_log_dir(stack, pipeline, log_settings.application_log_dir),
                       *unmatched_indices(stack, pipeline, log_settings.index_pattern)])


@pytest.mark.conformance(component="logs", check="searchable field is logged", phase="static",
                         subject_kind="log_field")
def test_searchable_field_logged(log_field, log_settings, validation):
    """A field the contract says events are searchable by that no declared event carries (a
    misspelling), or that the index template maps as analysed text: its live search check could
    only find nothing."""
    contract = log_settings.contract
    carried = {*contract.standard_fields, *(name for event in contract.declared for name in event.fields)}
    document = shared_config(contract.path)
    line = document.line_of_item("searchable_by", list(contract.searchable_by).index(log_field))
    if log_field in carried:
        _expect_term_searchable(log_field, log_settings, validation, line)
        return
    near = difflib.get_close_matches(log_field, sorted(carried), n=1)
    fail_config(ConfigError(contract.path, line, (
        f"searchable_by names field '{log_field}', which no event of the contract carries (their fields: "
        f"{sorted(carried)}){f'; did you mean {near[0]!r}?' if near else ''}: nothing can be searched by it"),
        SourceLine(contract.path, line).text))


def _expect_term_searchable(log_field: str, log_settings, validation, line: int) -> None:
    """The index template maps a searchable field (at ``line`` of the contract) as a type a term
    query finds whole values in."""
    path = log_settings.index_template
    if not path.exists() or validation.of(path):
        return  # 'index template maps the events' and 'file valid' say why
    kind = mapped_type(load_json(path), log_field)
    if kind in ANALYSED_TYPES:
        mapped_at = _line_of(path, f'"{log_field}"')
        contract = log_settings.contract_path
        fail_config(ConfigError(contract, line, (
            f"searchable_by names field '{log_field}', which the index template maps as {kind} "
            f"({path.name}:{mapped_at}): the store splits its values into words, so a term "
            "query on a whole value finds nothing; map it as keyword (or search its keyword sub-field)"),
            SourceLine(contract, line).text))


@pytest.mark.conformance(component="logs", check="index template types fit the events", subject="index template",
                         phase="static")
def test_index_template_fits_the_events(log_settings, validation):
    path = log_settings.index_template
    if not path.exists():
        not_applicable(f"{path} does not exist (see 'index template maps the events')")
    require_valid(validation, path, log_settings.contract_path)
    template = load_json(path)
    expect_no_defects(unfit_values(path, template, log_settings.contract_path, shared_config(log_settings.contract_path))
                      + misfit_field_types(path, template, log_settings.contract.declared)
                      + unfit_dates(path, template, _logged_if_dated(log_settings, template)))


def _logged_if_dated(log_settings, template) -> list[dict]:
    """What the stack's logger writes, where the template gives a date field a format those values
    must fit (the store's default format reads any ISO time); a logger that fails is the live
    checks' finding (its code's file and line), and leaves nothing to judge here."""
    text = read_text(log_settings.index_template)
    if not re.search(r'"format"\s*:', text):
        return []
    try:
        return logged_lines(log_settings)
    except LoggingCodeError:
        return []


@pytest.mark.conformance(component="logs", check="bad-input flag set by a shipper", subject="logs.bad_input",
                         phase="static")
def test_bad_input_flag_set(stack, log_settings):
    """The field the manifest says a flagged bad input carries is one a shipper of the pipeline
    writes (rsyslog's ``set $!flag``, Logstash's ``add_field``...): a flag no configuration names
    is never set, and the live check could only find it missing."""
    flagged = {case: spec.flag for case, spec in log_settings.bad_input.items() if spec.handling == "flagged"}
    if not flagged:
        not_applicable("the manifest flags no bad input (logs.bad_input: handling flagged)")
    files = [path for name in log_services(stack) for path in mounted_files(stack.services[name])]
    if not files:
        not_applicable("no service of the log pipeline is given a configuration to read the flag in")
    texts = []
    for path in files:
        try:
            texts.append(read_text(path))
        except ConfigError:
            continue  # not a text file it could be named in: the file's own finding
    written = "\n".join(line for text in texts for line in text.splitlines() if not line.lstrip().startswith(("#", "//")))
    cases = stack.manifest["logs"]["bad_input"]
    unset = [ConfigError(stack.manifest_path, cases[case].line_of("flag"), (
        f"logs.bad_input.{case}: flag {flag!r} is named by no configuration of the log pipeline's services "
        f"({', '.join(sorted({stack.relative(p) for p in files}))}): no shipper sets it, so a flagged event "
        "never carries it"), SourceLine(stack.manifest_path, cases[case].line_of("flag")).text)
        for case, flag in flagged.items() if not re.search(rf"(?<![\w.]){re.escape(flag)}(?!\w)", written)]
    expect_no_defects(unset)
