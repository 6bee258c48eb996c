"""Reports to hand on: the PDF has every section of the page, in the reader's language and
number style, in a Unicode font, with the page's reliability patterns; XLSX and CSV labels.

PDF text is read back with poppler's ``pdftotext`` (Debian ``poppler-utils``, installed by
``.ci/run``), so the tests check what a reader sees, not what the code meant to write.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

DUMP = os.environ.get("SETARA_DUMP_REPORTS")  # a folder: keep the PDFs to look at them

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None and not os.environ.get("SETARA_REQUIRE_E2E"),
    reason="poppler-utils (pdftotext) not installed",
)


def pdf_text(body: bytes) -> str:
    done = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=body, capture_output=True, check=True
    )
    return done.stdout.decode("utf-8")


def pdf_fonts(body: bytes) -> str:
    done = subprocess.run(["pdffonts", "-"], input=body, capture_output=True, check=True)
    return done.stdout.decode("utf-8")


@pytest.fixture
def full_analysis(world: dict[str, Any], db: Any) -> Any:
    """The world's dataset diagnosed with every breakdown (the fixture's has three)."""
    from analyses import actions
    from django.contrib.auth import get_user_model

    analyst = get_user_model().objects.get(username="analyst")
    return actions.create(
        analyst,
        world["version"],
        dimension="economic",
        breakdowns=["province", "regency", "sex", "urban", "disability", "age_group", "quintile"],
        title="Diagnostik lengkap",
        run_now=True,
    )


def _export(as_persona: Any, pk: int, fmt: str, language: str) -> bytes:
    from agencies.actions import set_language
    from django.contrib.auth import get_user_model

    set_language(get_user_model().objects.get(username="analyst"), language)
    response = as_persona("analyst").get(f"/analyses/{pk}/export.{fmt}")
    assert response.status_code == 200
    body = bytes(response.content)
    if DUMP:
        Path(DUMP, f"analysis-{language}.{fmt}").write_bytes(body)
    return body


@pytest.mark.django_db
def test_pdf_has_every_section_in_indonesian_with_indonesian_numbers(
    full_analysis: Any, as_persona: Any
) -> None:
    text = pdf_text(_export(as_persona, full_analysis.pk, "pdf", "id"))
    flat = " ".join(text.split())
    # Cover: dataset, version, design, dates.
    for fact in ("Dataset", "Alpha survey", "Versi", "Desain survei", "bobot weight", "Tanggal"):
        assert fact in flat, fact
    # Every section of the page, headed in Indonesian.
    for heading in (
        "Estimasi utama",
        "Menurut provinsi",
        "Menurut kabupaten/kota",
        "Jenis kelamin",
        "Perkotaan/perdesaan",
        "Disabilitas",
        "Kelompok umur",
        "Kuintil kesejahteraan",
        "Distribusi",
        "Kurva Lorenz",
        "Ketimpangan antarkelompok dan dalam kelompok",
    ):
        assert heading in flat, heading
    # Quintiles K1..K5 and natural age order (7-12 before 60+), translated group names.
    assert all(f"K{k}" in flat for k in range(1, 6)) and "Q3" not in flat
    assert flat.index("7-12") < flat.index("60+")
    assert "perempuan" in flat and "perkotaan" in flat
    # Indonesian numbers: decimal commas in percentages, dotted thousands; no English ones.
    assert re.search(r"\d+,\d%", flat)
    assert re.search(r"\d{1,3}\.\d{3}\.\d{3}", flat)  # welfare in rupiah: 1.496.116
    assert not re.search(r"\d\.\d%", flat) and not re.search(r"\d,\d{3},\d{3}", flat)
    for english in ("reliable", "Headline", "Lorenz curve", "by province", "Share of"):
        assert english not in flat, english
    assert "Datase…" not in flat and "Datase " not in flat


@pytest.mark.django_db
def test_pdf_in_english_and_embedded_unicode_font(full_analysis: Any, as_persona: Any) -> None:
    body = _export(as_persona, full_analysis.pk, "pdf", "en")
    flat = " ".join(pdf_text(body).split())
    assert "Headline estimates" in flat and "Lorenz curve" in flat and "Age group" in flat
    assert re.search(r"\d\.\d%", flat) and "Q1 (poorest)" in flat
    fonts = pdf_fonts(body)
    assert "DejaVuSans" in fonts and "Helvetica" not in fonts
    assert "–" in flat  # an en dash survives (Latin-1 built-in fonts turned it into "-")


@pytest.mark.django_db
def test_pdf_map_draws_the_reliability_patterns(full_analysis: Any) -> None:
    """The map's dotted (caution) and hatched (unreliable) areas are clipped strokes in the
    PDF, so the two swatches differ; fpdf2 ignores SVG patterns."""
    from analyses.rendering import charts
    from setara_web.viz.printable import flatten_patterns

    drawn = charts(full_analysis)["province_map"]
    assert "-hatch)" in drawn or "-dots)" in drawn, "the small survey has flagged provinces"
    flat = flatten_patterns(drawn)
    assert "<pattern" not in flat and "url(#" in flat
    assert flat.count("<clipPath") >= 2 * (drawn.count("-hatch)") + drawn.count("-dots)"))


@pytest.mark.django_db
def test_xlsx_words_and_csv_for_excel_indonesia(full_analysis: Any, as_persona: Any) -> None:
    import polars as pl

    body = _export(as_persona, full_analysis.pk, "xlsx", "id")
    sheets = pl.read_excel(io.BytesIO(body), sheet_id=0)
    assert "Tentang" in sheets and "Kuintil kesejahteraan" in sheets
    quintile = sheets["Kuintil kesejahteraan"]
    assert {"Indikator", "Estimasi", "Keandalan"} <= set(quintile.columns)
    assert "andal" in quintile["Keandalan"].to_list()
    assert "reliable" not in quintile["Keandalan"].to_list()
    assert "Alasan tanda" in quintile.columns
    reasons = " | ".join(sheets["Provinsi"]["Alasan tanda"].drop_nulls())
    assert re.search(r"RSE \d+,\d% [>≤] \d+%", reasons) and "RSE tidak terdefinisi" in reasons
    assert not re.search(r"RSE \d+\.\d%|undefined|<=", reasons)
    province = sheets["Provinsi"]
    assert "Dibandingkan dengan angka nasional" in province.columns
    assert set(province["Dibandingkan dengan angka nasional"].drop_nulls()) <= {
        "signifikan di atas",
        "signifikan di bawah",
        "tidak berbeda signifikan",
    }
    assert "Theil menurut provinsi" in sheets
    assert "Bagian dari total kesejahteraan" in sheets["Desil"]["Indikator"].to_list()
    client = as_persona("analyst")
    plain = client.get(f"/analyses/{full_analysis.pk}/export.csv").content.decode()
    excel = client.get(f"/analyses/{full_analysis.pk}/export.csv?excel=id").content
    assert plain.startswith("indicator,label,")
    assert excel.startswith(b"\xef\xbb\xbfindicator;label;")
    first = pl.read_csv(io.BytesIO(excel[3:]), separator=";", decimal_comma=True)
    assert first["estimate"].dtype == pl.Float64
    assert first["estimate"].to_list() == pytest.approx(
        pl.read_csv(io.StringIO(plain))["estimate"].to_list(), nan_ok=True
    )


@pytest.mark.django_db
def test_simulation_exports_as_pdf_and_xlsx_in_the_readers_language(
    world: dict[str, Any], as_persona: Any
) -> None:
    import polars as pl
    from agencies.actions import set_language
    from django.contrib.auth import get_user_model

    reader = get_user_model().objects.get(username="reader")  # shared with beta
    set_language(reader, "id")
    client = as_persona("reader")
    page = client.get(f"/simulations/{world['simulation'].pk}/").content.decode()
    assert f"/simulations/{world['simulation'].pk}/report.pdf" in page
    assert "semua program" in page and "all programmes" not in page
    assert "uji kemampuan berbasis proksi (PMT)" in page
    response = client.get(f"/simulations/{world['simulation'].pk}/report.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    body = bytes(response.content)
    if DUMP:
        Path(DUMP, "simulation-id.pdf").write_bytes(body)
    flat = " ".join(pdf_text(body).split())
    for words in (
        "Program: biaya, jangkauan, dan ketepatan sasaran",
        "Kondisi dasar",
        "Insidensi manfaat menurut desil",
        "semua program",
        "Alpha survey v1",
    ):
        assert words in flat, words
    assert re.search(r"\d+,\d%", flat) and not re.search(r"\d\.\d%", flat)
    assert "all programmes" not in flat and "baseline" not in flat
    xlsx = client.get(f"/simulations/{world['simulation'].pk}/report.xlsx")
    assert xlsx.status_code == 200
    sheets = pl.read_excel(io.BytesIO(xlsx.content), sheet_id=0)
    assert "Tentang" in sheets and "Program" in sheets
    assert client.get(f"/simulations/{world['simulation'].pk}/report.docx").status_code == 404
    assert (
        as_persona("outsider").get(f"/simulations/{world['simulation'].pk}/report.pdf").status_code
        == 404
    )


@pytest.mark.django_db
def test_header_language_switch_saves_the_choice_to_the_profile(
    world: dict[str, Any], as_persona: Any
) -> None:
    from django.contrib.auth import get_user_model

    client = as_persona("viewer")
    page = client.get("/datasets/").content.decode()
    assert 'action="/i18n/setlang/"' in page and 'value="id"' in page
    response = client.post("/i18n/setlang/", {"language": "id", "next": "/datasets/"})
    assert response.status_code == 302 and response["Location"] == "/datasets/"
    viewer = get_user_model().objects.get(username="viewer")
    assert viewer.profile.language == "id"
    assert "Keluar" in client.get("/datasets/").content.decode()
    fresh = as_persona("viewer")  # a new session: the profile, not the cookie, decides
    assert "Keluar" in fresh.get("/datasets/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/datasets/"})
    assert "Sign out" in client.get("/datasets/").content.decode()


@pytest.mark.django_db
def test_pdf_prints_why_each_estimate_is_flagged(full_analysis: Any, as_persona: Any) -> None:
    """The reliability reasons the page shows on hover are printed: a column of the headline
    table and a footnote under the other tables, in the reader's words and numbers."""
    flagged = [
        r
        for rows in full_analysis.result["breakdowns"].values()
        for r in rows
        if r["reliability"] in ("caution", "unreliable")
    ]
    assert flagged, "the small survey has flagged estimates"
    english = " ".join(pdf_text(_export(as_persona, full_analysis.pk, "pdf", "en")).split())
    assert "Reason for the flag" in english and "Reasons for the flags:" in english
    assert re.search(r"Reasons for the flags: [^:]+: [^;]*RSE \d+\.\d% > (25|50)%", english)
    indonesian = " ".join(pdf_text(_export(as_persona, full_analysis.pk, "pdf", "id")).split())
    assert "Alasan tanda" in indonesian and "Alasan penandaan:" in indonesian
    assert re.search(r"RSE \d+,\d% > (25|50)%", indonesian)
    assert not re.search(r"RSE \d+\.\d%", indonesian)
    assert "Reasons for the flags" not in indonesian


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "said"),
    [
        (
            "id",
            [
                ("Program", "Program", ["semua program"]),
                ("Kemiskinan dan ketimpangan", "Skenario", ["kondisi dasar"]),
                ("Kemiskinan dan ketimpangan", "Ukuran", ["Persentase penduduk miskin (P0)"]),
                ("Distribusi", "Kelompok", ["K1 (termiskin)", "D10"]),
            ],
        ),
        (
            "en",
            [
                ("Programmes", "Programme", ["all programmes"]),
                ("Poverty and inequality", "Scenario", ["baseline"]),
                ("Poverty and inequality", "Measure", ["Poverty headcount (P0)"]),
                ("Distribution", "Group", ["Q1 (poorest)", "D10"]),
            ],
        ),
    ],
)
def test_simulation_xlsx_headings_and_categories_in_the_readers_language(
    world: dict[str, Any], as_persona: Any, language: str, said: list[Any]
) -> None:
    """Every sheet's headings and category values (scenario, programme, measure, stage,
    quintile, flags) are in the reader's language, as in the diagnostic's XLSX; numbers stay
    numeric cells."""
    import openpyxl
    from agencies.actions import set_language
    from django.contrib.auth import get_user_model

    set_language(get_user_model().objects.get(username="reader"), language)
    sim = world["simulation"]
    response = as_persona("reader").get(f"/simulations/{sim.pk}/report.xlsx")
    assert response.status_code == 200
    if DUMP:
        Path(DUMP, f"simulation-{language}.xlsx").write_bytes(response.content)
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    engine = {c for rows in sim.result["tables"].values() if rows for c in rows[0]}
    assert not {s.title for s in book.worksheets} & set(sim.result["tables"])
    for sheet in book.worksheets[1:]:
        header = [c.value for c in sheet[1]]
        assert not (set(header) & engine) - {"n"}, (sheet.title, set(header) & engine)
    for title, column, values in said:
        sheet = book[title]
        header = [c.value for c in sheet[1]]
        seen = {row[header.index(column)] for row in sheet.iter_rows(min_row=2, values_only=True)}
        assert set(values) <= seen, (title, values, seen)
    impact = book[said[1][0]]
    header = [c.value for c in impact[1]]
    rows = list(impact.iter_rows(min_row=2))
    estimate = header.index("Estimasi" if language == "id" else "Estimate")
    assert all(r[estimate].data_type == "n" for r in rows)  # numbers, not text
    assert any(isinstance(r[estimate].value, float) for r in rows)
    flags = {
        r[header.index("Keandalan" if language == "id" else "Reliability")].value for r in rows
    }
    assert ("andal" if language == "id" else "reliable") in flags
    assert not flags & ({"reliable", "caution"} if language == "id" else {"andal"})
    stages = {r[header.index("Tahap" if language == "id" else "Stage")].value for r in rows}
    assert stages == (
        {"sebelum", "sesudah", "perubahan", "dibanding kondisi dasar"}
        if language == "id"
        else {"before", "after", "change", "vs baseline"}
    )
