"""Structured logs reach the search store through a real shipper, none lost: the events the stack's
log contract declares (manifest logs.contract), logged by the stack's own logger, arrive exactly once, with their fields and types, searchable,
within the delay the stack declares; a burst arrives whole; bad input is handled as declared."""

from datetime import UTC, datetime, timedelta

import pytest

from fixtures.checks import expect, not_applicable
from fixtures.logs.delivery import summary

pytestmark = [pytest.mark.live, pytest.mark.stack_section("logs", "services", what="the log pipeline")]
CLOCK_SLACK_S = 5  # an event's timestamp lies within this of the moment it was logged
TYPE_FAMILIES = {
    str: {"keyword", "text", "match_only_text", "wildcard"},
    int: {"long", "integer", "short", "byte"},
    float: {"float", "double", "half_float", "scaled_float"},
    bool: {"boolean"},
}


def require_traffic(traffic) -> None:
    expect(traffic.failure is None, f"no events could be logged: {traffic.failure}")


def stored(pipeline, event_ids: list[str]) -> dict[str, list[dict]]:
    hits = pipeline.store.search(pipeline.settings.index_pattern, {"terms": {"event_id": event_ids}},
                                 size=10 * len(event_ids) + 10)
    documents: dict[str, list[dict]] = {}
    for hit in hits:
        documents.setdefault(hit["_source"].get("event_id"), []).append(hit["_source"])
    return documents


@pytest.mark.conformance(component="logs", check="search store starts", subject="elasticsearch", phase="live")
def test_store_starts(log_pipeline):
    store = log_pipeline.settings.store
    expect(store not in log_pipeline.failures, f"{store} did not start: {log_pipeline.failures.get(store)}")


@pytest.mark.conformance(component="logs", check="shipper starts", phase="live")
def test_shippers_start(log_pipeline):
    shippers = [s for s in log_pipeline.services if s != log_pipeline.settings.store]
    expect(shippers, f"no log shipper runs in the {log_pipeline.profile} profile: the manifest's logs.pipeline "
                     f"{list(log_pipeline.settings.pipeline)} has no shipper with an image for it")
    failed = {s: log_pipeline.failures[s] for s in shippers if s in log_pipeline.failures}
    expect(not failed, "\n".join(f"{name} did not start: {why}" for name, why in failed.items()))


@pytest.mark.conformance(component="logs", check="logging code runs", phase="live")
def test_logging_code_runs(log_traffic, log_settings):
    require_traffic(log_traffic)
    expect(all(p.emitted_at for p in log_traffic.planned()),
           f"{log_settings.logger_module}: the logger did not report every event as logged")


@pytest.mark.conformance(component="logs", check="arrives exactly once", phase="live", subject_kind="log_event")
def test_arrives_exactly_once(kind, log_traffic, log_pipeline, evidence):
    require_traffic(log_traffic)
    arrivals = log_traffic.arrivals
    occurrences = [(e, p) for e, p in log_traffic.events if e.kind == kind]
    # Each event by its own id: two events of one kind in one run are two, whatever their run id.
    counts = [(e.label, p.event_id, arrivals.hits.get(p.event_id, 0)) for e, p in occurrences]
    evidence.update(documents_per_event={event_id: n for _, event_id, n in counts},
                    waited_s=round(arrivals.waited_s, 1))
    lost = [f"{label} (event {event_id})" for label, event_id, n in counts if n == 0]
    duplicated = {f"{label} (event {event_id})": n for label, event_id, n in counts if n > 1}
    expect(not lost and not duplicated, (
        f"'{kind}' events in {log_pipeline.settings.index_pattern} after {arrivals.waited_s:.0f}s: "
        f"{len(counts) - len(lost)} of {len(counts)} arrived; lost {len(lost)}: {lost}; duplicated "
        f"{len(duplicated)}: {duplicated}"
        + (f"\nthe shipper's last output:\n{log_pipeline.shipper_errors()}" if lost else "")
    ))


@pytest.mark.conformance(component="logs", check="arrives in the order logged", subject="declared events",
                         level="SHOULD", phase="live")
def test_arrives_in_order(log_traffic, log_pipeline, evidence):
    """The events, logged a moment apart, are indexed in the order they were logged: a shipper that
    reorders them makes a reader who sorts by arrival see an effect before its cause."""
    require_traffic(log_traffic)
    delivery = log_traffic.arrivals.delivery([p for _, p in log_traffic.events])
    evidence.update(reordered=delivery.reordered, events=delivery.expected)
    if delivery.reordered is None:
        not_applicable(f"the events are spread over several indices of {log_pipeline.settings.index_pattern} "
                       "(or the store numbers no documents): the order they were indexed in cannot be told")
    expect(delivery.reordered == 0, f"{log_pipeline.settings.index_pattern}: {delivery.describe()}")


@pytest.mark.conformance(component="logs", check="fields and types", phase="live", subject_kind="log_event")
def test_fields_and_types(kind, log_traffic, log_pipeline, evidence):
    require_traffic(log_traffic)
    settings = log_pipeline.settings
    occurrences = [(e, p) for e, p in log_traffic.events if e.kind == kind]
    documents = stored(log_pipeline, [p.event_id for _, p in occurrences])
    types = log_pipeline.store.field_types(settings.index_pattern)
    problems = []
    for log_event, planned in occurrences:
        found = documents.get(planned.event_id)
        if not found:
            problems.append(f"{log_event.label}: not in the store")
            continue
        document = found[0]
        missing = [f for f in settings.contract.standard_fields if f not in document]
        if missing:
            problems.append(f"{log_event.label}: standard fields {missing} missing")
        expected = {"level": log_event.level.upper(), "logger": settings.logger_name, "message": log_event.message,
                    **log_event.fields}
        for name, value in expected.items():
            if document.get(name) != value or type(document.get(name)) is not type(value):
                problems.append(f"{log_event.label}: {name} is {document.get(name)!r}, logged {value!r}")
            elif types.get(name) not in TYPE_FAMILIES[type(value)]:
                problems.append(f"{name} is indexed as {types.get(name)!r}, not as a {type(value).__name__}")
        evidence.setdefault("documents", []).append(document)
    evidence["indexed_types"] = {name: types.get(name) for name in sorted(types)}
    expect(not problems, f"'{kind}' events as stored in {settings.index_pattern}:\n" + "\n".join(sorted(set(problems))))


@pytest.mark.conformance(component="logs", check="timestamp is a UTC date", phase="live")
def test_timestamp_is_a_utc_date(log_traffic, log_pipeline, evidence):
    require_traffic(log_traffic)
    settings = log_pipeline.settings
    types = log_pipeline.store.field_types(settings.index_pattern)
    expect(types.get("timestamp") == "date", (
        f"timestamp is indexed as {types.get('timestamp')!r} in {settings.index_pattern}, not as a date: "
        "it cannot be searched or sorted by time"
    ))
    documents = stored(log_pipeline, [p.event_id for _, p in log_traffic.events])
    problems = []
    for log_event, planned in log_traffic.events:
        stamp = (documents.get(planned.event_id) or [{}])[0].get("timestamp")
        try:
            when = datetime.fromisoformat(str(stamp))
        except ValueError:
            problems.append(f"{log_event.label} '{log_event.message}': timestamp {stamp!r} is not ISO 8601")
            continue
        if when.utcoffset() != timedelta(0):
            problems.append(f"{log_event.label}: timestamp {stamp!r} is not in UTC "
                            f"(offset {when.utcoffset()}): a reader cannot tell when it happened")
        elif abs(when.timestamp() - planned.emitted_at) > CLOCK_SLACK_S:
            problems.append(f"{log_event.label}: timestamp {stamp!r} is "
                            f"{when.timestamp() - planned.emitted_at:+.1f}s off the moment it was logged")
    evidence["timestamps"] = {p.event_id: (documents.get(p.event_id) or [{}])[0].get("timestamp")
                              for _, p in log_traffic.events}
    expect(not problems, "\n".join(problems))
    # Indexed as a date: a range query over the minute the events were logged finds them all.
    first = min(p.emitted_at for _, p in log_traffic.events)
    since = datetime.fromtimestamp(first - 60, UTC).isoformat()
    in_range = log_pipeline.store.count(settings.index_pattern, {"bool": {"filter": [
        {"range": {"timestamp": {"gte": since}}},
        {"terms": {"event_id": [p.event_id for _, p in log_traffic.events]}}]}})
    expect(in_range == len(log_traffic.events),
           f"a range query on timestamp since {since} finds {in_range} of {len(log_traffic.events)} events")


@pytest.mark.conformance(component="logs", check="searchable by field", phase="live", subject_kind="log_field")
def test_searchable_by(field, log_traffic, log_pipeline, evidence):
    require_traffic(log_traffic)
    index = log_pipeline.settings.index_pattern
    problems = []
    for value in sorted({e.fields[field] for e, _ in log_traffic.events if field in e.fields}):
        expected = {p.event_id for e, p in log_traffic.events if e.fields.get(field) == value}
        hits = log_pipeline.store.search(index, {"term": {field: value}}, size=100, source=["event_id"])
        found = {hit["_source"].get("event_id") for hit in hits}
        evidence.setdefault("queries", {})[f"{field}={value}"] = len(hits)
        if found != expected:
            problems.append(f"term query {field}={value!r} finds {len(found & expected)} of its {len(expected)} "
                            f"events and {len(found - expected)} others")
    expect(not problems, f"{index}: " + "\n".join(problems))


@pytest.mark.conformance(component="logs", check="searchable within the declared delay", phase="live")
def test_searchable_within_the_declared_delay(log_traffic, log_settings, evidence):
    require_traffic(log_traffic)
    delays = log_traffic.arrivals.delays([p for _, p in log_traffic.events])
    evidence.update(summary(list(delays.values())), bound_s=log_settings.delivery_bound_s)
    expect(delays, "no event became searchable")
    worst = max(delays.values())
    expect(worst <= log_settings.delivery_bound_s, (
        f"emit to searchable took up to {worst:.2f}s (median {summary(list(delays.values()))['median_s']}s); "
        f"the stack declares at most {log_settings.delivery_bound_s:g}s (logs.delivery_bound_s)"
    ))


@pytest.mark.conformance(component="logs", check="burst arrives complete", phase="live")
def test_burst_arrives_complete(log_burst, evidence):
    expect(log_burst.failure is None, f"no burst could be logged: {log_burst.failure}")
    evidence.update(size=log_burst.size, arrived=log_burst.arrived, logged_in_s=log_burst.emitted_s,
                    complete_after_s=log_burst.complete_after_s, events_per_s=log_burst.throughput_per_s)
    delivery = log_burst.delivery
    evidence.update(lost=len(delivery.lost), duplicated=len(delivery.duplicated))
    expect(delivery.intact and log_burst.arrived == log_burst.size, (
        f"a burst of {log_burst.size} events: {log_burst.arrived} in the store after "
        f"{log_burst.waited_s:.0f}s (logged in {log_burst.emitted_s:.1f}s); each event by its burst_seq: "
        f"{delivery.describe()}"
    ))


@pytest.mark.conformance(component="logs", check="bad input handled as declared",
                         phase="live", subject_kind="bad_input")
def test_bad_input_handled_as_declared(case, log_traffic, log_pipeline, evidence):
    require_traffic(log_traffic)
    settings = log_pipeline.settings
    declared = settings.bad_input.get(case)
    expect(declared, f"{log_pipeline.stack.manifest_path}: logs.bad_input declares no handling for '{case}'")
    bad = log_traffic.bad_input[case]
    if bad.item.event_id:
        documents = stored(log_pipeline, [bad.item.event_id]).get(bad.item.event_id, [])
        logged = bad.item.item["message"]
    else:  # a raw line carries no event id: it is found by its text
        logged = bad.item.item["text"]
        documents = [h["_source"] for h in log_pipeline.store.search(
            settings.index_pattern, {"match_phrase": {"message": logged}}, size=5)]
    kept = [d for d in documents if d.get("message") == logged]
    evidence.update(declared=declared.handling, documents=len(documents), kept_whole=len(kept),
                    flags=[d.get(declared.flag) for d in documents] if declared.flag else None)
    if declared.handling == "dropped":
        expect(not documents, f"'{case}' is declared dropped, but {len(documents)} documents hold it")
    else:
        expect(len(kept) == 1, (
            f"'{case}' is declared {declared.handling}: expected one document holding it as logged "
            f"({len(logged)} characters), found {len(documents)} documents, {len(kept)} with the message intact"
        ))
    if declared.handling == "flagged":
        expect(kept[0].get(declared.flag) in (True, "true"), (
            f"'{case}' is declared flagged with '{declared.flag}', but the document has "
            f"{declared.flag}={kept[0].get(declared.flag)!r}"
        ))
    # Whatever happened to it, the events logged around it arrive, once each.
    hits = log_traffic.arrivals.hits
    neighbours = {"before": hits.get(bad.before.event_id, 0), "after": hits.get(bad.after.event_id, 0)}
    evidence["neighbours"] = neighbours
    expect(neighbours == {"before": 1, "after": 1}, (
        f"'{case}': the events logged just before and after it arrived {neighbours} times, expected once each"
        + (": bad input cost its neighbours" if 0 in neighbours.values() else "")
    ))
