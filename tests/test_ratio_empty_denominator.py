"""A ratio over a domain whose denominator total is zero is undefined, not infinite.

The web demo found it: a regency's sample with pupils in junior secondary school but no child
aged 13-15 gave a gross enrolment ratio of +inf, which no result store can hold.
"""

from __future__ import annotations

import math

import polars as pl
import pytest

import setara


@pytest.fixture
def frame() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "enrolled": [1.0, 0.0, 1.0, 1.0, 1.0, 0.0],
            "school_age": [1.0, 1.0, 1.0, 0.0, 0.0, 0.0],
            "region": ["a", "a", "a", "b", "b", "b"],
            "psu": [1, 2, 3, 4, 5, 6],
            "w": [10.0, 20.0, 30.0, 10.0, 10.0, 10.0],
        }
    )


@pytest.mark.parametrize("replicates", [False, True])
def test_zero_denominator_gives_missing_estimate_and_se(
    frame: pl.DataFrame, replicates: bool
) -> None:
    design = setara.survey_design(frame, weight="w", psu="psu")
    if replicates:
        design = setara.with_replicates(design, "jk1")
    results = setara.estimate(
        frame, design, welfare="enrolled", measures=["ratio:denominator=school_age"], by="region"
    ).to_polars()
    by_region = {row["region"]: row for row in results.iter_rows(named=True)}
    # region a: (10 + 30) / (10 + 20 + 30)
    assert by_region["a"]["estimate"] == pytest.approx(40 / 60, rel=1e-12)
    assert by_region["a"]["se"] is not None and by_region["a"]["se"] > 0
    for column in ("estimate", "se"):
        value = by_region["b"][column]
        assert value is None or math.isnan(value), (column, value)
