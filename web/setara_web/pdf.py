"""Printable A4 reports in a Unicode font: cover, headings, wrapped tables, SVG charts (no Django).

fpdf2's built-in fonts are Latin-1 only (they would turn "≥" or a Javanese name into "?"), so
every report embeds DejaVu Sans, found offline in the ``matplotlib`` package (a dependency of the
web app) or, failing that, in Debian's ``fonts-dejavu-core``. It is registered twice: as the
report's text font and as ``sans-serif``, the family the SVG charts name. Tables wrap long text
onto more lines rather than cutting it, and repeat their header row on each new page. Charts
are drawn from the page's own SVG, with the dotted and hatched reliability patterns redrawn by
:func:`setara_web.viz.printable.flatten_patterns`.
"""

from __future__ import annotations

import importlib.util
import io
import re
from collections.abc import Sequence
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

from setara_web.viz.printable import flatten_patterns

__all__ = ["Report", "font_directory"]

FONT = "dejavu"
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
SYSTEM_FONTS = Path("/usr/share/fonts/truetype/dejavu")
INK, MUTED, RULE = (26, 26, 26), (89, 89, 89), (200, 200, 200)
_VIEWBOX = re.compile(r'viewBox="0 0 ([\d.]+) ([\d.]+)"')


def font_directory() -> Path:
    """Folder holding DejaVu Sans: matplotlib's ``mpl-data/fonts/ttf``, else Debian's.

    The package is located without importing it (importing matplotlib takes a second).
    """
    spec = importlib.util.find_spec("matplotlib")
    candidates = []
    if spec is not None and spec.submodule_search_locations:
        for location in spec.submodule_search_locations:
            candidates.append(Path(location) / "mpl-data" / "fonts" / "ttf")
    candidates.append(SYSTEM_FONTS)
    for folder in candidates:
        if all((folder / name).is_file() for name in FONT_FILES.values()):
            return folder
    raise RuntimeError(
        "no DejaVu Sans font for PDF reports: install the web dependencies "
        "(pip install 'setara[web]', which brings matplotlib) or fonts-dejavu-core"
    )


class Report(FPDF):
    """An A4 report with a footer line and page numbers, in DejaVu Sans."""

    def __init__(self, *, footer: str, page_word: str) -> None:
        super().__init__(format="A4")
        self.footer_text, self.page_word = footer, page_word
        folder = font_directory()
        for family in (FONT, "sans-serif"):
            for style, name in FONT_FILES.items():
                self.add_font(family, style=style, fname=folder / name)
        self.set_margins(15, 15, 15)
        self.set_auto_page_break(auto=True, margin=16)
        self.set_text_color(*INK)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, size=7)
        self.set_text_color(*MUTED)
        self.cell(0, 8, f"{self.footer_text} · {self.page_word} {self.page_no()}", align="C")
        self.set_text_color(*INK)

    def cover(self, title: str, facts: Sequence[tuple[str, str]], summary: str = "") -> None:
        """First page: the title, then one labelled line per fact (wrapped, never cut)."""
        self.add_page()
        self.ln(30)
        self.set_font(FONT, "B", 20)
        self.multi_cell(0, 10, title, new_x="LMARGIN", new_y="NEXT")
        self.ln(8)
        with self.table(
            col_widths=(1, 3),
            first_row_as_headings=False,
            borders_layout="HORIZONTAL_LINES",
            text_align=("LEFT", "LEFT"),
            line_height=6,
            padding=(1.5, 2),
        ) as table:
            self.set_font(FONT, size=10)
            for label, value in facts:
                row = table.row()
                row.cell(label, style=FontFace(emphasis="BOLD"))
                row.cell(value)
        if summary:
            self.ln(8)
            self.set_font(FONT, size=10)
            self.multi_cell(0, 5.5, summary, new_x="LMARGIN", new_y="NEXT")

    def heading(self, text: str, size: int = 13, *, chart: str | None = None) -> None:
        """A section heading, on a new page when fewer than 40 mm remain or when the ``chart``
        that follows it would not fit below it (a heading never ends a page)."""
        room = 40.0 if chart is None else self._chart_size(chart)[1] + 14
        if self.get_y() > self.page_break_trigger - room:
            self.add_page()
        self.ln(3)
        self.set_font(FONT, "B", size)
        self.multi_cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
        self.ln(1)

    def paragraph(self, text: str, size: float = 8.5, muted: bool = False) -> None:
        self.set_font(FONT, size=size)
        if muted:
            self.set_text_color(*MUTED)
        self.multi_cell(0, size * 0.5, text, new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(*INK)
        self.ln(1)

    def grid(
        self,
        header: Sequence[str],
        rows: Sequence[Sequence[str]],
        widths: Sequence[float],
        *,
        numeric_from: int = 1,
        size: float = 7.0,
    ) -> None:
        """A table: columns ``numeric_from`` onwards right-aligned; text wraps, nothing is cut."""
        aligns = tuple("LEFT" if i < numeric_from else "RIGHT" for i in range(len(header)))
        self.set_font(FONT, size=size)
        with self.table(
            col_widths=tuple(widths),
            text_align=aligns,
            borders_layout="HORIZONTAL_LINES",
            headings_style=FontFace(emphasis="BOLD"),
            line_height=size * 0.5,
            padding=(0.8, 1),
            align="LEFT",
            width=self.epw,
        ) as table:
            for cells in [header, *rows]:
                row = table.row()
                for text in cells:
                    row.cell(str(text))
        self.ln(2)

    def chart(self, svg: str, width: float = 180) -> None:
        """An SVG chart ``width`` mm wide (narrower charts keep their proportions), on a new page
        when it does not fit; dotted and hatched marks drawn as on the page."""
        w, h = self._chart_size(svg, width)
        if self.get_y() + h > self.page_break_trigger:
            self.add_page()
        self.image(io.BytesIO(flatten_patterns(svg).encode("utf-8")), x=self.l_margin, w=w, h=h)
        self.set_y(self.get_y() + 2)

    def _chart_size(self, svg: str, width: float = 180) -> tuple[float, float]:
        """Width and height in mm: 800 SVG units take ``width``, at most one page high."""
        found = _VIEWBOX.search(svg)
        vb_w, vb_h = (float(found[1]), float(found[2])) if found else (800.0, 500.0)
        w = min(width, self.epw) * min(1.0, vb_w / 800.0)
        h = w * vb_h / vb_w
        tallest = self.page_break_trigger - self.t_margin - 10
        return (w * tallest / h, tallest) if h > tallest else (w, h)

    def to_bytes(self) -> bytes:
        return bytes(self.output())
