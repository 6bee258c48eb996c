"""The simulation's PDF says why a change is flagged, and its XLSX names every province beside
its code, in Indonesian and in English (read back with pdftotext and openpyxl)."""

from __future__ import annotations

import io
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from test_reports import pdf_text

DUMP = os.environ.get("SETARA_DUMP_REPORTS")  # a folder: keep the files to look at them

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        shutil.which("pdftotext") is None and not os.environ.get("SETARA_REQUIRE_E2E"),
        reason="poppler-utils (pdftotext) not installed",
    ),
]

WORDS = {
    "id": {"reason": "Alasan tanda", "reasons": "Alasan penandaan:", "name": "Nama wilayah"},
    "en": {"reason": "Reason for the flag", "reasons": "Reasons for the flags:",
           "name": "Region name"},
}  # fmt: skip


def _get(as_persona: Any, path: str, language: str) -> bytes:
    from agencies.actions import set_language
    from django.contrib.auth import get_user_model

    set_language(get_user_model().objects.get(username="reader"), language)
    response = as_persona("reader").get(path)
    assert response.status_code == 200, response.status_code
    return bytes(response.content)


def _flagged_regions(sim: Any) -> list[dict[str, Any]]:
    """The province changes of the scenario that the page marks (not reliable)."""
    return [
        r
        for r in sim.result["tables"]["impact"]
        if r["scenario"] == sim.result["scenario"]
        and r["measure"] == "fgt0"
        and r["domain"] == "region"
        and r["stage"] == "change"
        and r["reliability"] not in (None, "reliable")
    ]


@pytest.mark.parametrize("language", ["id", "en"])
def test_simulation_pdf_prints_why_each_change_is_flagged(
    world: dict[str, Any], as_persona: Any, language: str
) -> None:
    sim = world["simulation"]
    flagged = _flagged_regions(sim)
    assert flagged, "the small survey has flagged province changes"
    body = _get(as_persona, f"/simulations/{sim.pk}/report.pdf", language)
    if DUMP:
        Path(DUMP, f"simulation-flags-{language}.pdf").write_bytes(body)
    flat = " ".join(pdf_text(body).split())
    words = WORDS[language]
    assert words["reason"] in flat and words["reasons"] in flat
    # Each flagged province is named in the footnote with its reason, in the reader's numbers.
    from setara.regions import read_provinces

    names = dict(read_provinces().iter_rows())
    footnote = flat[flat.index(words["reasons"]) :]
    for row in flagged:
        assert names[str(row["group"])] in footnote, row["group"]
    found = re.findall(r"RSE (\d+[.,]\d)% > (?:25|50)%", footnote)
    assert found, footnote[:400]
    decimal = "," if language == "id" else "."
    assert all(decimal in f for f in found), found
    # The engine's own reasons, rewritten the reader's way, are the ones printed.
    expected = {
        m.replace(".", decimal)
        for r in flagged
        for m in re.findall(r"RSE (\d+\.\d)%", r.get("reliability_reason") or "")
    }
    assert expected and expected <= set(found), (expected, found)
    other = WORDS["en" if language == "id" else "id"]
    assert other["reasons"] not in flat


@pytest.mark.parametrize("language", ["id", "en"])
def test_simulation_xlsx_names_provinces_beside_their_codes(
    world: dict[str, Any], as_persona: Any, language: str
) -> None:
    import openpyxl

    from setara.regions import read_provinces

    sim = world["simulation"]
    body = _get(as_persona, f"/simulations/{sim.pk}/report.xlsx", language)
    if DUMP:
        Path(DUMP, f"simulation-names-{language}.xlsx").write_bytes(body)
    book = openpyxl.load_workbook(io.BytesIO(body))
    names = dict(read_provinces().iter_rows())
    sheet = book["Kemiskinan dan ketimpangan" if language == "id" else "Poverty and inequality"]
    header = [c.value for c in sheet[1]]
    group, name = (
        header.index("Kelompok" if language == "id" else "Group"),
        header.index(WORDS[language]["name"]),
    )
    assert name == group + 1  # beside the code
    domain = header.index("Domain")
    province = "Provinsi" if language == "id" else "Province"
    rows = [r for r in sheet.iter_rows(min_row=2, values_only=True) if r[domain] == province]
    assert len({r[group] for r in rows}) >= 2
    for row in rows:
        assert row[name] == names[str(row[group])], row
    others = [r for r in sheet.iter_rows(min_row=2, values_only=True) if r[domain] != province]
    assert others and all(r[name] is None for r in others)


@pytest.mark.parametrize(("language", "decimal"), [("id", ","), ("en", ".")])
def test_simulation_pdf_writes_changes_of_rates_in_percentage_points(
    world: dict[str, Any], as_persona: Any, language: str, decimal: str
) -> None:
    """Issue 8, point 8: the change of the poverty rate (national and by province) and its
    interval are in percentage points ("−5,8 pp"), the levels in percent."""
    sim = world["simulation"]
    flat = " ".join(
        pdf_text(_get(as_persona, f"/simulations/{sim.pk}/report.pdf", language)).split()
    )
    national = next(
        r for r in sim.result["tables"]["impact"]
        if r["scenario"] == sim.result["scenario"] and r["measure"] == "fgt0"
        and r["domain"] == "all" and r["stage"] == "change"
    )  # fmt: skip
    change = 100 * national["estimate"]
    written = f"{'+' if change >= 0 else '-'}{abs(change):.1f}".replace(".", decimal)
    assert f"{written} pp" in flat, (written, flat[:1500])
    assert f"{written}%" not in flat
