"""Inline SVG pictures for report.html, drawn from what results.json holds (no script, no font,
nothing fetched):

- per alert rule, its virtual-time timeline (the behaviour record's ``timeline``,
  fixtures/rule_pictures.py): the compared side of its expression against the threshold, the
  stretches its condition held (pending) and it fired, its ``for`` window from the condition's
  start, the window its scenario expects it to fire in, and, where the live run observed it, when
  it fired live;
- per panel with a truth, the value each series showed live against the value or range expected.
"""

from __future__ import annotations

import math
import re
from html import escape

from reports.behaviour import duration as _duration

WIDTH, LEFT, RIGHT = 760, 64, 16
PLOT_TOP, PLOT_BOTTOM = 12, 112
COLOURS = ("#1f5fa8", "#7a3fb0", "#0f7f7f", "#8a5a00")
_NUMBER = r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?"


def rule_timeline(name: str, picture: dict, live_fired_s: float | None = None, live_for: str | None = None) -> str:
    """The SVG of one rule's timeline; ``live_fired_s``: seconds of the live feed it fired after,
    ``live_for``: its ``for`` in the live run, where the run shortened it."""
    end = max(picture["end"], picture["expected"][1], live_fired_s or 0.0) or 1.0
    x = _scale(0.0, end, LEFT, WIDTH - RIGHT)
    parts = [_time_axis(end, x)]
    values = [v for points in (picture.get("series") or {}).values() for _, v in points if math.isfinite(v)]
    threshold = picture.get("threshold")
    if values or threshold is not None:
        low, high = _range(values + ([threshold] if threshold is not None else []))
        y = _scale(low, high, PLOT_BOTTOM, PLOT_TOP)
        parts.append(_value_axis(low, high, y))
        if threshold is not None:
            parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(threshold):.1f}" y2="{y(threshold):.1f}" '
                         f'stroke="#a4161a" stroke-dasharray="6 4"><title>threshold {escape(picture["op"])} '
                         f'{threshold:g}</title></line>'
                         f'<text x="{WIDTH - RIGHT}" y="{y(threshold) - 3:.1f}" text-anchor="end" fill="#a4161a">'
                         f'threshold {escape(picture["op"])} {threshold:g}</text>')
        for index, (labels, points) in enumerate(sorted((picture.get("series") or {}).items())):
            shown = [(t, v) for t, v in points if math.isfinite(v)]
            colour = COLOURS[index % len(COLOURS)]
            path = " ".join(f"{x(t):.1f},{y(v):.1f}" for t, v in shown)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2">'
                         f'<title>{escape(labels)}</title></polyline>')
    else:
        parts.append(f'<text x="{LEFT + 6}" y="{(PLOT_TOP + PLOT_BOTTOM) / 2:.0f}" fill="#777">no value to draw: '
                     'the expression ends in no comparison with a number, or promtool returned none</text>')
    parts += _bands(picture, x, live_fired_s, live_for)
    height = 200
    return (f'<svg class="timeline" role="img" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
            f'font-size="11"><title>{escape(name)}: {escape(picture["scenario"])} '
            f'in virtual time</title>{"".join(parts)}</svg>')


def _bands(picture: dict, x, live_fired_s: float | None, live_for: str | None) -> list[str]:
    """Pending and firing (row 1), the for window and the expected window (row 2), live (a line)."""
    parts = [f'<text x="{LEFT - 4}" y="131" text-anchor="end">alert</text>',
             f'<text x="{LEFT - 4}" y="153" text-anchor="end">expected</text>']
    # A stretch lasts until the next evaluation; the scenario's last one, until the scenario's end.
    for key, colour, title in (("held", "#f0b400", "condition held (pending)"), ("fired", "#a4161a", "firing")):
        for start, stop in picture[key]:
            parts.append(_rect(x(start), x(min(stop + picture["step"], picture["end"])), 121, 14, colour,
                               f"{title}: {_duration(start)} to {_duration(stop)}"))
    if picture["held"] and picture["for_s"]:
        start = picture["held"][0][0]
        parts.append(f'<path d="M{x(start):.1f},118 v-4 H{x(start + picture["for_s"]):.1f} v4" fill="none" '
                     f'stroke="#1d1d1f"><title>for: {picture["for_s"]:g} s from the condition holding</title></path>'
                     f'<text x="{x(start) + 2:.1f}" y="112" fill="#1d1d1f">for {_duration(picture["for_s"])}</text>')
    earliest, latest = picture["expected"]
    if latest > earliest:
        parts.append(_rect(x(earliest), x(latest), 143, 14, "#8fb8e8", f"expected to fire first between "
                                                                       f"{_duration(earliest)} and {_duration(latest)}"))
    else:
        parts.append(_rect(x(latest) - 2, x(latest) + 2, 143, 14, "#1f5fa8", f"expected firing at {_duration(latest)}"))
    if live_fired_s is not None:
        shortened = f" (for {live_for} live)" if live_for else ""
        parts.append(f'<line x1="{x(live_fired_s):.1f}" x2="{x(live_fired_s):.1f}" y1="{PLOT_TOP}" y2="160" '
                     f'stroke="#17692c" stroke-width="2" stroke-dasharray="3 3"><title>fired live after '
                     f'{_duration(live_fired_s)} of feed{escape(shortened)}</title></line>'
                     f'<text x="{x(live_fired_s) + 3:.1f}" y="{PLOT_TOP + 10}" fill="#17692c">live{escape(shortened)}</text>')
    legend = [("#f0b400", "pending"), ("#a4161a", "firing"), ("#8fb8e8", "expected window")]
    for index, (colour, label) in enumerate(legend):
        parts.append(_rect(LEFT + index * 130, LEFT + index * 130 + 12, 186, 10, colour, label)
                     + f'<text x="{LEFT + index * 130 + 16}" y="195">{label}</text>')
    return parts


def panel_values(name: str, series: list[dict], expected) -> str:
    """The SVG of one panel query: each series' last value against the expected value or range."""
    values = [s["last"] for s in series if isinstance(s.get("last"), int | float) and math.isfinite(s["last"])]
    band = _expected_band(expected)
    if not values:
        return ""
    low, high = _range(values + [v for v in band if v is not None])
    x = _scale(low, high, LEFT, WIDTH - RIGHT)
    parts = [f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="40" y2="40" stroke="#999"/>',
             (f'<text x="{LEFT}" y="58">{low:.4g}</text><text x="{WIDTH - RIGHT}" y="58" text-anchor="end">'
              f'{high:.4g}</text>')]
    if band[0] is not None:
        first, last = band[0], band[1] if band[1] is not None else band[0]
        parts.append(_rect(x(first) - (0 if last > first else 2), x(last) + (0 if last > first else 2), 28, 24,
                           "#8fb8e8", f"expected {expected}"))
    for index, entry in enumerate(s for s in series if s.get("last") in values):
        colour = COLOURS[index % len(COLOURS)]
        labels = ", ".join(f"{k}={v}" for k, v in sorted((entry.get("labels") or {}).items())) or "{}"
        parts.append(f'<circle cx="{x(entry["last"]):.1f}" cy="40" r="5" fill="{colour}"><title>{escape(labels)}: '
                     f'{entry["last"]:.4g}</title></circle>')
    return (f'<svg class="panel-value" role="img" viewBox="0 0 {WIDTH} 64" width="{WIDTH}" height="64" '
            f'font-size="11"><title>{escape(name)}: shown against expected '
            f'{escape(str(expected))}</title>{"".join(parts)}</svg>')


def _expected_band(expected) -> tuple[float | None, float | None]:
    """(low, high) of a truth's expected text: ``within [a, b]``, or a value (high None)."""
    if isinstance(expected, dict):
        numbers = [v for v in expected.values() if isinstance(v, int | float)]
        return (min(numbers), max(numbers)) if numbers else (None, None)
    text = str(expected or "")
    tolerance = re.match(rf"\s*({_NUMBER})\s*±\s*({_NUMBER})(%?)", text)
    if tolerance:  # "0.956 ±0.03", "90 ±3%"
        value, spread = float(tolerance.group(1)), float(tolerance.group(2))
        spread = abs(value) * spread / 100 if tolerance.group(3) else spread
        return value - spread, value + spread
    numbers = [float(n) for n in re.findall(_NUMBER, text)]
    if text.startswith("within") and len(numbers) >= 2:
        return numbers[0], numbers[1]
    return (numbers[0], None) if numbers else (None, None)


def _time_axis(end: float, x) -> str:
    step = next((s for s in (15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200) if end / s <= 8), 14400)
    ticks = [f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{PLOT_BOTTOM}" y2="{PLOT_BOTTOM}" stroke="#999"/>']
    t = 0.0
    while t <= end:
        ticks.append(f'<line x1="{x(t):.1f}" x2="{x(t):.1f}" y1="{PLOT_BOTTOM}" y2="170" stroke="#e4e4e4"/>'
                     f'<text x="{x(t):.1f}" y="180" text-anchor="middle">{_duration(t)}</text>')
        t += step
    return "".join(ticks)


def _value_axis(low: float, high: float, y) -> str:
    return "".join(f'<text x="{LEFT - 4}" y="{y(v) + 4:.1f}" text-anchor="end">{v:.4g}</text>' for v in (low, high))


def _rect(x1: float, x2: float, top: float, height: float, colour: str, title: str) -> str:
    return (f'<rect x="{x1:.1f}" y="{top}" width="{max(x2 - x1, 1):.1f}" height="{height}" fill="{colour}">'
            f'<title>{escape(title)}</title></rect>')


def _range(values: list[float]) -> tuple[float, float]:
    low, high = min(values), max(values)
    pad = (high - low) * 0.1 or abs(high) * 0.1 or 1.0
    return low - pad, high + pad


def _scale(low: float, high: float, start: float, stop: float):
    span = (high - low) or 1.0
    return lambda value: start + (value - low) / span * (stop - start)
