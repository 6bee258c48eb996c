"""Building blocks of Setara's SVG charts: colours, escaping, text, axes, markers, legends.

Everything returns SVG source text with presentation attributes only (no ``style``), in user
units of an 800-unit-wide ``viewBox``. Colours: viridis (Smith & van der Walt 2015) for classes,
Okabe & Ito (2008) for series; lines and text have at least 3:1 contrast on white (WCAG 2.1,
1.4.11); the tests check the ratios. Reliability wording follows BPS practice as in
``setara.results``.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable, Mapping, Sequence
from xml.sax.saxutils import escape, quoteattr

from setara_web.viz.geo import svg_number as _n
from setara_web.viz.words import word

Fmt = Callable[[float], str]
Row = Mapping[str, object]
WIDTH = 800
INK = "#1a1a1a"  # text, axes, whiskers: 17:1 on white
MUTED = "#595959"  # region outlines, notes: 7:1 on white
MARK = "#3b528b"  # dots and bars: 7.5:1 on white
GRID = "#d9d9d9"  # decorative gridlines only
NO_DATA = "#e8e8e8"
SEQUENTIAL = ("#fde725", "#5ec962", "#21918c", "#3b528b", "#440154")  # viridis, low → high
SERIES_COLOURS = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", INK)  # all ≥ 3:1 on white
DASHES = ("", "8 4", "2 3", "8 3 2 3", "4 4")
CAUTION, UNRELIABLE = "caution", "unreliable"
NOTES = {CAUTION: "caution_note", UNRELIABLE: "unreliable_note"}  # keys of words.DEFAULT
LEGEND = {CAUTION: "caution_legend", UNRELIABLE: "unreliable_legend"}
PATTERNS = {CAUTION: "dots", UNRELIABLE: "hatch"}
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def esc(value: object) -> str:
    """Text content escaped for XML, with characters XML forbids removed."""
    return escape(_CONTROL.sub("", str(value)))


def attr(value: object) -> str:
    """Quoted, escaped attribute value."""
    return quoteattr(_CONTROL.sub("", str(value)))


def element_id(kind: str, title: str, id_prefix: str | None) -> str:
    """Id prefix: ``id_prefix`` made safe, else ``setara-<kind>-<hash of title>``."""
    if id_prefix:
        return re.sub(r"[^A-Za-z0-9_-]", "-", id_prefix)
    return f"setara-{kind}-{hashlib.sha1(title.encode(), usedforsecurity=False).hexdigest()[:8]}"


def document(
    kind: str, uid: str, height: float, title: str, desc: str, body: list[str], width: int = WIDTH
) -> str:
    """Root ``<svg>`` with ``role="img"``, labelled by its ``<title>`` and ``<desc>``.

    Its ``width`` is the viewBox width in CSS pixels, so the page draws one user unit as one
    pixel and the 12-unit text at 12 px; the stylesheet lets it shrink (``max-width: 100%``)
    only on screens narrower than the chart (phones), never to fit a side-by-side grid.
    """
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="{uid}-title'
        f' {uid}-desc" viewBox="0 0 {width} {math.ceil(height)}" width="{width}"'
        f' class="setara-chart setara-{kind}"><title id="{uid}-title">{esc(title)}</title>'
        f'<desc id="{uid}-desc">{esc(desc)}</desc>{"".join(body)}</svg>'
    )


def text(
    x: float, y: float, content: str, anchor: str = "start", *, size: int = 12,
    bold: bool = False, fill: str = INK,
) -> str:  # fmt: skip
    """Text in the chart font (sans-serif), escaped."""
    extra = (f' text-anchor="{anchor}"' if anchor != "start" else "") + (
        ' font-weight="bold"' if bold else ""
    )
    return (
        f'<text x="{_n(x)}" y="{_n(y)}" font-family="sans-serif" font-size="{size}"'
        f' fill="{fill}"{extra}>{esc(content)}</text>'
    )


def line(
    x1: float, y1: float, x2: float, y2: float, colour: str, width: float, dash: str = ""
) -> str:
    """A stroked line, optionally dashed."""
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    return (
        f'<line x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}" stroke="{colour}"'
        f' stroke-width="{width}"{dash_attr}/>'
    )


def rect(x: float, y: float, width: float, height: float, fill: str) -> str:
    """A filled rectangle."""
    return (
        f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(width)}" height="{_n(height)}" fill="{fill}"/>'
    )


def patterns(uid: str) -> str:
    """Hatch and dot fills: black marks with a white halo, visible on light and dark fills."""
    return (
        f'<defs><pattern id="{uid}-hatch" patternUnits="userSpaceOnUse" width="6" height="6"'
        ' patternTransform="rotate(45)"><line x1="3" y1="0" x2="3" y2="6" stroke="#ffffff"'
        ' stroke-width="2.5"/><line x1="3" y1="0" x2="3" y2="6" stroke="#000000"'
        f' stroke-width="1"/></pattern><pattern id="{uid}-dots" patternUnits="userSpaceOnUse"'
        ' width="6" height="6"><circle cx="3" cy="3" r="1.6" fill="#ffffff"/>'
        '<circle cx="3" cy="3" r="0.9" fill="#000000"/></pattern></defs>'
    )


def swatch(x: float, y: float, fill: str, label: str, pattern_id: str = "") -> str:
    """Legend entry: a 22 x 14 box (optionally patterned) and its label."""
    overlay = f'<rect x="{_n(x)}" y="{_n(y)}" width="22" height="14" fill="url(#{pattern_id})"/>'
    return (
        f'<g class="setara-legend-item"><rect x="{_n(x)}" y="{_n(y)}" width="22" height="14"'
        f' fill="{fill}" stroke="{MUTED}" stroke-width="0.75"/>{overlay if pattern_id else ""}'
        f"{text(x + 28, y + 11, label)}</g>"
    )


def class_colours(count: int) -> list[str]:
    """``count`` colours spread over :data:`SEQUENTIAL`, light to dark."""
    if count == 1:
        return [SEQUENTIAL[2]]
    return [SEQUENTIAL[round(i * (len(SEQUENTIAL) - 1) / (count - 1))] for i in range(count)]


def reliability_status(flag: object) -> str:
    """``""`` (reliable or unknown), ``"caution"`` or ``"unreliable"`` (any other flag)."""
    if flag is None or flag in ("", "reliable"):
        return ""
    return CAUTION if flag == CAUTION else UNRELIABLE


def value_text(
    value: float | None, flag: object, fmt: Fmt, low: float | None = None,
    high: float | None = None,
) -> str:  # fmt: skip
    """Value, CI and reliability note, e.g. "12.3, CI 10.1 to 14.5 (use with caution, ...)"."""
    if value is None:
        return word("no_data")
    out = fmt(value)
    if low is not None and high is not None:
        out = word("value_ci", value=out, low=fmt(low), high=fmt(high))
    kind = reliability_status(flag)
    if kind:
        note = word(NOTES[kind]) if flag in NOTES else word("other_flag_note", flag=flag)
        out = word("value_flag", value=out, note=note)
    return out


def to_float(value: object) -> float | None:
    """A finite float, or None for None, NaN, infinities and non-numbers."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def parse_row(row: Row, key: str) -> tuple[str, float | None, float | None, float | None, object]:
    """``(label, value, ci_low, ci_high, reliability)`` from a row mapping."""
    value, low, high = (to_float(row.get(k)) for k in (key, "ci_low", "ci_high"))
    return str(row.get("label", "")), value, low, high, row.get("reliability")


def parse_points(pairs: object) -> list[tuple[float, float]]:
    """``(x, y)`` pairs as floats, dropping pairs with a missing or non-finite number."""
    floats = [(to_float(p[0]), to_float(p[1])) for p in pairs or ()]  # type: ignore[attr-defined]
    return [(x, y) for x, y in floats if x is not None and y is not None]


def cut(label: str, length: int) -> str:
    """Shorten ``label`` to ``length`` characters with an ellipsis."""
    return label if len(label) <= length else label[: max(length - 3, 1)] + "..."


def nice_ticks(numbers: Sequence[float], count: int = 5) -> list[float]:
    """Round tick values covering ``numbers`` with steps of 1, 2, 2.5 or 5 times 10^k."""
    low, high = (min(numbers), max(numbers)) if numbers else (0.0, 1.0)
    if high - low < 1e-12:
        low, high = (
            (low - 1, high + 1) if low == 0 else (low - abs(low) / 10, high + abs(high) / 10)
        )
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first, last = math.floor(low / step + 1e-9), math.ceil(high / step - 1e-9)
    return [round(i * step, 12) for i in range(first, last + 1)]


def linear_scale(d0: float, d1: float, r0: float, r1: float) -> Callable[[float], float]:
    """Map the data interval [d0, d1] linearly onto [r0, r1]."""
    factor = (r1 - r0) / (d1 - d0)
    return lambda value: r0 + (value - d0) * factor


def axis_x(
    ticks: Sequence[float], sx: Callable[[float], float], top: float, bottom: float, fmt: Fmt,
    label: str, *, grid: bool = True,
) -> list[str]:  # fmt: skip
    """Vertical gridlines, a baseline and tick labels under it, and the axis label."""
    out = [line(sx(t), top, sx(t), bottom, GRID, 1) for t in ticks] if grid else []
    out.append(line(sx(ticks[0]), bottom, sx(ticks[-1]), bottom, INK, 1))
    out += [text(sx(t), bottom + 16, fmt(t), "middle") for t in ticks]
    if label:
        out.append(text((sx(ticks[0]) + sx(ticks[-1])) / 2, bottom + 34, label, "middle"))
    return out


def axis_y(
    ticks: Sequence[float], sy: Callable[[float], float], x0: float, x1: float, fmt: Fmt,
    label: str, top: float,
) -> list[str]:  # fmt: skip
    """Horizontal gridlines, a left axis with tick labels, and the label above it."""
    out = [line(x0, sy(t), x1, sy(t), GRID, 1) for t in ticks]
    out.append(line(x0, sy(ticks[0]), x0, sy(ticks[-1]), INK, 1))
    out += [text(x0 - 6, sy(t) + 4, fmt(t), "end") for t in ticks]
    if label:
        out.append(text(x0, top - 12, label))
    return out


def marker(x: float, y: float, status: str) -> str:
    """Dot-plot marker: filled dot, filled diamond (caution) or hollow dot (unreliable)."""
    if status == CAUTION:
        return f'<path d="M{_n(x)} {_n(y - 5.5)}l5.5 5.5 -5.5 5.5 -5.5 -5.5Z" fill="{MARK}"/>'
    fill = "#ffffff" if status == UNRELIABLE else MARK
    return (
        f'<circle cx="{_n(x)}" cy="{_n(y)}" r="4.5" fill="{fill}" stroke="{MARK}"'
        ' stroke-width="1.5"/>'
    )


def marker_legend(y: float) -> list[str]:
    """Legend of the three markers in one row."""
    entries = [
        ("", word("reliable_legend")),
        *((s, word(LEGEND[s])) for s in (CAUTION, UNRELIABLE)),
    ]
    items, x = [], 0.0
    for status, label in entries:
        items.append(
            f'<g class="setara-legend-item">{marker(x + 8, y - 4, status)}'
            f"{text(x + 20, y, label)}</g>"
        )
        x += 20 + text_width(label) + 28
    return items


def text_width(content: str, size: int = 12) -> float:
    """Generous width of ``content`` in the chart font (DejaVu/Arial average 0.6 em), for
    laying out legends so that a longer translation never overlaps the next entry."""
    return 0.6 * size * len(content)


def error_bar(mid: float, a: float, b: float, vertical: bool) -> list[str]:
    """Whisker from ``a`` to ``b`` at ``mid`` with end caps."""

    def seg(p1: float, q1: float, p2: float, q2: float) -> str:
        return line(p1, q1, p2, q2, INK, 1.5) if vertical else line(q1, p1, q2, p2, INK, 1.5)

    return [seg(mid, a, mid, b), seg(mid - 5, a, mid + 5, a), seg(mid - 5, b, mid + 5, b)]


def bar_value(mid: float, tips: list[float], positive: bool, vertical: bool, label: str) -> str:
    """Value label just beyond the bar end or error bar, on the side the bar grows to."""
    if vertical:
        return text(mid, min(tips) - 6 if positive else max(tips) + 14, label, "middle")
    if positive:
        return text(max(tips) + 6, mid + 4, label)
    return text(min(tips) - 6, mid + 4, label, "end")


def chart_description(
    kind: str, items: Sequence[tuple[str, float | None, object, object, object]], fmt: Fmt
) -> str:
    """One-sentence ``<desc>``: how many rows have values, the lowest and the highest."""
    known = [(label, v) for label, v, *_rest in items if v is not None]
    if not known:
        return word("desc_empty", kind=kind, rows=len(items))
    (low_label, low), (high_label, high) = (
        min(known, key=lambda i: i[1]),
        max(known, key=lambda i: i[1]),
    )
    return word(
        "desc_range", kind=kind, rows=len(items), known=len(known), low=fmt(low),
        low_label=low_label, high=fmt(high), high_label=high_label,
    )  # fmt: skip
