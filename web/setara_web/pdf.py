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

import copy
import importlib.util
import io
import re
from collections.abc import Sequence
from pathlib import Path

from fontTools import ttLib
from fpdf import FPDF
from fpdf.fonts import FontFace, SubsetMap, TTFFont

from setara_web.viz.printable import flatten_patterns

__all__ = ["Report", "font_directory"]

FONT = "dejavu"
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
SYSTEM_FONTS = Path("/usr/share/fonts/truetype/dejavu")
INK, MUTED, RULE = (26, 26, 26), (89, 89, 89), (200, 200, 200)
GRID_PAD_X, GRID_PAD_Y = 1.0, 0.8  # mm inside a table cell, as the tables had before
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


_PARSED: dict[str, TTFFont] = {}  # DejaVu Sans by style, parsed once per process


def _parsed_font(style: str) -> TTFFont:
    if style not in _PARSED:
        scratch = FPDF()
        scratch.add_font(FONT, style=style, fname=font_directory() / FONT_FILES[style])
        found = next(iter(scratch.fonts.values()))
        if not isinstance(found, TTFFont):  # pragma: no cover (add_font makes a TTFFont)
            raise TypeError(f"DejaVu Sans {style!r} was not read as a TrueType font")
        _PARSED[style] = found
    return _PARSED[style]


class Report(FPDF):
    """An A4 report with a footer line and page numbers, in DejaVu Sans."""

    def __init__(self, *, footer: str, page_word: str) -> None:
        super().__init__(format="A4")
        self.footer_text, self.page_word = footer, page_word
        for family in (FONT, "sans-serif"):
            for style in FONT_FILES:
                self._add_parsed_font(family, style)
        self.set_margins(15, 15, 15)
        self.set_auto_page_break(auto=True, margin=16)
        self.set_text_color(*INK)

    def _add_parsed_font(self, family: str, style: str) -> None:
        """Register DejaVu Sans ``style`` as ``family`` from the copy parsed once per process.

        fpdf2's ``add_font`` reads the widths of the font's 6,000 glyphs again for every
        document (about a second for the four fonts of a report); only the state one document
        changes is made new: its number and descriptor, the subset of glyphs it uses, and the
        fontTools object that the subsetter rewrites when the PDF is written.
        """
        font = copy.copy(_parsed_font(style))
        key = f"{family}{style}"
        font.i, font.fontkey = len(self.fonts) + 1, key
        font.desc = copy.copy(font.desc)  # a PDF object: numbered when written, one per font
        font.ttfont = ttLib.TTFont(font.ttffile, recalcTimestamp=False, lazy=True)
        font.missing_glyphs, font.biggest_size_pt = [], 0
        font._hbfont = None
        font.subset = SubsetMap(font)
        self.fonts[key] = font

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
        """A table across the page, ``widths`` giving the columns' proportions: columns
        ``numeric_from`` onwards right-aligned; text wraps, nothing is cut; a row never splits
        across pages and the bold header row starts every page of the table.

        A cell whose text fits its column is placed with one ``text`` call: the 2,056 rows of
        a national access report take under a second, where fpdf2's ``table`` (which lays out
        every cell as a ``multi_cell``) took ten. Only wider text is wrapped.
        """
        scale = self.epw / sum(widths)
        columns = [w * scale for w in widths]
        aligns = ["L" if i < numeric_from else "R" for i in range(len(header))]
        line = size * 0.5
        heading = [str(text) for text in header]
        margin, self.c_margin = self.c_margin, GRID_PAD_X  # multi_cell's inner padding
        self.set_draw_color(*RULE)
        self.set_line_width(0.2)
        self.set_font(FONT, "B", size)
        head = self._grid_layout(heading, columns, line)
        if self.get_y() + head[1] > self.page_break_trigger:
            self.add_page()
        self._grid_row(heading, head, columns, aligns, line)
        for cells in rows:
            self.set_font(FONT, "", size)
            texts = [str(text) for text in cells]
            layout = self._grid_layout(texts, columns, line)
            if self.get_y() + layout[1] > self.page_break_trigger:
                self.add_page()
                self.set_font(FONT, "B", size)
                self._grid_row(heading, head, columns, aligns, line)
                self.set_font(FONT, "", size)
            self._grid_row(texts, layout, columns, aligns, line)
        self.c_margin = margin
        self.ln(2)

    def _advance(self, text: str) -> float:
        """Width of ``text`` in the current font and size (mm), from the font's advance widths
        (fpdf2's ``get_string_width`` normalises the text first and costs four times more)."""
        widths = self.current_font.cw
        return sum(widths[ord(c)] for c in text) * self.font_size_pt * 0.001 / self.k

    def _wrap(self, text: str, room: float) -> list[str] | None:
        """``text`` broken greedily at spaces into lines at most ``room`` mm wide (its own
        line breaks kept); None when one word alone is wider (``multi_cell`` then breaks it)."""
        space, out = self._advance(" "), []
        for paragraph in text.split("\n"):
            line, width = "", 0.0
            for word in paragraph.split(" "):
                size = self._advance(word)
                if size > room:
                    return None
                if line and width + space + size > room:
                    out.append(line)
                    line, width = word, size
                else:
                    line, width = (f"{line} {word}", width + space + size) if line else (word, size)
            out.append(line)
        return out

    def _grid_layout(
        self, texts: Sequence[str], columns: Sequence[float], line: float
    ) -> tuple[list[list[str] | None], float]:
        """Each text's lines in its column in the current font (itself when it fits, else
        wrapped at spaces; None for text only ``multi_cell`` can break) and the row's height:
        its tallest cell and the padding above and below."""
        cells: list[list[str] | None] = []
        tallest = 1
        for text, width in zip(texts, columns, strict=True):
            room = width - 2 * GRID_PAD_X
            fits = "\n" not in text and self._advance(text) <= room
            found = [text] if fits else self._wrap(text, room)
            if found is None:
                broken = self.multi_cell(width, 1, text, dry_run=True, output="LINES")
                tallest = max(tallest, len(broken))
            else:
                tallest = max(tallest, len(found))
            cells.append(found)
        return cells, tallest * line + 2 * GRID_PAD_Y

    def _grid_row(
        self,
        texts: Sequence[str],
        layout: tuple[Sequence[list[str] | None], float],
        columns: Sequence[float],
        aligns: Sequence[str],
        line: float,
    ) -> None:
        """One row at the cursor with a rule below it, laid out by ``_grid_layout``; the
        cursor then goes below it. Lines are placed with ``text`` on the baselines ``cell``
        would use."""
        cells, height = layout
        top, x = self.get_y(), self.l_margin
        first = top + GRID_PAD_Y + 0.5 * line + 0.3 * self.font_size
        for text, found, width, align in zip(texts, cells, columns, aligns, strict=True):
            if found is None:
                self.set_xy(x, top + GRID_PAD_Y)
                self.multi_cell(width, line, text, align=align)
            for k, part in enumerate(found or []):
                left = GRID_PAD_X if align == "L" else width - GRID_PAD_X - self._advance(part)
                if part:
                    self.text(x + left, first + k * line, part)
            x += width
        bottom = top + height
        self.line(self.l_margin, bottom, self.l_margin + sum(columns), bottom)
        self.set_xy(self.l_margin, bottom)

    def chart(
        self,
        svg: str,
        width: float = 180,
        *,
        layers: Sequence[tuple[bytes, tuple[float, float, float, float]]] = (),
    ) -> None:
        """An SVG chart ``width`` mm wide (narrower charts keep their proportions), on a new page
        when it does not fit; dotted and hatched marks drawn as on the page. Each of ``layers``
        is a raster image (PNG bytes) laid over the chart at its box ``(x, y, width, height)``
        in the SVG's own units (a map's thousands of cells, drawn once as pixels)."""
        w, h = self._chart_size(svg, width)
        if self.get_y() + h > self.page_break_trigger:
            self.add_page()
        top = self.get_y()
        self.image(io.BytesIO(flatten_patterns(svg).encode("utf-8")), x=self.l_margin, w=w, h=h)
        found = _VIEWBOX.search(svg)
        units = w / float(found[1]) if found else w / 800.0
        for png, (x, y, box_w, box_h) in layers:
            self.image(
                io.BytesIO(png),
                x=self.l_margin + x * units,
                y=top + y * units,
                w=box_w * units,
                h=box_h * units,
            )
        self.set_y(top + h + 2)

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
