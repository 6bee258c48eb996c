"""The monitoring walkthrough of issue 10 in a real browser, on the monitoring demo
(``seed_monitoring``: plan, catalogue, two survey rounds, quarterly realisation).

Bappenas's analyst defines an indicator and its target; Kabupaten Bandung's analyst uploads a
quarter's realisation with an outlier, finds it in the follow-up list and justifies it; Jawa
Barat's manager approves in bulk; at Bappenas the score card shows the approved quarter's
realisation derived from the uploaded row and the statistical verdicts,
and the change-over-time page the change in poverty between the two rounds with its CI and
its growth/redistribution split.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import login

pytestmark = pytest.mark.e2e
SEED_COMMANDS = [["seed_monitoring", "--persons", "10000"]]


def test_monitoring_walkthrough(server: str, browser: object, tmp_path: Path) -> None:
    # 1. an indicator with a target, defined in the catalogue
    page = login(browser, server, "analis.bappenas")
    page.goto(f"{server}/monitoring/indicators/new/")
    page.fill("#id_code", "E2E-APS")
    page.fill("#id_name_id", "Angka partisipasi sekolah (uji)")
    page.fill("#id_name_en", "School participation (test)")
    page.fill("#id_unit", "%")
    page.select_option("#id_polarity", "higher")
    page.select_option("#id_source_kind", "administrative")
    page.check("input[name=region_levels][value=regency]")
    page.select_option("#id_period_type", "annual")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{server}/monitoring/indicators/*/")
    page.goto(f"{server}/monitoring/")
    page.click("main a:has-text('RPJMN 2025')")
    page.click("summary")
    page.select_option("#id_indicator", label="E2E-APS School participation (test)")
    page.fill("#id_year", "2026")
    page.fill("#id_target_value", "95")
    page.click("button[name=target]")
    page.wait_for_selector("main table")
    assert "E2E-APS" in page.inner_text("main")

    # 2. a regency uploads a quarter with an outlier, finds it and justifies it
    page = login(browser, server, "analis.bandung")
    page.goto(f"{server}/monitoring/")
    page.click("main a:has-text('Realisasi PKH (demo)')")
    page.fill("#id_period", "2025-Q4")
    page.click("main form[action$='/submissions/new'] button[type=submit]")  # any language
    page.wait_for_url(f"{server}/monitoring/submissions/*/")
    rows = tmp_path / "pkh-2025-q4.csv"
    rows.write_text(
        "region_code,budget_allocated,budget_realised,beneficiaries_planned,beneficiaries_reached\n"
        "32.04,1000000000,2900000000,10000,900\n"  # realised far above the allocation
    )
    page.set_input_files("input[name=file] >> nth=0", str(rows))
    page.click("button[name=upload_rows]")
    page.wait_for_selector("#fu-h")
    follow_up = page.inner_text("section[aria-labelledby=fu-h]")
    assert "32.04" in follow_up
    page.fill("#justification", "Pencairan triwulan III tertunda dan dibayar di triwulan IV.")
    page.click("button[name=submit]")
    page.wait_for_load_state()
    submission_url = page.url
    assert page.locator("#justification").count() == 0  # submitted: no longer editable

    # 3. the province approves in bulk
    page = login(browser, server, "manajer.jabar")
    page.goto(f"{server}/monitoring/inbox/")
    boxes = page.locator("input[name=submission]")
    assert boxes.count() > 1
    for k in range(min(boxes.count(), 5)):
        boxes.nth(k).check()
    page.check(f"input[name=submission][value='{submission_url.rstrip('/').rsplit('/', 1)[1]}']")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    page.goto(submission_url)
    assert page.locator("span.tag").count() == 1  # approved by the province: locked

    # 4. Bappenas sees the score card with the statistical verdicts of the survey indicators,
    # and the quarter the province just approved: its budget realisation is derived from the
    # uploaded row (2.9 bn of 1 bn = 290 %)
    page = login(browser, server, "manajer.bappenas")
    page.goto(f"{server}/monitoring/dashboard/?region=32.04")
    card = page.inner_text("table.scorecard")
    assert "SDG 1.2.1" in card and "PROG-PKH-BUDGET" in card
    budget = page.locator("table.scorecard tbody tr", has_text="PROG-PKH-BUDGET").inner_text()
    assert "2025-Q4" in budget and "290" in budget
    assert page.locator("table.scorecard span.verdict").count() >= 1  # survey indicators only
    page.screenshot(path=str(tmp_path / "scorecard.png"), full_page=True)

    # 5. the change in poverty between the two rounds, its CI and its split
    page.goto(f"{server}/monitoring/dashboard/change/")
    page.check("input[name=common_psu]")
    page.click("main form button[type=submit]")
    page.wait_for_selector("#split", timeout=120_000)
    first = page.locator("#change ~ table tbody tr").first.inner_text()
    assert "pp" in first and "–" in first  # the change and its interval
    assert page.locator("#split ~ table tbody tr").count() == 1
    assert page.locator("#gic ~ figure svg polygon").count() == 1
