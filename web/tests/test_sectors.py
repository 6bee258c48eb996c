"""Education and health diagnostics (issue 9, point 10) against R survey.

``tests/data/sectors/sectors_reference.R`` computes every indicator of ``analyses.sectors`` with
R survey 4.1-1 (``svymean`` on ``subset()`` domains, ``svyratio`` for APK) on a seeded extract of
the demo survey; the web diagnostic must give the same estimates and design-based SEs.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from analyses import compute, sectors

from setara.demo import generate_survey

REFERENCE = Path(__file__).resolve().parents[2] / "tests" / "data" / "sectors"
# Same formulas, same design (strata, PSUs, lonely PSU "adjust"): agreement is to rounding.
RTOL = 1e-9
MAPPING = {
    "weight": "weight",
    "strata": "stratum",
    "psu": "psu",
    "age": "age",
    "enrolled": "enrolled",
    "school_level": "school_level",
    "years_schooling": "years_schooling",
    "dist_school": "dist_school_km",
    "health_insurance": "health_insurance",
    "outpatient_visit": "outpatient_visit",
    "health_complaint": "health_complaint",
    "insurance_scheme": "insurance_scheme",
    "dist_health": "dist_health_km",
}


def extract() -> pl.DataFrame:
    """The R script's input: demo survey (10,000 persons, seed 5), provinces 32 and 53."""
    frame = generate_survey(10_000, seed=5).filter(pl.col("province_code").is_in(["32", "53"]))
    return frame.select(list(dict.fromkeys(MAPPING.values())))


@pytest.fixture(scope="module")
def data() -> pl.DataFrame:
    frame = extract()
    stored = pl.read_csv(REFERENCE / "demo_extract.csv", schema=frame.schema)
    assert frame.equals(stored), "the seeded extract changed: rerun sectors_reference.R"
    return frame


@pytest.mark.parametrize("dimension", ["education", "health"])
def test_indicators_match_r_survey(data: pl.DataFrame, dimension: str) -> None:
    expected = pl.read_csv(REFERENCE / "sectors_expected.csv")
    result = compute.run(data, MAPPING, dimension=dimension, breakdowns=[])
    rows = {r["indicator"]: r for r in result["headline"]}
    names = {i["key"]: i for i in result["indicators"]}
    checked = 0
    for ref in expected.iter_rows(named=True):
        key = "rate" if ref["indicator"] == "rate_health" else ref["indicator"]
        if key not in rows or (key == "rate" and dimension != "health"):
            continue
        assert rows[key]["estimate"] == pytest.approx(ref["estimate"], rel=RTOL), key
        assert rows[key]["se"] == pytest.approx(ref["se"], rel=RTOL), key
        checked += 1
    assert checked == {"education": 16, "health": 9}[dimension]
    if dimension == "health":
        present = [s for s in sectors.SCHEME_ORDER if s != "other"]  # the demo has no "other"
        assert [names[f"scheme_{i}"]["name"] for i in range(5)] == present


def test_regional_and_ordered_breakdowns(data: pl.DataFrame) -> None:
    result = compute.run(
        data,
        MAPPING | {"welfare": "dist_health_km"},
        dimension="education",
        breakdowns=["age_group", "quintile"],
    )
    assert result["regional_indicators"] == ["rate", "rls", "oos", "apm_smp", "apk_smp"]
    groups = list(dict.fromkeys(r["group"] for r in result["breakdowns"]["age_group"]))
    assert groups == [g for g in compute.AGE_LABELS if g in groups]  # 7-12 before 60+
    assert groups.index("7-12") < groups.index("60+")
    assert not any(r["indicator"].startswith("ap") for r in result["breakdowns"]["age_group"])
    quintiles = list(dict.fromkeys(r["group"] for r in result["breakdowns"]["quintile"]))
    assert quintiles == compute.QUINTILES


def test_sort_rows_keeps_unknown_groups_last() -> None:
    rows = [{"group": g} for g in ("60+", "x", "7-12", "0-6")]
    assert [r["group"] for r in sectors.sort_rows(rows, compute.AGE_LABELS)] == [
        "0-6",
        "7-12",
        "60+",
        "x",
    ]
