"""Secrets: found in every secret-bearing place of a stack (fixtures/secrets.py), replaced by a
placeholder naming that place everywhere a run writes (reports/redaction.py)."""

import json
from dataclasses import dataclass

from fixtures.model.stack import Stack
from fixtures.secrets import stack_secrets
from reports import WRITERS
from reports.model import CheckResult, RunResults
from reports.redaction import Redactor
from tests.canaries import leaks, plant, plant_every_kind
from tests.layout import REFERENCE_STACK


@dataclass(frozen=True)
class Secret:
    value: str
    where: str


def test_a_secret_becomes_a_placeholder_naming_where_it_was():
    redactor = Redactor([Secret("s3cr3t-token", "alertmanager.yml receivers[1].slack_configs[0].api_url")])
    assert redactor.text("POST https://hooks/s3cr3t-token failed") == (
        "POST https://hooks/[redacted: alertmanager.yml receivers[1].slack_configs[0].api_url] failed")


def test_the_longer_of_two_overlapping_secrets_is_replaced_whole():
    redactor = Redactor([Secret("abc", "short"), Secret("abcdef", "long")])
    assert redactor.text("abcdef abc") == "[redacted: long] [redacted: short]"


def test_a_secret_is_found_as_json_and_repr_escape_it():
    redactor = Redactor([Secret('Xq"z\\w9', "password")])
    assert "Xq" not in redactor.text(json.dumps({"p": 'Xq"z\\w9'}) + repr('Xq"z\\w9'))


def test_nested_values_and_whole_results_are_redacted():
    redactor = Redactor([Secret("hunter22", "smtp_auth_password")])
    results = RunResults(stack="s", stack_name="n", profile="local", started="t", notes=["auth hunter22 refused"])
    results.checks.append(CheckResult("alertmanager", "x", "c", "failed", "MUST", "login hunter22", "n",
                                      evidence={"hunter22": ["sent hunter22"]},
                                      location={"file": "a.yml", "line": 3, "text": "password: hunter22"}))
    redacted = redactor.redact(results)
    assert "hunter22" not in json.dumps(redacted.to_dict())
    assert redacted.checks[0].location["text"] == "password: [redacted: smtp_auth_password]"
    assert "hunter22" in json.dumps(results.to_dict()), "redaction must return copies, not edit in place"


def test_the_reference_stacks_slack_webhook_is_read_through_its_mount():
    found = {s.where: s.value for s in stack_secrets(Stack.load(REFERENCE_STACK))}
    slack = found["alertmanager/alertmanager.yml receivers[1].slack_configs[0].api_url_file"]
    assert slack.startswith("https://hooks.slack.com/services/"), found


def test_every_planted_canary_is_found(tmp_path):
    canaries = plant(tmp_path / "stack")
    found = [s.value for s in stack_secrets(Stack.load(tmp_path / "stack"))]
    missed = {place: canary for place, canary in canaries.items() if not any(canary in value for value in found)}
    assert not missed, f"secrets the stack walk does not find: {missed}"


def test_a_secret_in_a_file_that_does_not_parse_is_still_found(tmp_path):
    canaries = plant(tmp_path / "stack")
    config = tmp_path / "stack" / "alertmanager" / "alertmanager.yml"
    text = config.read_text()
    config.write_text(text.replace(f"smtp_auth_password: '{canaries['smtp_auth_password']}'",
                                   f"smtp_auth_password: '{canaries['smtp_auth_password']}: typo"))
    found = {s.value: s.where for s in stack_secrets(Stack.load(tmp_path / "stack"))}
    where = [w for value, w in found.items() if canaries["smtp_auth_password"] in value]
    assert where and where[0].startswith("alertmanager/alertmanager.yml line "), found


def _written_with(redactor: Redactor, values: list[str], directory) -> None:
    """A run whose every check quotes a secret as written, in its subject, message and evidence."""
    results = RunResults(stack="s", stack_name="n", profile="local", started="t")
    results.checks = [CheckResult("alertmanager", value, "login", "failed", "MUST", f"refused {value}",
                                  f"suites/test_x.py::test_login[{index}]", evidence={"sent": value})
                      for index, value in enumerate(values)]
    directory.mkdir()
    for writer in WRITERS:
        writer(redactor.redact(results), directory)


def test_the_leak_search_catches_canaries_when_redaction_is_off_and_none_when_on(tmp_path):
    canaries = plant(tmp_path / "stack")
    secrets = stack_secrets(Stack.load(tmp_path / "stack"))
    values = [s.value for s in secrets]
    _written_with(Redactor([]), values, tmp_path / "off")
    leaked = leaks(canaries, tmp_path / "off")
    assert len(leaked) == len(canaries) * len(WRITERS), \
        f"without redaction every canary must show in every file, or the search would miss a leak: {leaked}"
    _written_with(Redactor(secrets), values, tmp_path / "on")
    assert leaks(canaries, tmp_path / "on") == []


def _missed(canaries: dict[str, str], stack_dir) -> dict[str, str]:
    found = [s.value for s in stack_secrets(Stack.load(stack_dir))]
    return {place: canary for place, canary in canaries.items() if not any(canary in value for value in found)}


def test_every_kind_of_secret_field_of_the_three_components_is_found(tmp_path):
    canaries = plant_every_kind(tmp_path / "stack")
    assert not _missed(canaries, tmp_path / "stack"), "secret fields the schema walk does not know"


def test_every_kind_is_still_found_when_its_file_does_not_parse(tmp_path):
    canaries = plant_every_kind(tmp_path / "stack")
    for relative in ("alertmanager/alertmanager.yml", "prometheus/prometheus.yml"):
        config = tmp_path / "stack" / relative
        config.write_text(config.read_text() + "\nbroken: 'quote left open\n")
    assert not _missed(canaries, tmp_path / "stack"), "secret fields the line-by-line scan does not find"


def test_secrets_of_a_file_that_does_not_parse_are_found_in_its_raw_text(tmp_path):
    """No structure to rely on: a flow mapping on one line, a value on the line after its key,
    every value of a mapping the schema calls secret, the token-bearing parts of a secret URL."""
    plant(tmp_path / "stack")
    config = tmp_path / "stack" / "alertmanager" / "alertmanager.yml"
    text = config.read_text()
    config.write_text(text.replace("receivers:\n", (
        "receivers:\n"
        "  - name: raw\n"
        "    webhook_configs:\n"
        "      - url: 'http://h0sttok3n.hooks.example:5000/alerts/PathT0ken123'\n"
        "        http_config:\n"
        "          basic_auth: {username: u, password: FlowPassw0rd}\n"
        "          proxy_connect_header: {Authorization: [Bearer HeaderT0ken]}\n"
        "          authorization:\n"
        "            credentials:\n"
        "              NextLineS3cret\n"), 1) + "\nbroken: 'quote left open\n")
    found = {s.value for s in stack_secrets(Stack.load(tmp_path / "stack"))}
    wanted = {"FlowPassw0rd", "Bearer HeaderT0ken", "NextLineS3cret", "h0sttok3n", "PathT0ken123"}
    assert wanted <= found, f"not found: {wanted - found}"
    assert "webhook-service" not in found and "alerts" not in found, "an ordinary word is not a secret"


def test_the_token_bearing_parts_of_a_parsed_secret_url_are_secrets_too(tmp_path):
    plant(tmp_path / "stack")
    config = tmp_path / "stack" / "alertmanager" / "alertmanager.yml"
    config.write_text(config.read_text().replace("receivers:\n", "receivers:\n  - name: tokens\n    webhook_configs:\n"
                                                 "      - url: 'http://h0sttok3n.hooks.example:5000/alerts/PathT0ken123'\n"))
    found = {s.value: s.where for s in stack_secrets(Stack.load(tmp_path / "stack"))}
    assert {"h0sttok3n", "PathT0ken123"} <= set(found), found
    assert found["h0sttok3n"].endswith("receivers[0].webhook_configs[0].url (part of the URL)"), found["h0sttok3n"]


def test_the_secrets_of_a_kubernetes_secret_are_found_in_its_config_and_its_values(tmp_path):
    """Alertmanager's configuration kept in a Secret (stringData, or base64 data): its fields are
    walked by Alertmanager's schema, and a value that is no configuration is a secret whole."""
    import base64

    plant(tmp_path / "stack")
    config = "receivers:\n  - name: r\n    webhook_configs:\n      - url: http://hooks.example/StringDataT0ken9\n"
    encoded = base64.b64encode(b"global:\n  smtp_auth_password: DataPassw0rd7\n").decode()
    write = tmp_path / "stack" / "alertmanager" / "secret.yaml"
    write.write_text("apiVersion: v1\nkind: Secret\nmetadata: {name: alertmanager}\nstringData:\n"
                     "  alertmanager.yaml: |\n" + "".join(f"    {line}\n" for line in config.splitlines())
                     + f"  token: PlainT0kenValue\ndata:\n  other.yaml: {encoded}\n")
    found = {s.value: s.where for s in stack_secrets(Stack.load(tmp_path / "stack"))}
    assert "StringDataT0ken9" in found and "DataPassw0rd7" in found and "PlainT0kenValue" in found, found
    assert "r" not in found and "receivers:" not in found
