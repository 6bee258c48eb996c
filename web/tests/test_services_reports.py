"""Public-services downloads to hand on: the access and siting PDFs read back with ``pdftotext``
(cover facts, headline, map, regions with group gaps, plan, coverage by group, sites) and the
XLSX read back with openpyxl, in Indonesian and in English, with Indonesian numbers in id."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from audit.models import AuditEvent
from services import mapping
from setara_web.viz.draw import NO_DATA
from test_services_web import places  # noqa: F401  (the fixture: files, analysis, scenarios)

DUMP = os.environ.get("SETARA_DUMP_REPORTS")  # a folder: keep the PDFs to look at them

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None and not os.environ.get("SETARA_REQUIRE_E2E"),
    reason="poppler-utils (pdftotext) not installed",
)

# Words the reader must see, per language (group columns poor, urban, is_3t of the fixture).
WORDS = {
    "id": {
        "groups": ["miskin", "bukan miskin", "selisih miskin", "daerah 3T", "perkotaan"],
        "cover": ["Fasilitas", "Desa", "Ambang batas", "30 menit", "km/jam"],
        # 20 Bogor villages of 1,000 + 50 i and 20 Kupang villages of 1,000 + 150 i people.
        "numbers": ["29.500", "48.500", "78.000"],
        "siting": ["Rencana", "Lokasi terpilih", "bukan miskin", "optimal (terbukti)"],
        "foreign": ["Beyond the threshold", "not poor", "Chosen sites", "The plan"],
    },
    "en": {
        "groups": ["poor", "not poor", "gap poor", "3T regions", "urban"],
        "cover": ["Facilities", "Villages", "Threshold", "30 minutes", "km/h"],
        "numbers": ["29,500", "48,500", "78,000"],
        "siting": ["The plan", "Chosen sites", "not poor", "optimal (proven)"],
        "foreign": ["Ambang", "bukan miskin", "Lokasi terpilih", "Rencana"],
    },
}


def pdf_text(body: bytes) -> str:
    done = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=body, capture_output=True, check=True
    )
    return done.stdout.decode("utf-8")


def _pixels(ppm: bytes) -> np.ndarray:
    """The RGB pixels of a binary PPM (pdftoppm's default output), one row each."""
    header = ppm.split(maxsplit=4)  # P6, width, height, maxval, pixels
    width, height = int(header[1]), int(header[2])
    return np.frombuffer(header[4][: width * height * 3], dtype=np.uint8).reshape(-1, 3)


def _count(pixels: np.ndarray, hex_colour: str) -> int:
    """How many pixels have ``hex_colour`` (within 2 levels a channel)."""
    rgb = np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)])
    return int((np.abs(pixels.astype(int) - rgb).max(axis=1) <= 2).sum())


def _client(as_persona: Any, language: str) -> Any:
    from agencies.actions import set_language
    from django.contrib.auth import get_user_model

    set_language(get_user_model().objects.get(username="analyst"), language)
    return as_persona("analyst")


def _keep(body: bytes, name: str) -> None:
    if DUMP:
        Path(DUMP).mkdir(parents=True, exist_ok=True)
        (Path(DUMP) / name).write_bytes(body)


@pytest.mark.parametrize("language", ["id", "en"])
def test_access_pdf_has_cover_headline_map_and_regions_in_one_language(
    places: dict[str, Any],  # noqa: F811
    as_persona: Any,
    language: str,
) -> None:
    client = _client(as_persona, language)
    job = places["access"]
    page = client.get(f"/services/access/{job.pk}/").content.decode()
    assert f"/services/access/{job.pk}/export.pdf" in page
    response = client.get(f"/services/access/{job.pk}/export.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    _keep(response.content, f"access-{language}.pdf")
    text = pdf_text(response.content)
    flat = " ".join(text.split())
    words = WORDS[language]
    for word in [*words["groups"], *words["cover"], *words["numbers"], "Puskesmas 30"]:
        assert word in flat, word
    for word in words["foreign"]:
        assert word not in flat, word
    assert "Kabupaten Kupang" in flat and "Kabupaten Bogor" in flat
    # The headline share, written in the reader's style (9,8% / 9.8%), as on the page.
    share = 100 * job.result["overall"]["beyond_share"]
    written = f"{share:.1f}%"
    assert (written.replace(".", ",") if language == "id" else written) in flat
    # The map is drawn (an image in the page), with its legend's words.
    assert ("tidak ada fasilitas" if language == "id" else "no facility within reach") in flat
    # The map is drawn on page 1: the provinces' fill covers a large area (about 30,000 pixels
    # at 100 dpi; a page without the map has under 1,000 of that grey, from anti-aliased rules)
    # and the legend shows every cell's class colour.
    drawn = subprocess.run(["pdftoppm", "-r", "100", "-f", "1", "-l", "1", "-"],
                           input=response.content, capture_output=True, check=True)  # fmt: skip
    pixels = _pixels(drawn.stdout)
    assert _count(pixels, NO_DATA) > 10_000
    assert all(_count(pixels, mapping.colour(cell[2])) > 0 for cell in job.result["cells"])
    fonts = subprocess.run(["pdffonts", "-"], input=response.content, capture_output=True,
                           check=True).stdout.decode()  # fmt: skip
    assert "DejaVuSans" in fonts and "Helvetica" not in fonts  # Unicode font, no Latin-1 one
    # Every gap the result holds (Bogor has no 3T villages, Kupang only 3T ones: no gap there).
    result = job.result
    held = [
        100 * row[f"{g}:gap"]
        for row in [result["overall"], *result["regions"]]
        for g in result["groups"]
        if row.get(f"{g}:gap") is not None
    ]
    assert len(held) == 7
    gaps = re.findall(r"[+-]\d+[.,]\d pp", flat)
    written = [f"{v:+.1f} pp" for v in held]
    if language == "id":
        written = [w.replace(".", ",") for w in written]
    assert sorted(gaps) == sorted(written)
    event = AuditEvent.objects.filter(action="export").order_by("-pk").first()
    assert event is not None and event.after == {"format": "pdf"}


@pytest.mark.parametrize("language", ["id", "en"])
def test_siting_pdf_has_plan_coverage_by_group_and_sites(
    places: dict[str, Any],  # noqa: F811
    as_persona: Any,
    language: str,
) -> None:
    client = _client(as_persona, language)
    job = places["lscp"]
    assert (
        f"/services/siting/{job.pk}/export.pdf"
        in client.get(f"/services/siting/{job.pk}/").content.decode()
    )
    response = client.get(f"/services/siting/{job.pk}/export.pdf")
    assert response.status_code == 200
    _keep(response.content, f"siting-{language}.pdf")
    flat = " ".join(pdf_text(response.content).split())
    for word in [*WORDS[language]["siting"], "C1", "C2", "LSCP"]:
        assert word in flat, word
    for word in WORDS[language]["foreign"]:
        assert word not in flat, word
    # Everybody is within reach after the plan (test_services_web proves it from the library).
    assert ("100,0%" if language == "id" else "100.0%") in flat
    # The sites' coordinates with four decimals in the reader's style: C1 at -6.6, 107.25.
    assert ("107,2500" if language == "id" else "107.2500") in flat


@pytest.mark.parametrize("language", ["id", "en"])
def test_xlsx_about_sheet_and_headings_in_the_readers_language(
    places: dict[str, Any],  # noqa: F811
    as_persona: Any,
    language: str,
) -> None:
    import openpyxl

    client = _client(as_persona, language)
    access = client.get(f"/services/access/{places['access'].pk}/export.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(access.content))
    about, table = ("Tentang", "Wilayah") if language == "id" else ("About", "Regions")
    assert book.sheetnames == [about, table]
    facts = {row[0]: row[1] for row in book[about].iter_rows(min_row=3, values_only=True)}
    assert facts[("Fasilitas" if language == "id" else "Facilities")] == "pkm"
    header = [c.value for c in next(book[table].iter_rows(max_row=1))]
    expected = WORDS[language]["groups"][:3]
    assert all(word in header for word in expected), header
    assert ("Penduduk" if language == "id" else "Population") in header
    # Numbers stay numbers in the sheet (the reader's Excel writes them in its own style).
    population = header.index("Penduduk" if language == "id" else "Population")
    values = [r[population] for r in book[table].iter_rows(min_row=2, values_only=True)]
    assert sorted(values) == [29_500.0, 48_500.0]
    siting = client.get(f"/services/siting/{places['mclp'].pk}/export.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(siting.content))
    cover = "Cakupan" if language == "id" else "Coverage"
    assert cover in book.sheetnames
    names = [r[0] for r in book[cover].iter_rows(min_row=2, values_only=True)]
    if language == "id":
        assert names == ["Semua", "miskin", "bukan miskin", "daerah 3T", "bukan daerah 3T"]
    else:
        assert names == ["All", "poor", "not poor", "3T regions", "not 3T regions"]
