"""Replacing secrets with placeholders that say where the secret was, in anything a run writes.

A :class:`Redactor` is pure: it knows a list of secrets (``fixtures.secrets.stack_secrets``) and
rewrites text, nested dicts and lists, and dataclasses (a whole ``RunResults``). Each secret is
also matched as JSON, ``repr`` and HTML would escape it, since messages quote values that way.
"""

from __future__ import annotations

import dataclasses
import html
import json
import re
from collections.abc import Iterable


class Redactor:
    def __init__(self, secrets: Iterable) -> None:
        """``secrets``: objects with ``value`` and ``where`` (fixtures.secrets.Secret)."""
        self.placeholders: dict[str, str] = {}
        for secret in secrets:
            placeholder = f"[redacted: {secret.where}]"
            for form in _forms(secret.value):
                self.placeholders.setdefault(form, placeholder)
        # Longest first, so a secret that contains another is replaced whole.
        alternatives = sorted(self.placeholders, key=len, reverse=True)
        self._pattern = re.compile("|".join(map(re.escape, alternatives))) if alternatives else None

    def text(self, text: str) -> str:
        if self._pattern is None or not text:
            return text
        return self._pattern.sub(lambda match: self.placeholders[match.group(0)], text)

    def finds(self, text: str) -> bool:
        return bool(self._pattern and self._pattern.search(text))

    def redact(self, value):
        """``value`` with every secret replaced: strings, dict keys and values, lists, dataclasses."""
        if self._pattern is None:
            return value
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self.redact(k): self.redact(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return type(value)(self.redact(v) for v in value)
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            changes = {f.name: self.redact(getattr(value, f.name)) for f in dataclasses.fields(value) if f.init}
            return dataclasses.replace(value, **changes)
        return value


def _forms(value: str) -> set[str]:
    return {value, json.dumps(value)[1:-1], repr(value)[1:-1], html.escape(value)} - {""}
