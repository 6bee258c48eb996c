"""The travel-time map: grid cells of villages over the province outlines, as server-side SVG
(no Django, tested by value).

Villages are aggregated to cells of :data:`services.compute.CELL_DEG` degrees before they reach
the page, so the map of all ~84,000 villages of Indonesia is a few thousand rectangles; the
projection is the province map's (equirectangular, x = longitude × cos(mean latitude)).
"""

from __future__ import annotations

import io
import itertools
import math
from collections.abc import Mapping, Sequence

import numpy as np
from setara_web.viz.draw import INK, MUTED, NO_DATA, SEQUENTIAL, SERIES_COLOURS, attr, esc, swatch
from setara_web.viz.geo import province_boundaries, svg_number, to_svg_paths

from services.compute import CELL_DEG, TIME_CLASSES

WIDTH = 800
MARGIN = 4.0
UNREACHABLE = "#7f7f7f"
SITE = "#d55e00"


def _frame() -> tuple[float, float, float, float]:
    """West, north, x scale (per degree of longitude) and y scale of the province map."""
    rings = province_boundaries().features.values()
    points = [p for shapes in rings for ring in shapes for p in ring]
    west, east = min(p[0] for p in points), max(p[0] for p in points)
    south, north = min(p[1] for p in points), max(p[1] for p in points)
    aspect = math.cos(math.radians((south + north) / 2))
    scale = (WIDTH - 2 * MARGIN) / ((east - west) * aspect)
    return west, north, aspect * scale, scale


def colour(minutes: float | None) -> str:
    """The class colour of a mean travel time (grey when nobody in the cell can reach one)."""
    if minutes is None:
        return UNREACHABLE
    for edge, fill in zip(TIME_CLASSES, SEQUENTIAL, strict=False):
        if minutes <= edge:
            return fill
    return SEQUENTIAL[len(TIME_CLASSES)]


def legend(words: Mapping[str, str]) -> list[tuple[str, str]]:
    """(colour, label) of every class, for the legend beside the map."""
    edges = [0.0, *TIME_CLASSES]
    out = [
        (SEQUENTIAL[i], f"{svg_number(a)}–{svg_number(b)} {words['minutes']}")
        for i, (a, b) in enumerate(itertools.pairwise(edges))
    ]
    out.append(
        (SEQUENTIAL[len(TIME_CLASSES)], f"> {svg_number(TIME_CLASSES[-1])} {words['minutes']}")
    )
    out.append((UNREACHABLE, words["unreachable"]))
    return out


def travel_map(
    cells: Sequence[Sequence[float | None]],
    *,
    title: str,
    description: str,
    words: Mapping[str, str],
    sites: Sequence[Mapping[str, object]] = (),
    site_groups: Sequence[str] = (),
    draw_cells: bool = True,
) -> str:
    """SVG of the cells (``[lat index, lon index, minutes, …]``) coloured by mean travel time,
    over the provinces, with chosen ``sites`` (``lat``, ``lon``) as circles; with
    ``site_groups`` (scenario names), a site's ``group`` index picks its colour and legend.
    Without ``draw_cells`` the cells keep their legend but are left to :func:`cell_raster`
    (the PDF lays that image over the outlines, where thousands of rectangles took seconds)."""
    west, north, sx, sy = _frame()
    paths, viewbox = to_svg_paths(province_boundaries(), WIDTH)
    height = float(viewbox.split()[3])
    keys = [] if not cells else legend(words)
    if site_groups:
        keys += [(SERIES_COLOURS[k % 4], name) for k, name in enumerate(site_groups)]
    elif sites:
        keys.append((SITE, words["new_site"]))
    body = [
        f'<path d="{d}" fill="{NO_DATA}" stroke="{MUTED}" stroke-width="0.5" fill-rule="evenodd"/>'
        for d in paths.values()
    ]
    w, h = svg_number(max(CELL_DEG * sx, 1.0)), svg_number(max(CELL_DEG * sy, 1.0))
    for row in cells if draw_cells else ():
        i, j, minutes = row[0], row[1], row[2]
        if i is None or j is None:
            continue
        x = MARGIN + (j * CELL_DEG - west) * sx
        y = MARGIN + (north - (i + 1) * CELL_DEG) * sy
        body.append(
            f'<rect x="{svg_number(x)}" y="{svg_number(y)}" width="{w}" height="{h}"'
            f' fill="{colour(minutes)}"/>'
        )
    for found in sites:
        x = MARGIN + (float(str(found["lon"])) - west) * sx
        y = MARGIN + (north - float(str(found["lat"]))) * sy
        fill = SERIES_COLOURS[int(str(found.get("group", 0))) % 4] if site_groups else SITE
        body.append(
            f'<circle cx="{svg_number(x)}" cy="{svg_number(y)}" r="5" fill="{fill}"'
            f' stroke="{INK}" stroke-width="1"><title>{esc(found.get("id", ""))}</title></circle>'
        )
    # The legend below the map: three columns of short labels, else one label a row.
    cols = 3 if all(len(label) <= 30 for _fill, label in keys) else 1
    for k, (fill, label) in enumerate(keys):
        body.append(swatch(8 + 260 * (k % cols), height + 8 + 22 * (k // cols), fill, label))
    total = math.ceil(height + 12 + 22 * math.ceil(len(keys) / cols))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label={attr(title)}'
        f' viewBox="0 0 {WIDTH} {total}" width="{WIDTH}" class="setara-chart setara-access-map">'
        f"<title>{esc(title)}</title><desc>{esc(description)}</desc>{''.join(body)}</svg>"
    )


def cell_raster(
    cells: Sequence[Sequence[float | None]], *, pixels_per_cell: int = 12
) -> tuple[bytes, tuple[float, float, float, float]] | None:
    """The cells of :func:`travel_map` as one PNG image, transparent where no village lies,
    and its box ``(x, y, width, height)`` in the map's SVG units (None without cells).

    The map grid is regular in the SVG (x and y are linear in longitude and latitude), so a
    cell is a square of ``pixels_per_cell`` pixels: at the PDF's 180 mm map width a cell is
    about 1 mm, so 12 pixels a cell print at 300 dpi with sharp edges in any viewer.
    """
    grid = np.array([row[:3] for row in cells if row[0] is not None and row[1] is not None],
                    dtype=float).reshape(-1, 3)  # fmt: skip
    if grid.shape[0] == 0:
        return None
    i, j, minutes = grid[:, 0].astype(int), grid[:, 1].astype(int), grid[:, 2]
    palette = np.array([_rgb(c) for c in (*SEQUENTIAL[: len(TIME_CLASSES) + 1], UNREACHABLE)])
    # The class of each cell as colour(): the first edge at or above its minutes; no time,
    # the unreachable grey.
    klass = np.searchsorted(np.asarray(TIME_CLASSES), np.nan_to_num(minutes), side="left")
    klass = np.where(np.isnan(minutes), len(TIME_CLASSES) + 1, klass)
    top, left = i.max(), j.min()
    image = np.zeros((top - i.min() + 1, j.max() - left + 1, 4), dtype=np.uint8)
    image[top - i, j - left, :3] = palette[klass]
    image[top - i, j - left, 3] = 255
    image = image.repeat(pixels_per_cell, axis=0).repeat(pixels_per_cell, axis=1)
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(image, "RGBA").save(buffer, format="PNG", compress_level=1)
    west, north, sx, sy = _frame()
    x = MARGIN + (left * CELL_DEG - west) * sx
    y = MARGIN + (north - (top + 1) * CELL_DEG) * sy
    box = (x, y, (j.max() - left + 1) * CELL_DEG * sx, (top - i.min() + 1) * CELL_DEG * sy)
    return buffer.getvalue(), box


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return int(hex_colour[1:3], 16), int(hex_colour[3:5], 16), int(hex_colour[5:7], 16)
