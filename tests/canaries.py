"""Canary secrets: unique random strings planted in every secret-bearing place of a copy of the
reference stack, and a search for them in everything a run leaves behind.

Each canary is valid where it is planted (a URL where a URL is expected), so the planted stack
still passes: a run on it exercises every path a secret could leak through.
"""

from __future__ import annotations

import re
import secrets
import shutil
from pathlib import Path

from tests.layout import REFERENCE_STACK


def _canary(kind: str) -> str:
    return f"canary{kind}{secrets.token_hex(8)}"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{path}: expected the text to plant at exactly once: {old!r}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def plant(copy: Path) -> dict[str, str]:
    """Copy the reference stack to ``copy`` with canaries planted; returns place -> canary."""
    shutil.copytree(REFERENCE_STACK, copy, ignore=lambda d, names: ["examples"] if Path(d) == REFERENCE_STACK else [])
    canaries = {name: _canary(name.replace(" ", "").replace("_", "")) for name in (
        "smtp_auth_password", "webhook url", "webhook basic_auth", "email auth_password", "slack secret file",
        "unreferenced secret file", "prometheus alertmanager basic_auth", "prometheus scrape authorization",
        "grafana secureJsonData")}
    am = copy / "alertmanager" / "alertmanager.yml"
    _edit(am, "  smtp_from: 'alerts@yourcompany.com'\n", "  smtp_from: 'alerts@yourcompany.com'\n"
          f"  smtp_auth_username: 'alerts'\n  smtp_auth_password: '{canaries['smtp_auth_password']}'\n")
    _edit(am, "      - url: 'http://webhook-service:5000/alerts'\n",
          f"      - url: 'http://webhook-service:5000/alerts/{canaries['webhook url']}'\n"
          f"        http_config:\n          basic_auth:\n            username: 'am'\n"
          f"            password: '{canaries['webhook basic_auth']}'\n")
    _edit(am, "      - to: 'on-call@yourcompany.com'\n", "      - to: 'on-call@yourcompany.com'\n"
          f"        auth_username: 'alerts'\n        auth_password: '{canaries['email auth_password']}'\n")
    (copy / "alertmanager" / "secrets" / "slack-webhook-url").write_text(
        f"https://hooks.slack.com/services/T00000000/B00000000/{canaries['slack secret file']}\n")
    (copy / "alertmanager" / "secrets" / "unused-token").write_text(canaries["unreferenced secret file"] + "\n")
    prometheus = copy / "prometheus" / "prometheus.yml"
    _edit(prometheus, "    - static_configs:\n", "    - basic_auth:\n        username: 'prometheus'\n"
          f"        password: '{canaries['prometheus alertmanager basic_auth']}'\n      static_configs:\n")
    _edit(prometheus, "  - job_name: 'node-exporter'\n", "  - job_name: 'node-exporter'\n    authorization:\n"
          f"      credentials: '{canaries['prometheus scrape authorization']}'\n")
    datasources = copy / "grafana" / "provisioning" / "datasources" / "prometheus.yml"
    _edit(datasources, "    isDefault: true\n", "    isDefault: true\n    basicAuth: true\n"
          f"    basicAuthUser: grafana\n    secureJsonData:\n      basicAuthPassword: '{canaries['grafana secureJsonData']}'\n")
    return canaries


def leaks(canaries: dict[str, str], directory: Path | None = None, **texts: str) -> list[str]:
    """Where any canary shows: in a named text (stdout...) or any file under ``directory``."""
    found = [f"{name}: {place}" for name, text in texts.items() for place, canary in canaries.items()
             if canary in text]
    for path in sorted(directory.rglob("*")) if directory else []:
        if path.is_file():
            content = path.read_bytes().decode("utf-8", errors="replace")
            found += [f"{path}: {place}" for place, canary in canaries.items() if canary in content]
    return found


# Every kind of secret field the three components declare (fixtures/secrets.py SECRET_PATHS), as
# YAML to add to a planted copy; {name} becomes that place's canary. Valid YAML, not necessarily a
# configuration the components accept: for the secret walk and static runs, not a live one.
EVERY_KIND_ALERTMANAGER_GLOBAL = """\
  smtp_auth_secret: '{global smtp_auth_secret}'
  opsgenie_api_key: '{global opsgenie_api_key}'
  wechat_api_secret: '{global wechat_api_secret}'
  victorops_api_key: '{global victorops_api_key}'
  telegram_bot_token: '{global telegram_bot_token}'
"""
EVERY_KIND_RECEIVER = """\
  - name: 'every-kind'
    pagerduty_configs:
      - routing_key: '{pagerduty routing_key}'
      - service_key: '{pagerduty service_key}'
      - service_key_file: /etc/alertmanager/secrets/pagerduty-service-key
    opsgenie_configs:
      - api_key: '{opsgenie api_key}'
    victorops_configs:
      - api_key: '{victorops api_key}'
        routing_key: 'team'
    pushover_configs:
      - user_key: '{pushover user_key}'
        token: '{pushover token}'
    wechat_configs:
      - api_secret: '{wechat api_secret}'
    telegram_configs:
      - bot_token: '{telegram bot_token}'
        chat_id: 42
    webex_configs:
      - room_id: 'room'
        http_config:
          authorization:
            credentials: '{webex authorization credentials}'
    discord_configs:
      - webhook_url: 'https://discord.example/api/webhooks/{discord webhook_url}'
    msteams_configs:
      - webhook_url: 'https://teams.example/webhook/{msteams webhook_url}'
    msteamsv2_configs:
      - webhook_url: 'https://teams.example/v2/{msteamsv2 webhook_url}'
    rocketchat_configs:
      - token: '{rocketchat token}'
        token_id: '{rocketchat token_id}'
    sns_configs:
      - topic_arn: 'arn:aws:sns:eu-west-1:123456789012:alerts'
        sigv4:
          region: eu-west-1
          access_key: AKIAEXAMPLE
          secret_key: '{sns sigv4 secret_key}'
    slack_configs:
      - api_url: 'https://hooks.slack.com/services/T0/B0/{slack api_url}'
        http_config:
          oauth2:
            client_id: 'am'
            client_secret: '{http_config oauth2 client_secret}'
            token_url: 'https://auth.example/token'
          proxy_url: 'http://proxy-user:{proxy URL password}@proxy.example:3128'
    webhook_configs:
      - url_file: /etc/alertmanager/secrets/webhook-url
        http_config:
          bearer_token: '{http_config bearer_token}'
          tls_config:
            key_file: /etc/alertmanager/secrets/client.key
    email_configs:
      - to: 'x@example.com'
        auth_secret: '{email auth_secret}'
"""
EVERY_KIND_FILES = {  # alertmanager/secrets/<name>: what the *_file fields above point at
    "pagerduty-service-key": "{pagerduty service_key_file}",
    "webhook-url": "https://hooks.example/{webhook url_file}",
    "client.key": "-----BEGIN PRIVATE KEY-----\n{tls_config key_file}\n-----END PRIVATE KEY-----",
}
EVERY_KIND_SCRAPE = """\
  - job_name: 'every-kind'
    oauth2:
      client_id: 'prometheus'
      client_secret: '{scrape oauth2 client_secret}'
      token_url: 'https://auth.example/token'
    proxy_connect_header:
      Proxy-Authorization: ['{scrape proxy_connect_header}']
    http_headers:
      X-Api-Key:
        secrets: ['{scrape http_headers secrets}']
    tls_config:
      key: '{scrape tls_config key}'
    consul_sd_configs:
      - token: '{consul token}'
    ec2_sd_configs:
      - region: eu-west-1
        secret_key: '{ec2 secret_key}'
    openstack_sd_configs:
      - role: instance
        region: r
        password: '{openstack password}'
        application_credential_secret: '{openstack application_credential_secret}'
    azure_sd_configs:
      - subscription_id: s
        client_secret: '{azure client_secret}'
    marathon_sd_configs:
      - servers: ['http://marathon.example']
        auth_token: '{marathon auth_token}'
remote_write:
  - url: 'https://remote.example/write'
    sigv4:
      region: eu-west-1
      secret_key: '{remote_write sigv4 secret_key}'
  - url: 'https://remote.example/azure'
    azuread:
      cloud: AzurePublic
      oauth:
        client_id: c
        client_secret: '{remote_write azuread client_secret}'
        tenant_id: t
remote_read:
  - url: 'https://remote.example/read'
    basic_auth:
      username: 'reader'
      password: '{remote_read basic_auth password}'
"""
EVERY_KIND_DATASOURCE = """\
  - name: Legacy
    type: prometheus
    url: http://prometheus:9090
    password: '{grafana datasource password}'
    basicAuthPassword: '{grafana datasource basicAuthPassword}'
    secureJsonData:
      httpHeaderValue1: '{grafana secureJsonData httpHeaderValue1}'
"""


def plant_every_kind(copy: Path) -> dict[str, str]:
    """``plant`` and, beside it, a canary in every kind of secret field of Alertmanager (every
    receiver kind, global settings, HTTP client settings, *_file forms), Prometheus (scrape configs'
    HTTP client settings, service discoveries, remote write and read) and Grafana (data sources)."""
    canaries = plant(copy)
    blocks = (EVERY_KIND_ALERTMANAGER_GLOBAL, EVERY_KIND_RECEIVER, *EVERY_KIND_FILES.values(),
              EVERY_KIND_SCRAPE, EVERY_KIND_DATASOURCE)
    places = [name for block in blocks for name in re.findall(r"\{([^}]+)\}", block)]
    kinds = {name: _canary(re.sub(r"[^a-z]", "", name.lower())[:20]) for name in places}

    def fill(block: str) -> str:
        return re.sub(r"\{([^}]+)\}", lambda m: kinds[m.group(1)], block)

    am = copy / "alertmanager" / "alertmanager.yml"
    _edit(am, "  smtp_from: 'alerts@yourcompany.com'\n",
          "  smtp_from: 'alerts@yourcompany.com'\n" + fill(EVERY_KIND_ALERTMANAGER_GLOBAL))
    _edit(am, "receivers:\n", "receivers:\n" + fill(EVERY_KIND_RECEIVER))
    for name, content in EVERY_KIND_FILES.items():
        (copy / "alertmanager" / "secrets" / name).write_text(fill(content) + "\n")
    prometheus = copy / "prometheus" / "prometheus.yml"
    _edit(prometheus, "scrape_configs:\n", "scrape_configs:\n" + fill(EVERY_KIND_SCRAPE).split("remote_write:")[0])
    prometheus.write_text(prometheus.read_text() + "remote_write:" + fill(EVERY_KIND_SCRAPE).split("remote_write:")[1])
    datasources = copy / "grafana" / "provisioning" / "datasources" / "prometheus.yml"
    _edit(datasources, "datasources:\n", "datasources:\n" + fill(EVERY_KIND_DATASOURCE))
    return {**canaries, **kinds}
