"""The pieces that make a national access PDF fast draw what the slow ones drew: the map's cells
as one raster land where the vector cells were, tables placed line by line keep every row and
wrap long text, reports after the first reuse the parsed font, and a second download of an
access PDF comes from the cache (``benchmarks/bench_access_pdf.py`` measures the time)."""

from __future__ import annotations

import shutil
import subprocess
from typing import Any

import numpy as np
import polars as pl
import pytest
from services import compute, mapping
from setara_web.pdf import Report
from test_services_reports import _pixels, pdf_text
from test_services_web import places  # noqa: F401  (the fixture: files, analysis, scenarios)

pytestmark = pytest.mark.skipif(
    shutil.which("pdftoppm") is None, reason="poppler-utils (pdftoppm) not installed"
)
WORDS = {"minutes": "min", "unreachable": "no facility", "new_site": "new"}


def _map_pixels(body: bytes) -> np.ndarray:
    """The top of page 1 (where the chart is) at 300 dpi: cells are about 12 pixels wide, so
    the viewer's smoothing of the raster's edges is a thin ring (at 100 dpi it took a quarter
    of each 4-pixel cell)."""
    done = subprocess.run(
        ["pdftoppm", "-r", "300", "-f", "1", "-l", "1", "-W", "2480", "-H", "1300", "-"],
        input=body, capture_output=True, check=True,
    )  # fmt: skip
    return _pixels(done.stdout).astype(int)


def _cells(n: int = 4_000) -> list[list[float | None]]:
    """Grid cells of ``n`` villages over Indonesia's box, a tenth of them out of reach."""
    rng = np.random.default_rng(5)
    minutes = rng.exponential(45.0, n)
    minutes[rng.random(n) < 0.1] = np.inf
    frame = pl.DataFrame(
        {
            "lat": rng.uniform(-10.5, 5.5, n),
            "lon": rng.uniform(95.5, 140.5, n),
            "population": rng.integers(200, 5000, n).astype(float),
            "minutes": minutes,
        }
    ).with_columns((pl.col("minutes") > 30).cast(pl.Float64).alias("beyond"))
    return compute.grid_cells(frame)


def test_raster_cells_land_where_the_vector_cells_were() -> None:
    cells = _cells()
    classes = {mapping.colour(c[2]) for c in cells}
    assert len(classes) == 6  # every time class and the unreachable grey
    vector = mapping.travel_map(cells, title="t", description="d", words=WORDS)
    outline = mapping.travel_map(cells, title="t", description="d", words=WORDS,
                                 draw_cells=False)  # fmt: skip
    assert vector.count("<rect") > len(cells) and outline.count("<rect") < 20
    raster = mapping.cell_raster(cells)
    assert raster is not None and raster[0].startswith(b"\x89PNG")
    png, (x, y, w, h) = raster
    step = w / (max(c[1] for c in cells) - min(c[1] for c in cells) + 1)  # one cell, SVG units
    drawn = []
    for svg, layers in (
        (vector, []),
        (outline, [raster]),
        (outline, [(png, (x + step, y, w, h))]),  # the raster one cell east: a wrong place
    ):
        report = Report(footer="f", page_word="p")
        report.add_page()
        report.chart(svg, layers=layers)
        drawn.append(_map_pixels(report.to_bytes()))
    a, b, shifted = drawn
    assert a.shape == b.shape == shifted.shape
    # Pixel by pixel the pages agree but for the anti-aliased edges of cells (about 2 % of
    # the map's pixels); a raster one cell off differs in about ten times as many.
    differ = (np.abs(a - b).max(axis=1) > 40).mean()
    wrong = (np.abs(a - shifted).max(axis=1) > 40).mean()
    assert differ < 0.04 and wrong > 5 * differ, (differ, wrong)
    for fill in classes:  # each class covers the same area in both
        rgb = np.array([int(fill[i : i + 2], 16) for i in (1, 3, 5)])
        area = [int((np.abs(p - rgb).max(axis=1) <= 2).sum()) for p in (a, b)]
        assert area[0] > 0 and abs(area[0] - area[1]) <= 0.03 * area[0] + 50, (fill, area)


def test_raster_of_no_cells_is_none() -> None:
    assert mapping.cell_raster([]) is None
    assert mapping.cell_raster([[None, None, 3.0, 0.0, 10.0]]) is None


def test_grid_keeps_every_row_wraps_long_text_and_repeats_its_header() -> None:
    report = Report(footer="f", page_word="p")
    report.add_page()
    rows = [[f"Kabupaten Nomor {i:03d}", f"{i * 1000:,}".replace(",", "."), "9,8%"]
            for i in range(300)]  # fmt: skip
    rows[10][0] = "Kabupaten Kepulauan Siau Tagulandang Biaro yang namanya panjang sekali (71.09)"
    rows[20][0] = "Tanpa_spasi_" * 12  # one word wider than its column: broken, never cut
    report.grid(["Wilayah", "Penduduk", "Persentase"], rows, [2.0, 1.0, 1.0])
    body = report.to_bytes()
    text = pdf_text(body)
    flat = " ".join(text.split())
    for i in range(300):
        if i not in (10, 20):
            assert f"Kabupaten Nomor {i:03d}" in flat, i
            assert f"{i * 1000:,}".replace(",", ".") in flat, i
    long_name = "Kabupaten Kepulauan Siau Tagulandang Biaro yang namanya panjang sekali (71.09)"
    at = flat.index("Kabupaten Kepulauan")  # its lines interleave with the row's other cells
    assert all(word in flat[at : at + 200] for word in long_name.split())
    assert "10.000" in flat[at : at + 200]
    joined = "".join(text.split()).replace("20.0009,8%", "")  # the row's other cells
    assert joined.count("Tanpa_spasi_" * 12) == 1
    pages = text.count("\f")
    assert pages >= 5 and text.count("Wilayah") == pages  # the header on every page


def test_reports_after_the_first_reuse_the_parsed_font() -> None:
    bodies = []
    for words in ("Persentase ≥ 25% · Jawa Barat", "Ωmega ≤ 3 — Nusa Tenggara Timur"):
        report = Report(footer="f", page_word="p")
        report.add_page()
        report.paragraph(words)
        report.grid(["Kolom", "Nilai"], [[words, "1.234"]], [2, 1])
        bodies.append((words, report.to_bytes()))
    for words, body in bodies:
        assert words in " ".join(pdf_text(body).split())
        fonts = subprocess.run(["pdffonts", "-"], input=body, capture_output=True,
                               check=True).stdout.decode()  # fmt: skip
        assert "DejaVuSans" in fonts and "Helvetica" not in fonts


@pytest.mark.django_db
def test_a_second_access_pdf_comes_from_the_cache(
    places: dict[str, Any],  # noqa: F811
    monkeypatch: Any,
) -> None:
    from django.core.cache import cache
    from django.utils import translation
    from services import downloads

    cache.clear()
    built: list[str] = []
    draw = downloads.access_pdf

    def counted(*args: Any, **kwargs: Any) -> bytes:
        built.append(translation.get_language())
        return draw(*args, **kwargs)

    monkeypatch.setattr(downloads, "access_pdf", counted)
    job = places["access"]
    with translation.override("id"):
        first, _type = downloads.export(job, "pdf")
        again, _type = downloads.export(job, "pdf")
    assert built == ["id"] and again == first
    with translation.override("en"):
        english, _type = downloads.export(job, "pdf")
    assert built == ["id", "en"] and english != first
    job.title = "Puskesmas 30 (revisi)"
    with translation.override("id"):
        renamed, _type = downloads.export(job, "pdf")
    assert built == ["id", "en", "id"]
    assert "Puskesmas 30 (revisi)" in " ".join(pdf_text(renamed).split())
