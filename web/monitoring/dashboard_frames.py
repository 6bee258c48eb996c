"""Score-card tables of the monitoring dashboards, from plain frames (no Django import).

The web layer reads indicators, values and targets from the database into the frames below;
these functions join them and score them with the library (:func:`setara.monitoring.score`),
so the joining rules are tested by value:

- a value is scored against the target of its own region and year when the plan has one, else
  against the plan's national target for that year (``target_scope`` says which);
- a point target ``target_value`` is the range ``[t, t]``;
- the latest period of an indicator is the largest period string among its values (periods of
  one indicator share one type: ``2025``, ``2025-Q3``, ``2025-S1``, ``2025-07`` sort in time);
- only survey indicators carry a statistical verdict and an RSE flag (administrative values
  have no sampling error).
"""

from __future__ import annotations

import polars as pl

from setara.monitoring import score, scorecard

__all__ = [
    "INDICATOR_SCHEMA",
    "TARGET_SCHEMA",
    "VALUE_SCHEMA",
    "latest",
    "ranking",
    "scored_values",
]

INDICATOR_SCHEMA = {
    "indicator_id": pl.Int64,
    "code": pl.String,
    "name": pl.String,
    "unit": pl.String,
    "polarity": pl.String,
    "source_kind": pl.String,
}
VALUE_SCHEMA = {
    "indicator_id": pl.Int64,
    "region_code": pl.String,
    "period": pl.String,
    "value": pl.Float64,
    "se": pl.Float64,
    "ci_low": pl.Float64,
    "ci_high": pl.Float64,
    "rse": pl.Float64,
    "approved": pl.Boolean,
}
TARGET_SCHEMA = {
    "indicator_id": pl.Int64,
    "region_code": pl.String,
    "year": pl.Int64,
    "baseline_value": pl.Float64,
    "target_value": pl.Float64,
    "target_low": pl.Float64,
    "target_high": pl.Float64,
}


def latest(values: pl.DataFrame) -> pl.DataFrame:
    """The rows of each indicator's latest period (the same period for every region), in
    their order."""
    if values.is_empty():
        return values
    return values.filter(pl.col("period") == pl.col("period").max().over("indicator_id"))


def _targets_for(values: pl.DataFrame, targets: pl.DataFrame) -> pl.DataFrame:
    """``values`` with the target columns of their region (else national) and year."""
    tidy = targets.with_columns(
        pl.coalesce("target_low", "target_value").alias("target_low"),
        pl.when(pl.col("target_value").is_not_null())
        .then(pl.col("target_value"))
        .otherwise(pl.col("target_high"))
        .alias("target_high"),
    ).select("indicator_id", "region_code", "year", "baseline_value", "target_low", "target_high")
    own = tidy.filter(pl.col("region_code") != "")
    national = tidy.filter(pl.col("region_code") == "").drop("region_code")
    keyed = values.with_columns(pl.col("period").str.slice(0, 4).cast(pl.Int64).alias("year"))
    joined = keyed.join(own, on=["indicator_id", "region_code", "year"], how="left").join(
        national, on=["indicator_id", "year"], how="left", suffix="_national"
    )
    has_own = pl.col("target_low").is_not_null() | pl.col("target_high").is_not_null()
    has_national = (
        pl.col("target_low_national").is_not_null() | pl.col("target_high_national").is_not_null()
    )
    pick = {
        name: pl.when(has_own).then(pl.col(name)).otherwise(pl.col(f"{name}_national"))
        for name in ("baseline_value", "target_low", "target_high")
    }
    return joined.with_columns(
        pick["baseline_value"].alias("baseline"),
        pick["target_low"].alias("target_low"),
        pick["target_high"].alias("target_high"),
        pl.when(has_own)
        .then(pl.lit("region"))
        .when(has_national)
        .then(pl.lit("national"))
        .otherwise(None)
        .alias("target_scope"),
    ).drop("baseline_value", "baseline_value_national", "target_low_national")


def scored_values(
    indicators: pl.DataFrame, values: pl.DataFrame, targets: pl.DataFrame
) -> pl.DataFrame:
    """Every value joined to its indicator and target, and scored.

    Parameters
    ----------
    indicators, values, targets
        Frames with :data:`INDICATOR_SCHEMA`, :data:`VALUE_SCHEMA`, :data:`TARGET_SCHEMA`
        (targets of one plan).

    Returns
    -------
    polars.DataFrame
        The value columns, the indicator's ``code, name, unit, polarity, source_kind``,
        ``year``, ``baseline``, ``target_low``, ``target_high``, ``target_scope`` and the
        columns :func:`setara.monitoring.score` adds (``verdict`` and ``rse_flag`` null for
        administrative indicators), sorted by indicator code, region and period.

    Examples
    --------
    >>> ind = pl.DataFrame({"indicator_id": [1], "code": ["P0"], "name": ["Poverty"],
    ...     "unit": ["%"], "polarity": ["lower"], "source_kind": ["survey"]})
    >>> val = pl.DataFrame({"indicator_id": [1], "region_code": ["32"], "period": ["2025"],
    ...     "value": [7.0], "se": [0.2], "ci_low": [6.6], "ci_high": [7.4], "rse": [0.03],
    ...     "approved": [True]})
    >>> tgt = pl.DataFrame({"indicator_id": [1], "region_code": [""], "year": [2025],
    ...     "baseline_value": [9.0], "target_value": [7.5], "target_low": [None],
    ...     "target_high": [None]}, schema=TARGET_SCHEMA)
    >>> scored_values(ind, val, tgt).select("target_scope", "verdict").rows()
    [('national', 'met')]
    """
    values = values.cast(VALUE_SCHEMA)  # type: ignore[arg-type]
    with_targets = _targets_for(values, targets.cast(TARGET_SCHEMA))  # type: ignore[arg-type]
    joined = with_targets.join(indicators.cast(INDICATOR_SCHEMA), on="indicator_id", how="inner")  # type: ignore[arg-type]
    survey = pl.col("source_kind") == "survey"
    scored = score(joined)
    return scored.with_columns(
        pl.when(survey).then(pl.col("verdict")).otherwise(None).alias("verdict"),
        pl.when(survey).then(pl.col("rse_flag")).otherwise(None).alias("rse_flag"),
    ).sort("code", "region_code", "period")


def ranking(scored: pl.DataFrame, names: dict[str, str]) -> pl.DataFrame:
    """Regions ranked by their mean achievement over the scored indicators (capped at 120 so
    one indicator far beyond its target cannot hide the others), with their names."""
    if scored.is_empty():
        return pl.DataFrame(
            schema={"region_code": pl.String, "rank": pl.Int64, "region_name": pl.String}
        )
    card = scorecard(scored, by=("region_code",), cap=120.0)
    return card.with_columns(
        pl.col("region_code")
        .replace_strict(names, default=pl.col("region_code"))
        .alias("region_name")
    )
