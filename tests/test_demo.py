"""Tests of the synthetic Susenas-like demo generator (``setara.demo``) and area loader."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from setara.demo import (
    COLUMNS,
    DEMO_DESIGN,
    DEMO_WELFARE,
    MIN_PERSONS,
    SYNTHETIC_NOTICE,
    generate_survey,
    write_survey,
)
from setara.regions import read_districts, read_provinces, read_regencies

EXPECTED_SCHEMA = {
    "hh_id": pl.Int64,
    "person_id": pl.Int64,
    "province_code": pl.String,
    "province_name": pl.String,
    "regency_code": pl.String,
    "regency_name": pl.String,
    "urban": pl.Boolean,
    "stratum": pl.String,
    "psu": pl.Int64,
    "psu_count": pl.Int64,
    "weight": pl.Float64,
    "hh_size": pl.Int32,
    "is_head": pl.Boolean,
    "head_female": pl.Boolean,
    "age": pl.Int32,
    "sex": pl.String,
    "disability": pl.Boolean,
    "enrolled": pl.Boolean,
    "school_level": pl.String,
    "years_schooling": pl.Float64,
    "health_insurance": pl.Boolean,
    "insurance_scheme": pl.String,
    "outpatient_visit": pl.Boolean,
    "health_complaint": pl.Boolean,
    "employed": pl.Boolean,
    "informal": pl.Boolean,
    "expenditure_pc": pl.Float64,
    "poverty_line": pl.Float64,
    "dist_school_km": pl.Float64,
    "dist_health_km": pl.Float64,
}


@pytest.fixture(scope="module")
def small() -> pl.DataFrame:
    return generate_survey(MIN_PERSONS, seed=11)


@pytest.fixture(scope="module")
def medium() -> pl.DataFrame:
    return generate_survey(200_000, seed=2026)


def _wmean(x: np.ndarray, w: np.ndarray) -> float:
    return float(np.sum(x * w) / np.sum(w))


def _weighted_gini(y: np.ndarray, w: np.ndarray) -> float:
    order = np.argsort(y, kind="stable")
    y, w = y[order], w[order]
    p = np.concatenate([[0.0], np.cumsum(w) / w.sum()])
    lorenz = np.concatenate([[0.0], np.cumsum(w * y) / np.sum(w * y)])
    return float(1.0 - np.sum(np.diff(p) * (lorenz[1:] + lorenz[:-1])))


def test_weighted_gini_helper_is_right() -> None:
    assert _weighted_gini(np.ones(5), np.ones(5)) == pytest.approx(0.0)
    # Two equal groups, one with everything: Gini 0.5; weights act as replication.
    assert _weighted_gini(np.array([0.0, 1.0]), np.array([1.0, 1.0])) == pytest.approx(0.5)
    assert _weighted_gini(np.array([1.0, 3.0]), np.array([2.0, 1.0])) == pytest.approx(
        _weighted_gini(np.array([1.0, 1.0, 3.0]), np.ones(3))
    )


def test_regions_loader() -> None:
    provinces, regencies = read_provinces(), read_regencies()
    assert provinces.shape == (38, 2) and regencies.shape == (514, 3)
    assert provinces.schema == {"code": pl.String, "name": pl.String}
    assert regencies.schema == {"code": pl.String, "province_code": pl.String, "name": pl.String}
    assert provinces.row(0) == ("11", "Aceh")
    assert ("31.71", "31", "Kota Administrasi Jakarta Pusat") in regencies.rows()
    assert set(regencies["province_code"]) == set(provinces["code"])
    assert read_provinces() is provinces  # cached


def test_districts_loader() -> None:
    """7,285 kecamatan (idn-area-data 4.0.1), every one inside a listed regency."""
    districts, regencies = read_districts(), read_regencies()
    assert districts.shape == (7285, 3)
    assert districts.schema == {"code": pl.String, "regency_code": pl.String, "name": pl.String}
    assert districts["code"].is_unique().all()
    assert set(districts["regency_code"]) == set(regencies["code"])  # no regency left without
    assert (districts["code"].str.slice(0, 5) == districts["regency_code"]).all()
    assert districts.filter(pl.col("regency_code") == "32.01").height == 40  # Kabupaten Bogor


def test_constants() -> None:
    assert "synthetic" in SYNTHETIC_NOTICE.lower()
    assert DEMO_DESIGN == {
        "weight": "weight",
        "strata": "stratum",
        "psu": "psu",
        "fpc": "psu_count",
    }
    assert DEMO_WELFARE == "expenditure_pc"
    assert list(EXPECTED_SCHEMA) == list(COLUMNS)


@pytest.mark.parametrize("n", [MIN_PERSONS, 10_001, 54_321])
def test_exact_size_and_schema(n: int) -> None:
    df = generate_survey(n, seed=5)
    assert df.height == n  # exactly n_persons rows, no tolerance
    assert dict(df.schema) == EXPECTED_SCHEMA
    assert df["person_id"].is_unique().all()


def test_too_small_or_bad_sizes_raise() -> None:
    for bad in (MIN_PERSONS - 1, 0, -5):
        with pytest.raises(ValueError, match="at least"):
            generate_survey(bad)
    with pytest.raises(TypeError):
        generate_survey(1e6)  # type: ignore[arg-type]


def test_deterministic_and_no_global_state() -> None:
    np.random.seed(0)  # noqa: NPY002 - the generator must ignore the legacy global state
    a = generate_survey(20_000, seed=3)
    np.random.seed(1)  # noqa: NPY002
    b = generate_survey(20_000, seed=3)
    assert a.equals(b)
    c = generate_survey(20_000, seed=4)
    assert not a.equals(c)
    assert not np.array_equal(a["expenditure_pc"].to_numpy(), c["expenditure_pc"].to_numpy())


@pytest.mark.parametrize("frame", ["small", "medium"])
def test_all_areas_present_with_real_names(frame: str, request: pytest.FixtureRequest) -> None:
    df: pl.DataFrame = request.getfixturevalue(frame)
    areas = df.select("province_code", "province_name", "regency_code", "regency_name").unique()
    assert areas.height == 514
    expected = (
        read_regencies()
        .join(read_provinces(), left_on="province_code", right_on="code", suffix="_p")
        .select(
            "province_code",
            pl.col("name_p").alias("province_name"),
            pl.col("code").alias("regency_code"),
            pl.col("name").alias("regency_name"),
        )
    )
    assert areas.sort("regency_code").equals(expected.sort("regency_code"))
    assert df["province_code"].n_unique() == 38


@pytest.mark.parametrize("frame", ["small", "medium"])
def test_design_no_lonely_psu(frame: str, request: pytest.FixtureRequest) -> None:
    df: pl.DataFrame = request.getfixturevalue(frame)
    assert all(re.fullmatch(r"\d{2}\.\d{2}-[UR]", s) for s in df["stratum"].unique())
    assert (df["stratum"].str.slice(0, 5) == df["regency_code"]).all()
    assert (df["stratum"].str.ends_with("-U") == df["urban"]).all()
    per_stratum = df.group_by("stratum").agg(
        n_psu=pl.col("psu").n_unique(),
        psu_count=pl.col("psu_count").unique(),
    )
    assert per_stratum["n_psu"].to_numpy().min() >= 2
    assert (per_stratum["psu_count"].list.len() == 1).all()
    assert (per_stratum["psu_count"].list.first() > per_stratum["n_psu"]).all()
    # PSUs are national ids nested in strata; every regency has a stratum with >= 2 PSUs.
    assert (df.group_by("psu").agg(pl.col("stratum").n_unique())["stratum"] == 1).all()
    assert per_stratum["stratum"].str.slice(0, 5).n_unique() == 514
    hh_per_psu = df.group_by("psu").agg(pl.col("hh_id").n_unique())["hh_id"].to_numpy()
    assert hh_per_psu.min() >= 1


def test_households_are_consistent(medium: pl.DataFrame) -> None:
    per_hh = medium.group_by("hh_id").agg(
        n=pl.len(),
        size=pl.col("hh_size").first(),
        heads=pl.col("is_head").sum(),
        first_is_head=pl.col("is_head").first(),
        **{
            c: pl.col(c).n_unique()
            for c in (
                "weight",
                "expenditure_pc",
                "psu",
                "stratum",
                "head_female",
                "poverty_line",
                "dist_school_km",
                "dist_health_km",
                "hh_size",
            )
        },
    )
    assert (per_hh["n"] == per_hh["size"]).all()
    assert (per_hh["heads"] == 1).all() and per_hh["first_is_head"].all()
    for c in ("weight", "expenditure_pc", "psu", "stratum", "head_female", "poverty_line"):
        assert (per_hh[c] == 1).all(), c
    assert medium["hh_size"].is_between(1, 10).all()
    assert 3.5 < per_hh["size"].to_numpy().mean() < 4.1
    heads = medium.filter("is_head")
    assert (heads["head_female"] == (heads["sex"] == "female")).all()
    hh_per_psu = medium.group_by("psu").agg(pl.col("hh_id").n_unique())["hh_id"].to_numpy()
    assert 9 <= hh_per_psu.mean() <= 11  # about ten households per census block


def test_weights_and_lines(medium: pl.DataFrame) -> None:
    w = medium["weight"].to_numpy()
    assert (w > 0).all()
    assert w.sum() == pytest.approx(281.6e6, rel=1e-9)
    ratio = medium.group_by("stratum").agg(r=pl.col("weight").max() / pl.col("weight").min())
    assert ratio["r"].to_numpy().max() > 1.1  # some variation within strata
    lines = medium.group_by("province_code", "urban").agg(pl.col("poverty_line").n_unique())
    assert (lines["poverty_line"] == 1).all()
    line = medium["poverty_line"].to_numpy()
    urban = medium["urban"].to_numpy()
    assert _wmean(line, w) == pytest.approx(583_000, rel=0.03)
    assert _wmean(line[urban], w[urban]) == pytest.approx(602_000, rel=0.01)
    assert _wmean(line[~urban], w[~urban]) == pytest.approx(557_000, rel=0.01)
    assert line.min() > 0.75 * 583_000 and line.max() < 1.35 * 583_000
    kota = medium["regency_name"].str.starts_with("Kota ").to_numpy()
    assert _wmean(urban[kota], w[kota]) > 0.9 and _wmean(urban[~kota], w[~kota]) < 0.6


def test_calibration_bands(medium: pl.DataFrame) -> None:
    w = medium["weight"].to_numpy()
    y = medium["expenditure_pc"].to_numpy()
    poor = y < medium["poverty_line"].to_numpy()
    urban = medium["urban"].to_numpy()
    papua = medium["province_code"].cast(pl.Int32).to_numpy() >= 91
    assert 0.07 < _wmean(poor, w) < 0.115
    assert 0.05 < _wmean(poor[urban], w[urban]) < 0.095
    assert 0.09 < _wmean(poor[~urban], w[~urban]) < 0.14
    assert _wmean(poor[papua], w[papua]) > 0.2
    assert 0.34 < _weighted_gini(y, w) < 0.42
    assert 1.3e6 < _wmean(y, w) < 1.7e6
    jakarta = medium["province_code"].to_numpy() == "31"
    assert _wmean(poor[jakarta], w[jakarta]) < _wmean(poor, w)


def test_person_variables(medium: pl.DataFrame) -> None:
    df = medium
    age = df["age"]
    assert age.is_between(0, 100).all() and set(df["sex"].unique()) == {"male", "female"}
    school_age = age.is_between(7, 24)
    assert (df["enrolled"].is_null() == ~school_age).all()
    assert (df["school_level"].is_null() == ~df["enrolled"].fill_null(False)).all()
    # The level of the age, or one below for repeaters (so gross and net enrolment differ).
    rank = {"SD": 0, "SMP": 1, "SMA": 2, "PT": 3}
    enrolled = df.filter(pl.col("enrolled"))
    by_age = pl.Series(np.searchsorted([12, 15, 18], enrolled["age"].to_numpy(), side="left"))
    behind = by_age - enrolled["school_level"].replace_strict(rank, return_dtype=pl.Int64)
    assert behind.is_in([0, 1]).all()
    assert 0.005 < behind.mean() < 0.05  # type: ignore[operator]
    assert (behind.filter(enrolled["age"] <= 12) == 0).all()
    insured = df["health_insurance"]
    assert ((df["insurance_scheme"] == "none") == ~insured).all()
    assert set(df["insurance_scheme"].unique()) == {
        "none", "JKN PBI", "JKN non-PBI", "Jamkesda", "private"
    }  # fmt: skip
    unmet = _wmean(
        (df["health_complaint"] & ~df["outpatient_visit"]).cast(pl.Float64).to_numpy(),
        df["weight"].to_numpy(),
    )
    assert 0.02 < unmet < 0.08  # BPS reports about 5% of the population
    assert (df["employed"].is_null() == (age < 15)).all()
    assert (df["informal"].is_null() == ~df["employed"].fill_null(False)).all()
    assert (df["years_schooling"].is_null() == (age < 25)).all()
    assert df["years_schooling"].drop_nulls().is_between(0, 22).all()
    assert (df["dist_school_km"] > 0).all() and (df["dist_health_km"] > 0).all()

    def rate(col: str, frame: pl.DataFrame) -> float:
        sub = frame.filter(pl.col(col).is_not_null())
        return _wmean(sub[col].cast(pl.Float64).to_numpy(), sub["weight"].to_numpy())

    assert 0.02 < rate("disability", df) < 0.09
    assert rate("disability", df.filter(age >= 65)) > rate("disability", df.filter(age < 40))
    assert 0.68 < rate("health_insurance", df) < 0.77
    assert 0.11 < rate("outpatient_visit", df) < 0.19
    assert 0.55 < rate("informal", df) < 0.66
    poor = df.filter(pl.col("expenditure_pc") < pl.col("poverty_line"))
    rich = df.filter(pl.col("expenditure_pc") > 3 * pl.col("poverty_line"))
    sma, sd = pl.col("age").is_between(16, 18), pl.col("age").is_between(7, 12)
    assert rate("enrolled", poor.filter(sma)) < rate("enrolled", rich.filter(sma)) - 0.1
    assert rate("enrolled", df.filter(sma)) < rate("enrolled", df.filter(sd))
    assert rate("years_schooling", poor) < rate("years_schooling", rich) - 2
    middle = df.filter(
        pl.col("expenditure_pc").is_between(
            1.5 * pl.col("poverty_line"), 2 * pl.col("poverty_line")
        )
    )
    assert rate("health_insurance", poor) > rate("health_insurance", middle)
    rural = df.filter(~pl.col("urban"))
    urb = df.filter("urban")
    assert np.median(rural["dist_health_km"].to_numpy()) > np.median(
        urb["dist_health_km"].to_numpy()
    )


def test_write_survey(tmp_path: Path) -> None:
    pq = write_survey(tmp_path / "demo.parquet", MIN_PERSONS, seed=1)
    assert pl.read_parquet(tmp_path / "demo.parquet").equals(pq)
    csv = write_survey(str(tmp_path / "demo.CSV"), MIN_PERSONS, seed=1)
    back = pl.read_csv(tmp_path / "demo.CSV", schema=csv.schema)
    assert back.equals(csv)
