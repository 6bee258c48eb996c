"""Bad panels for the DiD estimators: each mistake is one SetaraError naming the column, what
is wrong and how many rows or units; recoded cohorts are reported, not silent."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from setara.errors import ColumnNotFoundError, InputValueError, SetaraError
from setara.evaluation import att_gt, bacon, sun_abraham

DATA = Path(__file__).resolve().parents[1] / "data" / "evaluation"
COMMON = {"outcome": "lemp", "unit": "countyreal", "time": "year", "cohort": "first_treat"}


@pytest.fixture(scope="module")
def mpdta() -> pl.DataFrame:
    return pl.read_csv(DATA / "mpdta.csv")


def _message(frame: pl.DataFrame, **options: object) -> str:
    with pytest.raises(SetaraError) as caught:
        att_gt(frame, **{**COMMON, **options})  # type: ignore[arg-type]
    return str(caught.value)


def test_missing_columns_are_all_named(mpdta: pl.DataFrame) -> None:
    with pytest.raises(ColumnNotFoundError, match="'lemps', 'pop' not in the data"):
        att_gt(mpdta, **{**COMMON, "outcome": "lemps"}, covariates=["pop"])


def test_duplicates_missing_outcomes_and_weights(mpdta: pl.DataFrame) -> None:
    twice = pl.concat([mpdta, mpdta.head(3)])
    assert "3 unit-periods appear more than once" in _message(twice)
    holes = mpdta.with_columns(
        lemp=pl.when(pl.int_range(pl.len()) % 100 == 7).then(None).otherwise("lemp")
    )
    assert (
        "outcome column 'lemp' has 25 in 2,500 rows missing or not finite (first at row 8)"
        in _message(holes)
    )
    negative = mpdta.with_columns(w=pl.when(pl.col("countyreal") == 8001).then(-1.0).otherwise(1.0))
    assert "weight column 'w' has 5 in 2,500 rows negative" in _message(negative, weight="w")
    moving = mpdta.with_columns(state=pl.int_range(pl.len()) % 2)
    assert "cluster column 'state' changes within 500 in 500 units" in _message(
        moving, cluster="state"
    )


def test_options_are_checked(mpdta: pl.DataFrame) -> None:
    assert "control 'later'" in _message(mpdta, control="later")
    assert "method 'ols'" in _message(mpdta, method="ols")
    assert "aggregate 'overall'" in _message(mpdta, aggregate=["overall"])


def test_no_never_treated_needs_not_yet_controls(mpdta: pl.DataFrame) -> None:
    treated_only = mpdta.filter(pl.col("first_treat") > 0)
    assert "no never-treated unit; use control='notyet'" in _message(treated_only)
    result = att_gt(treated_only, **COMMON, control="notyet", method="reg")  # type: ignore[arg-type]
    # as R did: the last cohort (2007) becomes the comparison and 2007 is left out
    assert set(result.table["group"].to_list()) == {2004, 2006}
    assert set(result.table["time"].to_list()) == {2004, 2005, 2006}
    assert any("last cohort (2007) is the comparison" in note for note in result.notes)
    with pytest.raises(InputValueError, match="no never-treated unit"):
        sun_abraham(treated_only, **COMMON)


def test_cohorts_outside_the_periods_are_reported(mpdta: pl.DataFrame) -> None:
    shifted = mpdta.with_columns(
        first_treat=pl.when(pl.col("first_treat") == 2007)
        .then(2009)
        .when(pl.col("first_treat") == 2004)
        .then(2003)
        .otherwise("first_treat")
    )
    result = att_gt(shifted, **COMMON, method="reg")  # type: ignore[arg-type]
    assert any("first treated after the last period are never treated" in n for n in result.notes)
    assert any("treated in the first period were dropped" in n for n in result.notes)
    assert set(result.table["group"].to_list()) == {2006}
    odd = mpdta.with_columns(
        first_treat=pl.when(pl.col("first_treat") == 2006).then(2005.5).otherwise("first_treat")
    )
    assert "whose first treated period is not a period of the data" in _message(odd)


def test_bacon_refuses_unbalanced_panels(mpdta: pl.DataFrame) -> None:
    with pytest.raises(InputValueError, match="unbalanced"):
        bacon(mpdta.slice(1), **COMMON)
