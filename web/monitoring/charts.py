"""Charts of the monitoring dashboards as SVG strings, from plain data (no Django import).

Built from the same blocks as the diagnostic charts (``setara_web.viz``): server-side SVG with
presentation attributes only, accessible titles and descriptions, no JavaScript and no CDN.

- :func:`trend_chart`: an indicator over its periods, the 95% confidence band shaded behind
  the line (survey values), the plan's targets as hollow squares on a dashed line;
- :func:`achievement_map`: mean achievement of each province on the province boundary map;
- :func:`comparison_plot`: regions ranked by an indicator with CIs and the target as a
  reference line.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from setara_web.viz import draw, geo, svg
from setara_web.viz.draw import INK, MARK, MUTED, SERIES_COLOURS, Fmt
from setara_web.viz.geo import svg_number as _n

__all__ = ["BAND", "TEXT", "achievement_map", "comparison_plot", "trend_chart"]

BAND = "#c6d4ee"  # the CI band, light blue behind the MARK line (decorative fill)
TARGET = SERIES_COLOURS[1]  # orange-red, 3.6:1 on white
TEXT = {
    "value": "Value",
    "ci_band": "95% confidence interval",
    "target": "Target",
    "period": "Period",
    "achievement": "Mean achievement (%)",
    "no_values": "No values to draw.",
    "trend_desc": "Line chart of {name} over {count} periods, from {first} ({first_value}) to "
    "{last} ({last_value}).",
}


def _words(text: Mapping[str, str] | None) -> dict[str, str]:
    return {**TEXT, **(text or {})}


def trend_chart(
    points: Sequence[Mapping[str, object]],
    *,
    title: str,
    fmt: Fmt,
    y_label: str = "",
    targets: Mapping[str, float] | None = None,
    text: Mapping[str, str] | None = None,
) -> str:
    """An indicator over time with its confidence band and targets.

    Parameters
    ----------
    points
        One mapping per period, in time order: ``period`` (label), ``value``, optional
        ``ci_low``/``ci_high`` (drawn as a band where both are known) and ``reliability``.
    targets
        Period label (or year) → target value, drawn where the period is on the axis.
    """
    words = _words(text)
    rows = [
        (
            str(p.get("period", "")),
            *(draw.to_float(p.get(k)) for k in ("value", "ci_low", "ci_high")),
        )
        for p in points
    ]
    rows = [r for r in rows if r[1] is not None]
    uid = draw.element_id("trend", title, None)
    body = [draw.text(0, 22, title, size=16, bold=True)]
    if not rows:
        body.append(draw.text(0, 52, words["no_values"], fill=MUTED))
        return draw.document("trend", uid, 70, title, words["no_values"], body)
    marks = {label: t for label, t in (targets or {}).items() if t is not None}
    labels = [r[0] for r in rows]
    numbers = [v for r in rows for v in r[1:] if v is not None]
    numbers += [t for label, t in marks.items() if label in labels]
    legend = [
        f"{draw.line(0, 40, 28, 40, MARK, 2.5)}{draw.text(34, 44, words['value'])}",
        f"{draw.rect(150, 34, 28, 12, BAND)}{draw.text(184, 44, words['ci_band'])}",
    ]
    if marks:
        legend.append(
            f'<rect x="420" y="34" width="10" height="10" fill="#ffffff" stroke="{TARGET}"'
            f' stroke-width="2"/>{draw.text(436, 44, words["target"])}'
        )
    body += legend
    top, bottom, x0, x1 = 84.0, 384.0, 72.0, 770.0
    ticks = draw.nice_ticks(numbers)
    sy = draw.linear_scale(ticks[0], ticks[-1], bottom, top)
    step = (x1 - x0) / max(len(rows) - 1, 1)

    def sx(i: int) -> float:
        return x0 + step * i if len(rows) > 1 else (x0 + x1) / 2

    body += draw.axis_y(ticks, sy, x0, x1, fmt, y_label, top)
    body.append(draw.line(x0, bottom, x1, bottom, INK, 1))
    every = max(1, len(rows) // 12)
    body += [
        draw.text(sx(i), bottom + 16, label, "middle")
        for i, label in enumerate(labels)
        if i % every == 0 or i == len(rows) - 1
    ]
    band = [(i, r[2], r[3]) for i, r in enumerate(rows) if r[2] is not None and r[3] is not None]
    if band:
        upper = " ".join(f"{_n(sx(i))},{_n(sy(h))}" for i, _low, h in band)
        lower = " ".join(f"{_n(sx(i))},{_n(sy(low))}" for i, low, _h in reversed(band))
        body.append(
            f'<g class="setara-band"><title>{draw.esc(words["ci_band"])}</title>'
            f'<polygon points="{upper} {lower}" fill="{BAND}" stroke="none"/></g>'
        )
        if len(band) == 1:  # a single interval is a whisker, not an area
            i, low, high = band[0]
            body += draw.error_bar(sx(i), sy(low), sy(high), True)
    coords = " ".join(f"{_n(sx(i))},{_n(sy(r[1]))}" for i, r in enumerate(rows))  # type: ignore[arg-type]
    parts = [f'<polyline points="{coords}" fill="none" stroke="{MARK}" stroke-width="2.5"/>']
    for i, (label, value, low, high) in enumerate(rows):
        tip = f"{label}: {draw.value_text(value, points[i].get('reliability'), fmt, low, high)}"
        status = draw.reliability_status(points[i].get("reliability"))
        parts.append(
            f"<g><title>{draw.esc(tip)}</title>{draw.marker(sx(i), sy(value), status)}</g>"
        )  # type: ignore[arg-type]
    body.append(f'<g class="setara-series">{"".join(parts)}</g>')
    shown = [(i, marks[label]) for i, label in enumerate(labels) if label in marks]
    if shown:
        path = " ".join(f"{_n(sx(i))},{_n(sy(t))}" for i, t in shown)
        target_parts = [
            f'<polyline points="{path}" fill="none" stroke="{TARGET}" stroke-width="1.5"'
            ' stroke-dasharray="6 4"/>'
        ]
        for i, t in shown:
            tip = draw.esc(f"{words['target']} {labels[i]}: {fmt(t)}")
            target_parts.append(
                f'<rect x="{_n(sx(i) - 5)}" y="{_n(sy(t) - 5)}" width="10" height="10"'
                f' fill="#ffffff" stroke="{TARGET}" stroke-width="2"><title>{tip}</title></rect>'
            )
        body.append(f'<g class="setara-targets">{"".join(target_parts)}</g>')
    desc = words["trend_desc"].format(
        name=title,
        count=len(rows),
        first=rows[0][0],
        first_value=fmt(rows[0][1]),  # type: ignore[arg-type]
        last=rows[-1][0],
        last_value=fmt(rows[-1][1]),  # type: ignore[arg-type]
    )
    return draw.document("trend", uid, bottom + 40, title, desc, body)


def achievement_map(
    achievement: Mapping[str, float | None],
    *,
    title: str,
    fmt: Fmt,
    names: Mapping[str, str] | None = None,
    note: str | None = None,
    text: Mapping[str, str] | None = None,
) -> str:
    """Provinces coloured by mean achievement (quantile classes of the province map).

    ``achievement`` maps two-digit province codes to mean achievement (%).
    """
    words = _words(text)
    provinces = geo.province_boundaries()
    paths, viewbox = geo.to_svg_paths(provinces)
    return svg.choropleth(
        paths,
        viewbox,
        dict(achievement),
        names=dict(provinces.names) | dict(names or {}),
        contains=dict(provinces.contains),
        title=title,
        legend_title=words["achievement"],
        fmt=fmt,
        note=note,
    )


def comparison_plot(
    rows: Sequence[Mapping[str, object]],
    *,
    title: str,
    fmt: Fmt,
    target: float | None = None,
    text: Mapping[str, str] | None = None,
) -> str:
    """Regions ranked by one indicator with their CIs; ``target`` drawn as a dashed line.

    ``rows`` hold ``label``, ``estimate`` and optional ``ci_low``, ``ci_high``,
    ``reliability`` (as :func:`setara_web.viz.svg.dot_plot`).
    """
    words = _words(text)
    return svg.dot_plot(
        rows, title=title, fmt=fmt, reference=target, reference_label=words["target"]
    )
