"""Canary secrets: unique random strings planted in every secret-bearing place of a copy of the
reference stack, and a search for them in everything a run leaves behind.

Each canary is valid where it is planted (a URL where a URL is expected), so the planted stack
still passes: a run on it exercises every path a secret could leak through.
"""

from __future__ import annotations

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
