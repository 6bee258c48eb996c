"""The public-services walkthrough of issue 11 in a real browser: Bappenas's analyst uploads
facilities and villages, runs an access analysis and reads its equity table, runs a siting
scenario; the manager shares the scenario with the World Bank, whose partner opens it.

Villages lie on two lines east of Bogor (32.01) and Kupang (53.01), 0.03 degrees apart, with a
puskesmas at each town: at 30 km/h x 1.2 the first four villages of each line are within 30
minutes, so 85.4 % of Bogor's 29,500 people, 89.9 % of Kupang's 48,500 and 88.2 % of all are
beyond (worked out in the comments below).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .conftest import login

pytestmark = pytest.mark.e2e

TOWNS = {"32.01": (-6.6, 106.8), "53.01": (-10.2, 123.6)}


def _files(folder: Path) -> tuple[Path, Path]:
    villages = ["id,lat,lon,population,poor,urban,is_3t,kode_wilayah"]
    for r, (code, (lat, lon)) in enumerate(TOWNS.items()):
        for i in range(20):
            # Bogor: 1,000 + 50 i people (29,500), Kupang: 1,000 + 150 i (48,500)
            villages.append(
                f"V{r}{i:02d},{lat},{lon + 0.03 * i:.2f},{1000 + 50 * i * (1 + 2 * r)},"
                f"{100 + 20 * i * (r + 1)},{str(i < 5).lower()},{str(r == 1).lower()},{code}"
            )
    facilities = [
        "id,lat,lon,type,status,cost",
        "PKM-BGR,-6.6,106.8,puskesmas,existing,0",
        "PKM-KPG,-10.2,123.6,puskesmas,existing,0",
        "C1,-6.6,107.25,puskesmas,candidate,500",
        "C2,-10.2,124.05,puskesmas,candidate,400",
    ]
    paths = folder / "desa.csv", folder / "puskesmas.csv"
    paths[0].write_text("\n".join(villages) + "\n")
    paths[1].write_text("\n".join(facilities) + "\n")
    return paths


def _upload(page: object, server: str, kind: str, path: Path) -> str:
    page.goto(f"{server}/services/{kind}/upload/")  # type: ignore[attr-defined]
    page.set_input_files("#id_file", str(path))  # type: ignore[attr-defined]
    page.click("#upload")  # type: ignore[attr-defined]
    page.wait_for_url(f"{server}/services/files/{kind}/*/")  # type: ignore[attr-defined]
    return str(page.url)  # type: ignore[attr-defined]


def _run(page: object, server: str, kind: str, fields: dict[str, str]) -> str:
    page.goto(f"{server}/services/{kind}/new/")  # type: ignore[attr-defined]
    for selector, value in fields.items():
        if selector.startswith("select"):  # by the option's text (a file's name)
            page.select_option(selector.split(" ", 1)[1], label=value)  # type: ignore[attr-defined]
        elif selector.startswith("value"):  # by the option's value (any language)
            page.select_option(selector.split(" ", 1)[1], value=value)  # type: ignore[attr-defined]
        else:
            page.fill(selector, value)  # type: ignore[attr-defined]
    page.click("#run")  # type: ignore[attr-defined]
    page.wait_for_url(re.compile(rf".*/services/{kind}/\d+/$"))  # type: ignore[attr-defined]
    return str(page.url)  # type: ignore[attr-defined]


def test_services_walkthrough(server: str, browser: object, tmp_path: Path) -> None:
    villages, facilities = _files(tmp_path)

    # 1. the analyst uploads the two files (each checked by the library)
    page = login(browser, server, "analis.bappenas")
    _upload(page, server, "facilities", facilities)
    assert "PKM-BGR" not in page.inner_text("main")  # a summary, not the rows
    _upload(page, server, "villages", villages)
    assert "40" in page.inner_text("main dl")

    # 2. an access analysis within 30 minutes, run by the worker, and its equity table
    access = _run(
        page,
        server,
        "access",
        {"#id_title": "Puskesmas 30 menit (e2e)", "select #id_facility_set": "puskesmas",
         "select #id_demand_set": "desa", "#id_threshold": "30"},
    )  # fmt: skip
    page.wait_for_selector("#regions-table", timeout=60_000)
    rows = {
        name: row
        for row in page.locator("#regions-table tbody tr").all_inner_texts()
        for name in ("Kabupaten Bogor", "Kabupaten Kupang")
        if row.startswith(name)
    }
    # Bogor (lat -6.6): 0.03 degrees = 3.31 km, 4 x 3.31 x 1.2 km = 31.8 min > 30, so villages
    # 0-3 are within (4,300 people): 25,200 / 29,500 = 85.4 % beyond. Kupang: 4,900 within,
    # 43,600 / 48,500 = 89.9 %. All: 68,800 / 78,000 = 88.2 %.
    assert "85,4%" in rows["Kabupaten Bogor"] and "89,9%" in rows["Kabupaten Kupang"]
    total = page.locator("#regions-table tr.total").inner_text()
    assert "88,2%" in total and "78.000" in total
    headings = page.inner_text("#regions-table thead")
    assert "selisih miskin" in headings and "daerah 3T" in headings
    assert "jarak lingkaran besar" in page.inner_text("#travel-model")

    # 3. a siting scenario: one new puskesmas (MCLP), solved to a proven optimum
    siting = _run(
        page,
        server,
        "siting",
        {"#id_title": "Satu puskesmas baru (e2e)", "select #id_facility_set": "puskesmas",
         "select #id_demand_set": "desa", "value #id_model": "mclp", "#id_p": "1",
         "#id_minutes": "30"},
    )  # fmt: skip
    page.wait_for_selector("#plan-h", timeout=60_000)
    plan = page.inner_text("main")
    assert "optimal (terbukti)" in plan and "C2" in plan

    # 4. the manager shares the scenario with the World Bank
    page = login(browser, server, "manajer.bappenas")
    page.goto(siting)
    page.check(".share-form label:has-text('World Bank Jakarta') input")
    page.click(".share-form button[name=share]")
    page.wait_for_selector("text=World Bank Jakarta")
    assert "World Bank Jakarta" in page.inner_text(".sharing p")

    # 5. the partner opens it (in English); the access analysis stays hidden from them
    page = login(browser, server, "partner.worldbank")
    page.goto(siting)
    opened = page.inner_text("main")
    assert "Satu puskesmas baru (e2e)" in opened and "optimal (proven)" in opened
    assert "C2" in page.inner_text("main table")
    assert page.goto(access).status == 404  # type: ignore[attr-defined]
