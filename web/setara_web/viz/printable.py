"""Setara's SVG charts for renderers without ``<pattern>`` fills, such as fpdf2's PDF reports.

The page marks caution estimates with dots and unreliable ones with hatching (SVG patterns, see
:func:`setara_web.viz.draw.patterns`). fpdf2 draws no patterns, so a report would show both as
plain fills. :func:`flatten_patterns` replaces each patterned area by the same marks drawn as
strokes and clipped to the area (``clip-path`` to a polygon, which fpdf2 supports): the same
tile size, angle, halo and stroke widths as the page, in the same user space, so the report
looks like the page.

Examples
--------
>>> from setara_web.viz.draw import patterns, rect
>>> svg = f'<svg>{patterns("m")}{rect(0, 0, 12, 6, "url(#m-hatch)")}</svg>'
>>> flat = flatten_patterns(svg)
>>> "<pattern" in flat, 'clip-path="url(#m_clip1)"' in flat
(False, True)
"""

from __future__ import annotations

import math
import re

__all__ = ["flatten_patterns"]

TILE = 6.0  # the pattern tile of draw.patterns, in user units
_DEFS = re.compile(r"<defs><pattern .*?</pattern></defs>", re.S)
_FILLED = re.compile(
    r'<(?P<tag>path|rect) (?P<attrs>[^>]*?)fill="url\(#(?P<id>[\w-]+)-(?P<kind>hatch|dots)\)"'
    r"(?P<rest>[^>]*)/>"
)
_ATTR = re.compile(r'(\w[\w-]*)="([^"]*)"')
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e-?\d+)?")


def _outlines(tag: str, attrs: dict[str, str]) -> list[list[float]]:
    """The area of a ``<rect>``, or of a ``<path>`` of absolute M/L/Z rings (as ``geo`` and
    ``draw`` write them), as one flat ``[x0, y0, x1, y1, …]`` polygon per ring.

    fpdf2 clips only to polygon and basic shapes, one shape per ``<clipPath>``, so a
    many-island province is clipped ring by ring (holes are not cut out).
    """
    if tag == "rect":
        x, y = float(attrs.get("x", 0)), float(attrs.get("y", 0))
        w, h = float(attrs["width"]), float(attrs["height"])
        return [[x, y, x + w, y, x + w, y + h, x, y + h]]
    rings = [[float(v) for v in _NUMBER.findall(ring)] for ring in attrs["d"].split("M")]
    return [ring for ring in rings if len(ring) >= 6]


def _hatch(box: tuple[float, float, float, float]) -> str:
    """Lines of the page's hatch: vertical lines at x = 3 + 6k of a tile rotated by 45°,
    i.e. the lines x + y = √2 (3 + 6k) in user space."""
    x0, y0, x1, y1 = box
    step = TILE * math.sqrt(2)
    first = math.floor((x0 + y0) / step - 0.5) - 1
    last = math.ceil((x1 + y1) / step - 0.5) + 1
    segments = []
    for k in range(first, last + 1):
        c = step * (k + 0.5)
        segments.append(f"M{c - y0:.2f} {y0:.2f}L{c - y1:.2f} {y1:.2f}")
    return "".join(segments)


def _dots(box: tuple[float, float, float, float]) -> str:
    """Dots of the page's pattern at (3 + 6i, 3 + 6j), as zero-length round-capped strokes."""
    x0, y0, x1, y1 = box
    xs = range(math.floor(x0 / TILE), math.ceil(x1 / TILE) + 1)
    ys = range(math.floor(y0 / TILE), math.ceil(y1 / TILE) + 1)
    return "".join(f"M{TILE * i + 3:.2f} {TILE * j + 3:.2f}h0.01" for i in xs for j in ys)


def flatten_patterns(svg: str) -> str:
    """``svg`` with every ``fill="url(#…-hatch|dots)"`` area drawn as clipped strokes and the
    pattern definitions removed."""
    count = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal count
        attrs = dict(_ATTR.findall(match["attrs"] + match["rest"]))
        parts = []
        for ring in _outlines(match["tag"], attrs):
            xs, ys = ring[0::2], ring[1::2]
            box = (min(xs), min(ys), max(xs), max(ys))
            points = " ".join(f"{x:g},{y:g}" for x, y in zip(xs, ys, strict=True))
            if match["kind"] == "hatch":
                marks, widths, cap = _hatch(box), (2.5, 1.0), "butt"
            else:
                marks, widths, cap = _dots(box), (3.2, 1.8), "round"
            for colour, width in zip(("#ffffff", "#000000"), widths, strict=True):
                # fpdf2 attaches a clip path to one shape only: one clipPath per stroke.
                count += 1
                clip = f"{match['id'].replace('-', '_')}_clip{count}"
                parts.append(
                    f'<defs><clipPath id="{clip}"><polygon points="{points}"/></clipPath></defs>'
                    f'<path d="{marks}" fill="none" stroke-linecap="{cap}" stroke="{colour}"'
                    f' stroke-width="{width}" clip-path="url(#{clip})"/>'
                )
        return "".join(parts)

    return _FILLED.sub(replace, _DEFS.sub("", svg))
