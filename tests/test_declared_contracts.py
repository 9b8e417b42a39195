"""A stack whose application logs other events and emits other spans than the reference one is
checked from its own contracts (stack/contracts/ in the reference stack is only the example),
without a line of the harness changed: a tiny shop application with its own logger, tracing set-up
and traced-run driver. A declared event or span the application does emit passes; one it does not
emit fails, saying which and what arrived instead. One live run: the log pipeline and Jaeger."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from tests.layout import REFERENCE_STACK
from tests.textfiles import write_text
from tests.tracing_setup import CONFIGURE_TRACING

LOGGER = '''"""The shop's logger: one JSON line per event on stderr; debug lines are not written."""
import json
import sys
from datetime import datetime, timezone


class ShopLogger:
    def __init__(self, name):
        self.name = name

    def _write(self, level, message, fields):
        entry = {"timestamp": datetime.now(timezone.utc).isoformat(), "level": level, "logger": self.name,
                 "message": message, **fields}
        sys.stderr.write(json.dumps(entry) + "\\n")
        sys.stderr.flush()

    def debug(self, message, **fields):
        pass  # below the shop's level: never written

    def info(self, message, **fields):
        self._write("INFO", message, fields)

    def warning(self, message, **fields):
        self._write("WARNING", message, fields)
'''


DRIVER = '''"""A checkout: the cart is priced; no receipt is sent (the contract declares one all the same)."""


def run(tracer, urls):
    with tracer.start_as_current_span("checkout") as root:
        root.set_attribute("order.id", "o-17")
        with tracer.start_as_current_span("price_cart") as span:
            span.set_attribute("cart.items", 3)
            span.add_event("priced")
        return format(root.get_span_context().trace_id, "032x")
'''

LOG_CONTRACT = {
    "standard_fields": ["timestamp", "level", "logger", "message"],
    "searchable_by": ["customer"],  # not on the event that is never written: only the lost check fails
    "events": [
        {"kind": "order_placed", "level": "info", "message": "Order placed",
         "fields": {"order_id": "o-{batch}", "customer": "c-{batch}", "amount": 12.5, "items": 3}},
        {"kind": "payment_declined", "level": "warning", "message": "Payment declined",
         "fields": {"order_id": "o-{batch}", "customer": "c-{batch}", "reason": "insufficient funds"}},
        {"kind": "cache_miss", "level": "debug", "message": "Cache miss", "fields": {"order_id": "o-{batch}"}},
    ],
}

TRACE_CONTRACT = {
    "driver": "checkout_run.py",
    "services": {"checkout": {"runs": "run"}},
    "spans": [
        {"key": "checkout", "name": "checkout", "service": "checkout", "attributes": {"order.id": "o-17"}},
        {"key": "price", "name": "price_cart", "service": "checkout", "parent": "checkout",
         "attributes": {"cart.items": 3}, "events": ["priced"]},
        {"key": "receipt", "name": "send_receipt", "service": "checkout", "parent": "checkout"},
    ],
}


def _shop_stack(root: Path) -> Path:
    """Logs and traces only: the reference stack's log pipeline and Jaeger, the shop's own code."""
    stack_dir = root / "shop"
    reference = yaml.safe_load((REFERENCE_STACK / "manifest.yml").read_text(encoding="utf-8"))
    for folder in ("elk", "jaeger"):
        shutil.copytree(REFERENCE_STACK / folder, stack_dir / folder)
    # The shop's own fields, mapped as the template maps the reference application's: a term query
    # finds a keyword's exact value (an analysed text field would be split at the "-").
    template_path = stack_dir / "elk" / "index-template.json"
    template = json.loads(template_path.read_text(encoding="utf-8"))
    template["template"]["mappings"]["properties"].update(order_id={"type": "keyword"}, customer={"type": "keyword"})
    template_path.write_text(json.dumps(template, indent=2), encoding="utf-8")
    write_text(stack_dir / "app" / "shop_logging.py", LOGGER)
    write_text(stack_dir / "app" / "shop_tracing.py", CONFIGURE_TRACING)
    write_text(stack_dir / "contracts" / "checkout_run.py", DRIVER)
    write_text(stack_dir / "contracts" / "logs.yml", yaml.safe_dump(LOG_CONTRACT, sort_keys=False))
    write_text(stack_dir / "contracts" / "traces.yml", yaml.safe_dump(TRACE_CONTRACT, sort_keys=False))
    logs = {**reference["logs"], "contract": "contracts/logs.yml", "pipeline": ["elasticsearch", "rsyslog"],
            "logger": {"class": "ShopLogger", "name": "shop.checkout"}}
    tracing = {**reference["tracing"], "contract": "contracts/traces.yml", "service_name": "shop-checkout",
               "queryable_within": "5s"}
    write_text(stack_dir / "manifest.yml", yaml.safe_dump({
        "name": "shop",
        "instrumentation": {"logging": "app/shop_logging.py", "tracing": "app/shop_tracing.py"},
        "services": {name: reference["services"][name] for name in ("elasticsearch", "rsyslog")},
        "logs": logs,
        "tracing": tracing,
    }, sort_keys=False))
    return stack_dir


CHECKS = "(test_logs_live and (exactly_once or fields_and_types or searchable_by)) or (test_traces_live and span_)"


@pytest.fixture(scope="module")
def shop_run(tmp_path_factory):
    from tests.live_runs import run_suites

    stack_dir = _shop_stack(tmp_path_factory.mktemp("declared"))
    return run_suites(stack_dir, tmp_path_factory.mktemp("report"), "-k", CHECKS)


def _checks(run) -> dict[str, dict]:
    """Check id -> its record (the parts left out, alerting and dashboards, are records of a whole module)."""
    return {c["nodeid"].split("::", 1)[1]: c for c in run.report.get("checks", []) if "::" in c["nodeid"]}


@pytest.mark.parametrize("check", [
    "test_arrives_exactly_once[order_placed]", "test_arrives_exactly_once[payment_declined]",
    "test_fields_and_types[order_placed]", "test_fields_and_types[payment_declined]", "test_searchable_by[customer]",
    "test_span_arrives[checkout]", "test_span_arrives[price]", "test_span_recorded[price]",
])
def test_a_declared_event_or_span_the_application_emits_passes(check, engine, shop_run):
    checks = _checks(shop_run)
    assert check in checks, f"{check} did not run:\n{shop_run.stdout[-3000:]}"
    assert checks[check]["status"] == "passed", checks[check]


def test_a_declared_event_the_application_does_not_write_fails_saying_it_was_lost(engine, shop_run):
    check = _checks(shop_run)["test_arrives_exactly_once[cache_miss]"]
    assert check["status"] == "failed", check
    assert "'cache_miss' events" in check["message"] and "lost 1" in check["message"], check["message"]
    assert "'Cache miss' {'order_id': 'o-" in check["message"], check["message"]


def test_a_declared_span_the_application_does_not_emit_fails_naming_what_arrived(engine, shop_run):
    check = _checks(shop_run)["test_span_arrives[receipt]"]
    assert check["status"] == "failed", check
    assert "span 'send_receipt' (receipt)" in check["message"] and "is not in Jaeger" in check["message"], check
    assert "'checkout' (shop-checkout)" in check["message"] and "'price_cart'" in check["message"], check["message"]
