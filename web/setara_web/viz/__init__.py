"""Setara's visualisation layer: maps and charts as SVG strings, with no Django import.

Boundaries (:mod:`.geo`) become SVG path data once and are cached; chart functions
(:mod:`.svg`, built from :mod:`.draw`) turn plain data into accessible, CSP-safe SVG that HTML
pages embed inline and fpdf2 draws in PDFs. Their wording comes from :mod:`.words`, which the
web app overlays with translations (``with words.use({...}):``).

Examples
--------
>>> from setara_web.viz import choropleth, province_boundaries, to_svg_paths
>>> provinces = province_boundaries()
>>> paths, viewbox = to_svg_paths(provinces)
>>> svg = choropleth(paths, viewbox, {"11": 14.2, "31": 4.3}, names=provinces.names,
...                  contains=provinces.contains, title="Poverty", legend_title="P0 (%)",
...                  fmt="{:.1f}".format)
>>> svg.count('class="setara-region"')
33
"""

from setara_web.viz import words
from setara_web.viz.geo import (
    PROVINCE_ATTRIBUTION,
    Boundaries,
    BoundaryError,
    province_boundaries,
    read_boundaries,
    to_svg_paths,
)
from setara_web.viz.svg import (
    bar_chart,
    choropleth,
    class_index,
    dot_plot,
    line_chart,
    quantile_breaks,
)
from setara_web.viz.words import use, word

__all__ = [
    "PROVINCE_ATTRIBUTION",
    "Boundaries",
    "BoundaryError",
    "bar_chart",
    "choropleth",
    "class_index",
    "dot_plot",
    "line_chart",
    "province_boundaries",
    "quantile_breaks",
    "read_boundaries",
    "to_svg_paths",
    "use",
    "word",
    "words",
]
