"""Charts and maps as SVG strings: pure functions of plain data, no Django, no JavaScript.

Only basic SVG with presentation attributes is written (no ``style`` attribute and no
``<style>`` element: the site's Content-Security-Policy forbids inline styles), so one string
serves HTML pages and fpdf2's PDF reports. Each chart is an accessible image (``role="img"``,
``<title>``, ``<desc>``) and each region, bar and dot has a ``<title>`` with name and value (a
native tooltip). Geometry is in an 800-unit-wide ``viewBox`` drawn 800 px wide (one unit one
pixel, text at 12 px or more). PDF reports (``setara_web.pdf``) register a Unicode font as
family ``sans-serif``, so any text draws there too. Classes use a 5-class viridis ramp (Smith &
van der Walt 2015), series the Okabe & Ito (2008) colours; lines and text have at least 3:1
contrast on white (WCAG 2.1, 1.4.11). Reliability flags follow BPS practice as in
``setara.results``: RSE up to 25% reliable, 25-50% caution, above 50% (or any other flag, such
as ``"small n"``) unreliable.

Examples
--------
>>> from setara_web.viz.svg import bar_chart
>>> svg = bar_chart([{"label": "Desil 1", "value": 3.1}], title="Share", fmt="{:.1f}%".format)
>>> svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" role="img"')
True
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from typing import Literal

from setara_web.viz import draw
from setara_web.viz.draw import (
    CAUTION,
    DASHES,
    INK,
    LEGEND,
    MARK,
    MUTED,
    NO_DATA,
    PATTERNS,
    SEQUENTIAL,
    SERIES_COLOURS,
    UNRELIABLE,
    WIDTH,
    Fmt,
    Row,
)
from setara_web.viz.geo import svg_number as _n
from setara_web.viz.words import word

MARKED = {CAUTION: "dotted", UNRELIABLE: "hatched"}  # keys of words.DEFAULT

__all__ = [
    "Fmt",
    "bar_chart",
    "choropleth",
    "class_index",
    "dot_plot",
    "line_chart",
    "quantile_breaks",
]


def quantile_breaks(values: Iterable[float | None], classes: int = 5) -> list[float]:
    """Class boundaries ``[min, q_1, ..., max]`` at equal-count quantiles, duplicates removed.

    Quantiles interpolate between order statistics (Hyndman & Fan 1996, type 7). The list is
    empty without finite values and has one element when all values are equal.

    >>> quantile_breaks([1, 2, 3, 4, 5], classes=4)
    [1.0, 2.0, 3.0, 4.0, 5.0]
    """
    data = sorted(float(v) for v in values if v is not None and math.isfinite(v))
    if not 1 <= classes <= len(SEQUENTIAL):
        raise ValueError(f"classes must be between 1 and {len(SEQUENTIAL)}, got {classes}")
    breaks: list[float] = []
    for k in range(classes + 1) if data else ():
        position = k * (len(data) - 1) / classes
        low = math.floor(position)
        high = min(low + 1, len(data) - 1)
        value = data[low] + (data[high] - data[low]) * (position - low)
        if not breaks or value > breaks[-1]:
            breaks.append(value)
    return breaks


def class_index(value: float, breaks: Sequence[float]) -> int:
    """Class of ``value``: class k holds ``breaks[k] < value <= breaks[k + 1]`` (0-based)."""
    for k in range(1, len(breaks)):
        if value <= breaks[k]:
            return k - 1
    return max(len(breaks) - 2, 0)


def choropleth(
    paths: Mapping[str, str],
    viewbox: str,
    values: Mapping[str, float | None],
    *,
    names: Mapping[str, str],
    flags: Mapping[str, str | None] | None = None,
    contains: Mapping[str, Sequence[str]] | None = None,
    title: str,
    legend_title: str,
    fmt: Fmt,
    classes: int = 5,
    note: str | None = None,
    description: str | None = None,
    id_prefix: str | None = None,
) -> str:
    """Map of values by area in quantile classes, with legend and footnotes.

    Parameters
    ----------
    paths, viewbox
        From :func:`setara_web.viz.geo.to_svg_paths`.
    values
        Code → estimate; codes absent or None are drawn grey as "no data".
    names
        Code → name for tooltips and footnotes.
    flags
        Code → reliability flag: caution areas are dotted, unreliable ones hatched, and both
        are named in the tooltip and in a footnote (the PDF drops patterns, not text).
    contains
        Drawn code → codes inside it without a polygon of their own, listed with their values.
    title, legend_title, fmt
        Title, what the colours measure, and how numbers are printed.
    classes
        Number of quantile classes, 1 to 5.
    note
        Last footnote, e.g. sources and the boundary attribution.
    description, id_prefix
        Replace the generated ``<desc>`` and the prefix of element ids.
    """
    flags, contains = flags or {}, contains or {}
    uid = draw.element_id("map", title, id_prefix)
    min_x, min_y, map_w, map_h = (float(v) for v in viewbox.split())
    k, top = WIDTH / map_w, 36.0
    shown = {c: float(v) for c, v in values.items() if v is not None and math.isfinite(v)}
    breaks = quantile_breaks(shown.values(), classes)
    colours = draw.class_colours(max(len(breaks) - 1, 1))
    body = [draw.patterns(uid), draw.text(0, 22, title, size=16, bold=True)]
    body.append(
        f'<g class="setara-regions" transform="matrix({k:.5g} 0 0 {k:.5g} {-min_x * k:.5g}'
        f' {top - min_y * k:.5g})" stroke="{MUTED}" stroke-width="{0.5 / k:.3g}"'
        ' stroke-linejoin="round" fill-rule="evenodd">'
    )
    flagged: dict[str, list[str]] = {CAUTION: [], UNRELIABLE: []}

    def describe(code: str) -> str:
        return f"{names.get(code, code)} {draw.value_text(shown.get(code), flags.get(code), fmt)}"

    for code in sorted(paths):
        value, status = shown.get(code), draw.reliability_status(flags.get(code))
        fill = NO_DATA if value is None else colours[class_index(value, breaks)]
        label = f"{names.get(code, code)}: {draw.value_text(value, flags.get(code), fmt)}"
        inner = [describe(c) for c in contains.get(code, ())]
        label = word("also_covers", area=label, inner="; ".join(inner)) if inner else label
        overlay = ""
        if status and value is not None:
            flagged[status].append(names.get(code, code))
            pattern = f"url(#{uid}-{PATTERNS[status]})"
            overlay = f'<path d="{paths[code]}" fill="{pattern}" stroke="none"/>'
        body.append(
            f'<g class="setara-region" data-code={draw.attr(code)}>'
            f"<title>{draw.esc(label)}</title>"
            f'<path class="setara-area" d="{paths[code]}" fill="{fill}"/>{overlay}</g>'
        )
    body.append("</g>")
    y = top + map_h * k + 24
    body.append(draw.text(0, y, legend_title, size=13, bold=True))
    for i, colour in enumerate(colours if breaks else ()):
        low, high = breaks[i], breaks[min(i + 1, len(breaks) - 1)]
        label = word("range", low=fmt(low), high=fmt(high))
        body.append(draw.swatch(i * WIDTH / 5, y + 10, colour, label))
    extras = [(word("no_data_legend"), NO_DATA, "")] if set(paths) - set(shown) else []
    extras += [
        (word(LEGEND[s]), SEQUENTIAL[2], f"{uid}-{PATTERNS[s]}") for s in flagged if flagged[s]
    ]
    y += 34 if breaks else 10
    x = 0.0
    for text, fill, pattern in extras:
        if x and x + 28 + draw.text_width(text) > WIDTH:
            x, y = 0.0, y + 22
        body.append(draw.swatch(x, y, fill, text, pattern))
        x += 28 + draw.text_width(text) + 24
    inside = [
        word("inside_parent", area=describe(c), parent=names.get(p, p))
        for p in sorted(contains)
        if p in paths
        for c in contains[p]
    ]
    footnotes = [word("inside_note", areas="; ".join(inside))] if inside else []
    footnotes += [
        word("flagged_note", status=word(LEGEND[s]), marking=word(MARKED[s]), areas=", ".join(a))
        for s, a in flagged.items()
        if a
    ]
    footnotes += [note] if note else []
    y += 34
    for line in (part for text in footnotes for part in textwrap.wrap(text, 118)):
        body.append(draw.text(0, y, line, fill=MUTED))
        y += 16
    if description is None:
        description = _map_description(shown, paths, names, contains, legend_title, fmt)
    return draw.document("map", uid, y, title, description, body)


def dot_plot(
    rows: Sequence[Row],
    *,
    title: str,
    fmt: Fmt,
    sort: bool = True,
    reference: float | None = None,
    reference_label: str = "Indonesia",
    x_label: str = "",
    description: str | None = None,
    id_prefix: str | None = None,
) -> str:
    """Ranked estimates with confidence-interval whiskers, one row per area.

    ``rows`` hold ``label``, ``estimate``, ``ci_low``, ``ci_high``, ``reliability`` (each may be
    missing or None). Reliable estimates are filled dots, caution filled diamonds, unreliable
    hollow dots. Each row takes 18 units, so 514 regencies make a long but legible chart.
    ``reference`` adds a dashed vertical line labelled ``reference_label`` (national value).
    """
    items = [draw.parse_row(r, "estimate") for r in rows]
    if sort:
        items.sort(key=lambda i: (i[1] is None, -(i[1] or 0.0)))
    top, row_h, x0, x1 = 84.0, 18.0, 240.0, 770.0
    bottom = top + row_h * len(items)
    numbers = [v for i in items for v in i[1:4] if isinstance(v, float)]
    ticks = draw.nice_ticks([*numbers, *([reference] if reference is not None else [])])
    sx = draw.linear_scale(ticks[0], ticks[-1], x0, x1)
    uid = draw.element_id("dots", title, id_prefix)
    body = [draw.text(0, 22, title, size=16, bold=True), *draw.marker_legend(48)]
    body += draw.axis_x(ticks, sx, top - 8, bottom, fmt, x_label)
    for n, (label, est, low, high, flag) in enumerate(items):
        y = top + row_h * n + row_h / 2
        tip = f"{label}: {draw.value_text(est, flag, fmt, low, high)}"
        parts = [
            f"<title>{draw.esc(tip)}</title>",
            draw.text(x0 - 8, y + 4, draw.cut(label, 34), "end"),
        ]
        if est is not None and low is not None and high is not None:
            parts.append(draw.line(sx(low), y, sx(high), y, INK, 1.5))
        if est is None:
            parts.append(draw.text(x0 + 4, y + 4, word("no_data"), fill=MUTED))
        else:
            parts.append(draw.marker(sx(est), y, draw.reliability_status(flag)))
        body.append(f'<g class="setara-row">{"".join(parts)}</g>')
    if reference is not None:
        x = sx(reference)
        body.append(
            f"<g><title>{draw.esc(f'{reference_label}: {fmt(reference)}')}</title>"
            f"{draw.line(x, top - 8, x, bottom, INK, 1.5, '6 4')}"
            f"{draw.text(x, top - 14, f'{reference_label} {fmt(reference)}', 'middle')}</g>"
        )
    desc = description or draw.chart_description(word("dot_plot"), items, fmt)
    return draw.document("dots", uid, bottom + 44, title, desc, body)


def bar_chart(
    rows: Sequence[Row],
    *,
    title: str,
    fmt: Fmt,
    orientation: Literal["vertical", "horizontal"] = "vertical",
    value_label: str = "",
    description: str | None = None,
    id_prefix: str | None = None,
) -> str:
    """Bars from zero with optional error bars: decile shares (vertical) or groups (horizontal).

    ``rows`` hold ``label`` and ``value``, optionally ``ci_low``, ``ci_high``, ``reliability``.
    Caution bars are dotted and unreliable bars hatched; each bar's ``<title>`` says why.
    """
    items = [draw.parse_row(r, "value") for r in rows]
    ticks = draw.nice_ticks([0.0, *(v for i in items for v in i[1:4] if isinstance(v, float))])
    uid = draw.element_id("bars", title, id_prefix)
    body = [draw.patterns(uid), draw.text(0, 22, title, size=16, bold=True)]
    present = [
        s for s in (CAUTION, UNRELIABLE) if s in {draw.reliability_status(i[4]) for i in items}
    ]
    for n, status in enumerate(present):
        pattern = f"{uid}-{PATTERNS[status]}"
        body.append(draw.swatch(n * 300, 36, MARK, word(LEGEND[status]), pattern))
    vertical = orientation == "vertical"
    top = 84.0 if present else 60.0
    if vertical:
        x0, x1, bottom = 72.0, 784.0, 384.0
        band = (x1 - x0) / max(len(items), 1)
        scale = draw.linear_scale(ticks[0], ticks[-1], bottom, top)
        body += draw.axis_y(ticks, scale, x0, x1, fmt, value_label, top)
    else:
        x0, band = 240.0, 28.0
        bottom = top + band * len(items)
        scale = draw.linear_scale(ticks[0], ticks[-1], x0, 730.0)
        body += draw.axis_x(ticks, scale, top - 8, bottom, fmt, value_label)
    zero = scale(0.0)
    for n, (label, value, low, high, flag) in enumerate(items):
        mid = (x0 if vertical else top) + band * n + band / 2
        tip = f"{label}: {draw.value_text(value, flag, fmt, low, high)}"
        parts = [f"<title>{draw.esc(tip)}</title>"]
        if vertical:
            parts.append(draw.text(mid, bottom + 18, draw.cut(label, int(band / 7)), "middle"))
        else:
            parts.append(draw.text(x0 - 8, mid + 4, draw.cut(label, 34), "end"))
        if value is not None:
            end, half = scale(value), min(band * 0.35, 24.0)
            start, size = min(zero, end), abs(end - zero)
            box = (
                (mid - half, start, 2 * half, size)
                if vertical
                else (start, mid - half, size, 2 * half)
            )
            parts.append(draw.rect(*box, MARK))
            if draw.reliability_status(flag):
                parts.append(
                    draw.rect(*box, f"url(#{uid}-{PATTERNS[draw.reliability_status(flag)]})")
                )
            if low is not None and high is not None:
                parts += draw.error_bar(mid, scale(low), scale(high), vertical)
            tips = [scale(v) for v in (value, low, high) if v is not None]
            parts.append(draw.bar_value(mid, tips, value >= 0, vertical, fmt(value)))
        body.append(f'<g class="setara-bar">{"".join(parts)}</g>')
    desc = description or draw.chart_description(word("bar_chart"), items, fmt)
    return draw.document("bars", uid, bottom + (30 if vertical else 44), title, desc, body)


def line_chart(
    series: Sequence[Mapping[str, object]],
    *,
    title: str,
    x_label: str,
    y_label: str,
    diagonal: bool = False,
    fmt: Fmt = "{:g}".format,
    description: str | None = None,
    id_prefix: str | None = None,
) -> str:
    """Lines through ``(x, y)`` points, e.g. Lorenz curves with ``diagonal=True``.

    ``series`` hold ``name`` and ``points`` (a sequence of ``(x, y)``). Series differ in colour
    and dash pattern; with ``diagonal`` the plot is square, both axes share one range and the
    line of equality is drawn. Series of at most 50 points get dots with tooltips.
    """
    lines = [(str(s.get("name", "")), draw.parse_points(s.get("points"))) for s in series]
    xs = [p[0] for _name, points in lines for p in points]
    ys = [p[1] for _name, points in lines for p in points]
    uid = draw.element_id("lines", title, id_prefix)
    chart_width = 520 if diagonal else WIDTH
    legend = [(name, SERIES_COLOURS[i % 5], DASHES[i % 5]) for i, (name, _p) in enumerate(lines)]
    legend += [(word("line_of_equality"), MUTED, "3 3")] if diagonal else []
    body = [draw.text(0, 22, title, size=16, bold=True)]
    x, y = 0.0, 44.0
    for name, colour, dash in legend:
        width = 40 + 7 * len(name)
        if x + width > chart_width:
            x, y = 0.0, y + 20
        body.append(
            f"{draw.line(x, y - 4, x + 28, y - 4, colour, 2.5, dash)}{draw.text(x + 34, y, name)}"
        )
        x += width + 16
    top = y + 36
    x0, x1 = 72.0, chart_width - 16.0
    bottom = top + (x1 - x0 if diagonal else 400.0)
    x_ticks = draw.nice_ticks([*xs, *ys, 0.0] if diagonal else xs)
    y_ticks = x_ticks if diagonal else draw.nice_ticks(ys)
    sx, sy = (
        draw.linear_scale(x_ticks[0], x_ticks[-1], x0, x1),
        draw.linear_scale(y_ticks[0], y_ticks[-1], bottom, top),
    )
    body += draw.axis_y(y_ticks, sy, x0, x1, fmt, y_label, top)
    body += draw.axis_x(x_ticks, sx, top, bottom, fmt, x_label, grid=False)
    if diagonal:
        low, high = x_ticks[0], x_ticks[-1]
        body.append(draw.line(sx(low), sy(low), sx(high), sy(high), MUTED, 1.5, "3 3"))
    for (name, points), (_name, colour, dash) in zip(lines, legend, strict=False):
        coords = " ".join(f"{_n(sx(px))},{_n(sy(py))}" for px, py in points)
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        polyline = (
            f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="2.5"'
            f"{dash_attr}/>"
        )
        parts = [f"<title>{draw.esc(name)}</title>", polyline]
        for px, py in points if len(points) <= 50 else ():
            tip = draw.esc(f"{name}: {fmt(px)}, {fmt(py)}")
            parts.append(
                f'<circle cx="{_n(sx(px))}" cy="{_n(sy(py))}" r="3.5" fill="{colour}">'
                f"<title>{tip}</title></circle>"
            )
        body.append(f'<g class="setara-series">{"".join(parts)}</g>')
    series_text = "; ".join(word("desc_series", name=n, count=len(p)) for n, p in lines)
    desc = description or word("desc_lines", y_label=y_label, x_label=x_label, series=series_text)
    return draw.document("lines", uid, bottom + 48, title, desc, body, chart_width)


def _map_description(
    shown: Mapping[str, float],
    paths: Mapping[str, str],
    names: Mapping[str, str],
    contains: Mapping[str, Sequence[str]],
    legend_title: str,
    fmt: Fmt,
) -> str:
    items = [(names.get(c, c), shown.get(c), None, None, None) for c in sorted(paths)]
    text = draw.chart_description(word("map_of", measure=legend_title), items, fmt)
    off_map = len(set(shown) - set(paths) - {c for inner in contains.values() for c in inner})
    return text + (" " + word("desc_off_map", count=off_map) if off_map else "")
