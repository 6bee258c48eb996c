"""The siting comparison page as XLSX and PDF: the same scenarios, tables and map as the page,
in Indonesian and in English (PDF read back with pdftotext, XLSX with openpyxl), audited on
every scenario shown, 404 for an outsider."""

from __future__ import annotations

import io
import subprocess
from typing import Any

import pytest
from audit.models import AuditEvent
from test_services_reports import _client, _keep, pdf_text
from test_services_web import places  # noqa: F401  (the fixture: files, analysis, scenarios)

pytestmark = pytest.mark.django_db

WORDS = {
    "id": {
        "headings": ["Skenario penentuan lokasi berdampingan", "Biaya, jangkauan, dan optimalitas",
                     "Lokasi baru di peta", "Tambahan jangkauan menurut kelompok",
                     "Lokasi terpilih"],
        "groups": ["miskin", "bukan miskin", "daerah 3T", "bukan daerah 3T", "Semua"],
        "status": "optimal (terbukti)",
        "foreign": ["Cost, coverage", "not poor", "Chosen sites", "New sites on the map"],
        "sheets": ["Tentang", "Skenario", "Cakupan", "Lokasi"],
    },
    "en": {
        "headings": ["Siting scenarios side by side", "Cost, coverage and optimality",
                     "New sites on the map", "Coverage gained by group", "Chosen sites"],
        "groups": ["poor", "not poor", "3T regions", "not 3T regions", "All"],
        "status": "optimal (proven)",
        "foreign": ["Biaya, jangkauan", "bukan miskin", "Lokasi terpilih", "Lokasi baru"],
        "sheets": ["About", "Scenarios", "Coverage", "Sites"],
    },
}  # fmt: skip


def _ids(places: dict[str, Any]) -> str:  # noqa: F811
    return f"{places['mclp'].pk},{places['lscp'].pk}"


@pytest.mark.parametrize("language", ["id", "en"])
def test_comparison_pdf_has_the_pages_tables_and_map_in_one_language(
    places: dict[str, Any],  # noqa: F811
    as_persona: Any,
    language: str,
) -> None:
    client = _client(as_persona, language)
    ids = _ids(places)
    page = client.get(f"/services/compare/?ids={ids}").content.decode()
    assert f"/services/compare/export.pdf?ids={ids}" in page
    assert f"/services/compare/export.xlsx?ids={ids}" in page
    before = AuditEvent.objects.filter(action="export").count()
    response = client.get(f"/services/compare/export.pdf?ids={ids}")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    _keep(response.content, f"compare-{language}.pdf")
    flat = " ".join(pdf_text(response.content).split())
    words = WORDS[language]
    for word in [*words["headings"], *words["groups"], words["status"], "MCLP p=1", "LSCP"]:
        assert word in flat, word
    for word in words["foreign"]:
        assert word not in flat, word
    # Every chosen site of both scenarios, with its coordinates in the reader's style.
    sites = [s for job in ("mclp", "lscp") for s in places[job].result["sites"]]
    assert sites
    for site in sites:
        assert str(site["id"]) in flat
        lon = f"{site['lon']:.4f}"
        assert (lon.replace(".", ",") if language == "id" else lon) in flat
    # Reach after each plan, as the page writes it (LSCP reaches everybody: 100,0% / 100.0%).
    for job in ("mclp", "lscp"):
        share = f"{100 * places[job].result['coverage']['share_after']:.1f}%"
        assert (share.replace(".", ",") if language == "id" else share) in flat
    # Group rows: each scenario's overall row and 2 groups with their rest.
    assert flat.count(words["groups"][1]) >= 2
    fonts = subprocess.run(["pdffonts", "-"], input=response.content, capture_output=True,
                           check=True).stdout.decode()  # fmt: skip
    assert "DejaVuSans" in fonts and "Helvetica" not in fonts
    events = AuditEvent.objects.filter(action="export").order_by("pk")[before:]
    assert sorted(e.object_id for e in events) == sorted(
        [str(places["mclp"].pk), str(places["lscp"].pk)]
    )
    assert all(e.after == {"format": "pdf"} for e in events)


@pytest.mark.parametrize("language", ["id", "en"])
def test_comparison_xlsx_sheets_headings_and_numbers_in_the_readers_language(
    places: dict[str, Any],  # noqa: F811
    as_persona: Any,
    language: str,
) -> None:
    import openpyxl

    client = _client(as_persona, language)
    response = client.get(f"/services/compare/export.xlsx?ids={_ids(places)}")
    assert response.status_code == 200
    _keep(response.content, f"compare-{language}.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    words = WORDS[language]
    assert book.sheetnames == words["sheets"]
    about = [r for r in book[words["sheets"][0]].iter_rows(values_only=True) if r[0]]
    assert about[0][0] == words["headings"][0]
    plan = list(book[words["sheets"][1]].iter_rows(values_only=True))
    header = plan[0]
    cost = header.index("Biaya" if language == "id" else "Cost")
    status = header.index("Status")
    scenario = header.index("Skenario" if language == "id" else "Scenario")
    by_title = {row[scenario]: row for row in plan[1:]}
    assert set(by_title) == {"MCLP p=1", "LSCP"}
    for job in ("mclp", "lscp"):
        row = by_title[places[job].title]
        assert row[cost] == places[job].result["cost"]  # a number, not text
        expected = words["status"] if places[job].result["status"] == "optimal" else None
        assert expected is None or row[status] == expected
    coverage = list(book[words["sheets"][2]].iter_rows(values_only=True))
    group = coverage[0].index("Kelompok" if language == "id" else "Group")
    names = [r[group] for r in coverage[1:]]
    assert (
        names
        == words["groups"][-1:] + words["groups"][:4] + words["groups"][-1:] + words["groups"][:4]
    )
    sites = list(book[words["sheets"][3]].iter_rows(values_only=True))
    lon = sites[0].index("Bujur" if language == "id" else "Longitude")
    stored = sorted(s["lon"] for job in ("mclp", "lscp") for s in places[job].result["sites"])
    assert sorted(r[lon] for r in sites[1:]) == stored


def test_comparison_exports_refuse_what_the_reader_may_not_see(
    places: dict[str, Any],  # noqa: F811
    as_persona: Any,
) -> None:
    ids = _ids(places)
    assert as_persona("viewer").get(f"/services/compare/export.pdf?ids={ids}").status_code == 200
    for path in (
        f"/services/compare/export.pdf?ids={ids}",
        f"/services/compare/export.xlsx?ids={places['mclp'].pk}",
    ):
        assert as_persona("outsider").get(path).status_code == 404
    analyst = as_persona("analyst")
    assert analyst.get(f"/services/compare/export.docx?ids={ids}").status_code == 404
    assert analyst.get("/services/compare/export.pdf").status_code == 404
