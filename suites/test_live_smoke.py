"""The live stack starts from the stack's own files: Prometheus loads every rule, discovers
Alertmanager, and scrapes a synthetic target for every scrape job."""

import pytest

from fixtures.checks import expect, not_applicable, require_running
from fixtures.feeders.scrape import scrape_targets
from fixtures.polling import poll

pytestmark = [pytest.mark.live, pytest.mark.stack_section("services", "prometheus_config", what="the live stack (services to run)")]
SCRAPE_GRACE_S = 15  # beyond two scrape intervals: a first scrape lands anywhere in the first one


@pytest.mark.conformance(component="prometheus", check="service starts", subject="prometheus", phase="live",
                         inputs=("production",))
def test_prometheus_starts(live_stack):
    require_running(live_stack, "prometheus")


@pytest.mark.conformance(component="alertmanager", check="service starts", subject="alertmanager", phase="live",
                         inputs=("production",))
def test_alertmanager_starts(live_stack):
    require_running(live_stack, "alertmanager")


@pytest.fixture(scope="session")
def loaded_rules(live_stack):
    # Here, not at the top: a static run collects this module, and the service module brings the
    # container libraries with it.
    from fixtures.services.prometheus import LoadedRules

    return LoadedRules(lambda: live_stack.prometheus)


@pytest.mark.conformance(component="prometheus", check="rule loaded", phase="live", subject_kind="alert_rule",
                         inputs=("behaviour", "production"))
def test_rule_loaded(alert_rule, live_stack, loaded_rules):
    require_running(live_stack, "prometheus")
    loaded = {(rule["name"], rule.get("health"), rule.get("lastError", "")) for rule in loaded_rules.named(alert_rule.name)}
    expect(loaded, f"{alert_rule.location}: Prometheus did not load alert '{alert_rule.name}'")
    unhealthy = [entry for entry in loaded if entry[1] == "err"]
    expect(not unhealthy, f"{alert_rule.location}: alert '{alert_rule.name}' evaluates with errors: {unhealthy}")


@pytest.mark.conformance(component="prometheus", check="discovers alertmanager", subject="alertmanager", phase="live",
                         inputs=("production",))
def test_alertmanager_discovered(live_stack):
    require_running(live_stack, "prometheus", "alertmanager")
    seen = poll(live_stack.prometheus.alertmanagers, bool, timeout=30)
    expect(seen.ok, f"Prometheus lists no active Alertmanager after {seen.waited_s:.0f}s; last seen: {seen.value!r}")


@pytest.mark.conformance(component="prometheus", check="target up", phase="live", subject_kind="scrape_job",
                         inputs=("production",))
def test_target_up(scrape_job, live_stack, stack, evidence):
    job, addresses = scrape_job
    require_running(live_stack, "prometheus")
    if f"target:{job}" in live_stack.failures:
        pytest.fail(live_stack.failures[f"target:{job}"], pytrace=False)
    interval = live_stack.scrape_intervals_s[job]
    # Targets the run holds down on purpose (for a rule about a target being down) are not judged
    # here, nor those relabelling drops (Prometheus does not scrape them).
    withheld = {t.scrape.written for t in getattr(live_stack.plan, "ever_withheld", []) if t.job == job and t.scrape}
    if withheld:
        evidence["withheld by the live run (a rule about its target being down)"] = sorted(withheld)
    kept = {t.written for t in scrape_targets(stack.prometheus_config) if t.job_name == job}
    expected = set(addresses) & kept - withheld
    if not expected:
        not_applicable(f"scrape job '{job}': every target is dropped by its relabelling or withheld by the live "
                       "run for a rule about it being down")

    def health():
        # By scrape pool (the job's name) and address as written: relabelling may rename both labels.
        return {t.get("discoveredLabels", {}).get("__address__", t["labels"].get("instance")): (t["health"], t.get("lastError", ""))
                for t in live_stack.prometheus.targets() if t.get("scrapePool", t["labels"].get("job")) == job}

    seen = poll(health, lambda h: set(h) >= expected and all(h[a][0] == "up" for a in expected),
                timeout=2 * interval + SCRAPE_GRACE_S)
    expect(seen.ok, (
        f"scrape job '{job}': expected targets {sorted(expected)} up within {seen.waited_s:.0f}s "
        f"(scrape interval {interval:.0f}s); Prometheus reports {seen.value!r}"
    ))


@pytest.mark.conformance(component="instrumentation", check="scenarios fed through the stack's code",
                         subject="live feed", phase="live", inputs=("production",))
def test_scenarios_fed(live_stack):
    errors = live_stack.feeder.errors if live_stack.feeder else ["the live feed never started"]
    expect(not errors, "the stack's instrumentation failed while feeding the scenarios live: " + "; ".join(errors))
