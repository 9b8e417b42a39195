"""No secret of the stack under test leaves a run: canaries planted in every secret-bearing
place (tests/canaries.py) appear in no report file and no terminal output, on a whole live run
and on a static run that quotes the line a canary is written on."""

from tests.canaries import leaks, plant, plant_every_kind


def test_no_canary_leaves_a_whole_live_run(planted_run):
    run = planted_run.run
    checks = run.report.get("checks", [])
    assert checks, f"the run wrote no results:\n{run.stdout[-3000:]}"
    assert not leaks(planted_run.canaries, planted_run.report_dir, stdout_and_stderr=run.stdout)
    assert not leaks(planted_run.canaries, planted_run.report_dir.parent / "previous",
                     stdout_and_stderr=planted_run.previous.stdout)
    # The canaries are valid where planted: the stack still notifies, so every path a secret
    # could take (payloads, transforms, container logs) was exercised.
    delivered = [c for c in checks if "test_notified" in c["nodeid"]]
    assert delivered and all(c["status"] == "passed" for c in delivered), \
        [(c["nodeid"], c["message"][:200]) for c in delivered if c["status"] != "passed"]


def test_no_canary_leaves_a_run_that_quotes_the_offending_line(tmp_path, run_suites):
    canaries = plant(tmp_path / "stack")
    config = tmp_path / "stack" / "alertmanager" / "alertmanager.yml"
    password = canaries["smtp_auth_password"]
    config.write_text(config.read_text().replace(f"smtp_auth_password: '{password}'",
                                                 f"smtp_auth_password: {password}: typo"))  # invalid YAML

    run = run_suites(tmp_path / "stack")

    parses = run.check("test_parses[alertmanager/alertmanager.yml]")
    assert parses["status"] == "failed" and "[redacted: alertmanager/alertmanager.yml line" in parses["location"]["text"]
    output = run.result.stdout.str() + run.result.stderr.str()
    assert "smtp_auth_password: [redacted: alertmanager/alertmanager.yml line" in output, \
        "the failure should quote the offending line, redacted"
    assert not leaks(canaries, tmp_path / "report", stdout_and_stderr=output)


def test_no_canary_of_any_kind_leaves_a_static_run_that_quotes_a_secret_line(tmp_path, run_suites):
    canaries = plant_every_kind(tmp_path / "stack")
    config = tmp_path / "stack" / "alertmanager" / "alertmanager.yml"
    user_key = canaries["pushover user_key"]
    config.write_text(config.read_text().replace(f"user_key: '{user_key}'", f"user_key: {user_key}: typo"))

    run = run_suites(tmp_path / "stack")

    parses = run.check("test_parses[alertmanager/alertmanager.yml]")
    assert parses["status"] == "failed" and "user_key: [redacted: alertmanager/alertmanager.yml line" in \
        parses["location"]["text"], parses
    output = run.result.stdout.str() + run.result.stderr.str()
    assert not leaks(canaries, tmp_path / "report", stdout_and_stderr=output)
