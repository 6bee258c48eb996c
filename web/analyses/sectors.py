"""Education and health indicators from the columns a survey carries (no Django import).

Each indicator is a design-based estimate of the engine (``mean`` of a 0/1 or numeric column,
or ``ratio`` of two totals) over a derived column whose missing values mark the rows outside
its population, so the survey design is kept whole (domain estimation). Definitions follow
BPS (see ``docs/diagnostics.md``):

- RLS, *rata-rata lama sekolah*: mean years of schooling of persons aged 25 and over.
- Attainment: share of persons 25+ by highest level completed, from years of schooling
  (under 6: no SD; 6-8: SD; 9-11: SMP; 12: SMA; 13 or more: PT, as BPS converts D1 = 13 ...).
- APM, *angka partisipasi murni* (net enrolment rate) of a level: persons of the level's age
  group attending that level, over the persons of that age group (SD 7-12, SMP 13-15,
  SMA 16-18, PT 19-23).
- APK, *angka partisipasi kasar* (gross enrolment rate): persons of any age attending the
  level, over the persons of its age group; a ratio of two totals, it can exceed 100%.
- Out-of-school children (*anak tidak sekolah*): share of children 7-18 not attending school.
- Unmet need for health care: share of the population with a health complaint disrupting their
  activities who had no outpatient care in the month (BPS *unmet need pelayanan kesehatan*).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from datasets.labels import MEANINGS

LEVELS = {"SD": (7, 12), "SMP": (13, 15), "SMA": (16, 18), "PT": (19, 23)}
# Highest level completed from years of schooling: (key, label, from, to) in years.
ATTAINMENT = (
    ("att_none", "Attainment: no SD certificate (under 6 years)", 0, 6),
    ("att_sd", "Attainment: SD completed (6-8 years)", 6, 9),
    ("att_smp", "Attainment: SMP completed (9-11 years)", 9, 12),
    ("att_sma", "Attainment: SMA completed (12 years)", 12, 13),
    ("att_pt", "Attainment: PT, any tertiary (13+ years)", 13, 99),
)
SCHEME_ORDER = MEANINGS["insurance_scheme"]


@dataclass(frozen=True)
class Indicator:
    key: str
    spec: str
    label: str
    fmt: str  # percent | ratio | money | index | number
    outcome: str = ""  # column estimated (the dimension's outcome when empty)
    name: str = ""  # fills {name} in the label (an insurance scheme)


def _flag(data: pl.DataFrame, column: str) -> pl.Expr:
    return pl.col(column).cast(pl.Float64).fill_null(0.0) if column in data.columns else pl.lit(0.0)


def _age_between(low: int, high: int) -> pl.Expr:
    return pl.col("age").is_between(low, high)


def education(data: pl.DataFrame) -> tuple[pl.DataFrame, list[Indicator]]:
    """Derived columns and indicators of the education diagnostic beyond the enrolment rate."""
    items: list[Indicator] = []
    derived: list[pl.Expr] = []
    has_age = "age" in data.columns
    if "years_schooling" in data.columns:
        years = pl.col("years_schooling").cast(pl.Float64)
        adult = _age_between(25, 200) if has_age else pl.lit(True)
        derived.append(pl.when(adult).then(years).alias("_rls"))
        label = "Mean years of schooling, age 25+ (RLS)" if has_age else "Mean years of schooling"
        items.append(Indicator("rls", "mean", label, "number", "_rls"))
        for key, text, low, high in ATTAINMENT:
            inside = ((years >= low) & (years < high)).cast(pl.Float64)
            derived.append(pl.when(adult & years.is_not_null()).then(inside).alias(f"_{key}"))
            items.append(Indicator(key, "mean", text, "percent", f"_{key}"))
    if has_age and "enrolled" in data.columns:
        attending = _flag(data, "enrolled")
        if "school_level" in data.columns:
            for level, (low, high) in LEVELS.items():
                at_level = attending * (pl.col("school_level") == level).fill_null(False)
                in_group = _age_between(low, high)
                derived += [
                    pl.when(in_group).then(at_level).alias(f"_apm_{level}"),
                    at_level.alias(f"_apk_{level}"),
                    in_group.cast(pl.Float64).fill_null(0.0).alias(f"_age_{level}"),
                ]
                items += [
                    Indicator(
                        f"apm_{level.lower()}",
                        "mean",
                        f"Net enrolment rate {level}, age {low}-{high} (APM)",
                        "percent",
                        f"_apm_{level}",
                    ),
                    Indicator(
                        f"apk_{level.lower()}",
                        f"ratio:denominator=_age_{level}",
                        f"Gross enrolment rate {level}, age {low}-{high} (APK)",
                        "percent",
                        f"_apk_{level}",
                    ),
                ]
        derived.append(pl.when(_age_between(7, 18)).then(1.0 - attending).alias("_oos"))
        items.append(
            Indicator("oos", "mean", "Out-of-school children, age 7-18", "percent", "_oos")
        )
    if "dist_school" in data.columns:
        distance = pl.col("dist_school").cast(pl.Float64)
        label = (
            "Mean distance to school, age 7-18 (km)" if has_age else "Mean distance to school (km)"
        )
        school_age = _age_between(7, 18) if has_age else pl.lit(True)
        derived.append(pl.when(school_age).then(distance).alias("_dist_school"))
        items.append(Indicator("dist_school", "mean", label, "number", "_dist_school"))
    return data.with_columns(derived), items


def health(data: pl.DataFrame) -> tuple[pl.DataFrame, list[Indicator]]:
    """Derived columns and indicators of the health diagnostic beyond insurance coverage."""
    items: list[Indicator] = []
    derived: list[pl.Expr] = []
    if "outpatient_visit" in data.columns:
        derived.append(pl.col("outpatient_visit").cast(pl.Float64).alias("_outpatient"))
        items.append(
            Indicator(
                "outpatient", "mean", "Outpatient visit in the last month", "percent", "_outpatient"
            )
        )
        if "health_complaint" in data.columns:
            complaint = pl.col("health_complaint").cast(pl.Float64)
            unmet = complaint * (1.0 - pl.col("outpatient_visit").cast(pl.Float64))
            derived.append(unmet.alias("_unmet"))
            items.append(
                Indicator("unmet", "mean", "Unmet need for health care", "percent", "_unmet")
            )
    if "insurance_scheme" in data.columns:
        found = data["insurance_scheme"].drop_nulls().unique().to_list()
        schemes = [s for s in SCHEME_ORDER if s in found] + sorted(
            s for s in found if s not in SCHEME_ORDER
        )
        for i, scheme in enumerate(schemes[:10]):
            scheme_col = pl.col("insurance_scheme")
            derived.append(
                pl.when(scheme_col.is_not_null())
                .then((scheme_col == scheme).cast(pl.Float64))
                .alias(f"_scheme_{i}")
            )
            items.append(
                Indicator(
                    f"scheme_{i}",
                    "mean",
                    "Insurance scheme: {name}",
                    "percent",
                    f"_scheme_{i}",
                    scheme,
                )
            )
    if "dist_health" in data.columns:
        derived.append(pl.col("dist_health").cast(pl.Float64).alias("_dist_health"))
        items.append(
            Indicator(
                "dist_health",
                "mean",
                "Mean distance to a health facility (km)",
                "number",
                "_dist_health",
            )
        )
    return data.with_columns(derived), items


def regional(dimension: str, items: list[Indicator]) -> list[str]:
    """Indicators estimated by province, regency and group (the first one is mapped)."""
    wanted = {
        "economic": ("p0", "gini", "mean"),
        "education": ("rate", "rls", "oos", "apm_smp", "apk_smp"),
        "health": ("rate", "outpatient", "unmet", "dist_health"),
    }[dimension]
    present = {i.key for i in items}
    return [k for k in wanted if k in present]


def sort_rows(rows: list[dict[str, object]], order: list[str]) -> list[dict[str, object]]:
    """Rows in the declared order of their group (others after, in their own order)."""
    rank = {name: i for i, name in enumerate(order)}
    position = np.array([rank.get(str(r["group"]), len(order)) for r in rows], dtype=np.int64)
    return [rows[i] for i in np.argsort(position, kind="stable")]
