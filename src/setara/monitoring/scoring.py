"""Achievement against targets as in Indonesian performance reporting, and region score cards.

:func:`score` adds to every indicator × region × period row its achievement (*capaian*, %),
the achievement category, a traffic light, the progress from the baseline, the statistical
verdict for survey indicators (is the target outside the confidence interval?) and the RSE
flag. :func:`scorecard` sums the scored rows up per region and ranks the regions.

Rules followed
--------------
Achievement (*capaian kinerja*), PermenPANRB 8/2021 (Sistem Manajemen Kinerja PNS), Lampiran,
Bab VI.A.1 "Menghitung Capaian IKI" (formulas (e) and (g)); the same ratios are the usual
practice of the LKj under PermenPANRB 53/2014:

- higher is better ("kondisi normal"): ``realisation / target × 100``;
- lower is better ("kondisi khusus"): ``(1 + (1 − realisation / target)) × 100``,
  i.e. ``(2 − realisation / target) × 100``;
- a target given as a range uses its upper bound when the realisation is above it and its
  lower bound when the realisation is below it (same Lampiran, note to both formulas); a
  realisation inside the range (bounds included) is 100. A point target is the range
  ``[t, t]``; a missing bound is an open range ("at least 80": ``target_high`` null).

Categories, Permendagri 86/2017 (evaluation of the RKPD), *kriteria tingkat capaian kinerja*:
very high 91–100 and above, high 76–90, medium 66–75, low 51–65, very low ≤ 50. The decree
lists whole numbers; Setara closes the gaps by its lower bounds (``a ≥ 91`` very high,
``76 ≤ a < 91`` high, ``66 ≤ a < 76`` medium, ``51 ≤ a < 66`` low, ``a < 51`` very low), so
90.5 is high. (The scale is as the brief and common practice quote it; the decree's text was
not at hand when this was written.)

Defined behaviour at the edges (each row of ``tests/data/monitoring/score_cases.csv``):

- a missing value or no target at all: achievement, category and light are null;
- the reference target (the bound used) is zero or negative while the realisation lies outside
  the range: the ratio has no meaning, achievement is null and ``score_note`` says why; a
  realisation inside the range is still 100 (a target of 0 met exactly scores 100);
- negative realisations against a positive target are scored by the same formulas
  (achievement below 0 when higher is better, above 200 when lower is better);
- achievement is not capped (``scorecard(cap=...)`` caps it for averaging);
- NaN is read as missing.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from setara import ReliabilityRule
from setara.monitoring._rows import first_bad, numeric, require_columns

__all__ = ["CATEGORIES", "LIGHTS", "VERDICTS", "score", "scorecard"]

#: Achievement categories, best first, with the lowest achievement (%) each one starts at.
CATEGORIES: tuple[tuple[str, float], ...] = (
    ("very_high", 91.0),
    ("high", 76.0),
    ("medium", 66.0),
    ("low", 51.0),
    ("very_low", float("-inf")),
)
LIGHTS = ("green", "amber", "red")
VERDICTS = ("met", "not_met", "cannot_tell")
_POLARITIES = ("higher", "lower")


def _category(achievement: pl.Expr) -> pl.Expr:
    expr: pl.Expr = pl.lit(None, dtype=pl.String)
    for name, lowest in reversed(CATEGORIES):
        expr = pl.when(achievement >= lowest).then(pl.lit(name)).otherwise(expr)
    return pl.when(achievement.is_null()).then(None).otherwise(expr)


def _light(achievement: pl.Expr, green_from: float, amber_from: float) -> pl.Expr:
    return (
        pl.when(achievement.is_null())
        .then(None)
        .when(achievement >= green_from)
        .then(pl.lit("green"))
        .when(achievement >= amber_from)
        .then(pl.lit("amber"))
        .otherwise(pl.lit("red"))
    )


def score(
    frame: pl.DataFrame,
    *,
    green_from: float = 91.0,
    amber_from: float = 66.0,
    reliability: ReliabilityRule | None = None,
) -> pl.DataFrame:
    """Score realisations against their targets (vectorised; one row in, one row out).

    Parameters
    ----------
    frame
        Columns ``value`` (the realisation), ``target_low``, ``target_high`` (equal for a point
        target, null for an open side), ``polarity`` (``"higher"`` or ``"lower"`` is better);
        optional ``baseline``, ``ci_low``, ``ci_high`` (the estimate's confidence interval)
        and ``rse`` (relative standard error as a fraction, 0.25 = 25%, as in the engine's
        results). Other columns are kept.
    green_from, amber_from
        Traffic light: green when achievement ≥ ``green_from`` (default 91, the "very high"
        category), amber when ≥ ``amber_from`` (default 66: "high" or "medium"), else red.
    reliability
        The engine's :class:`setara.ReliabilityRule` whose BPS RSE bands give ``rse_flag``
        (default: RSE ≤ 25% reliable, ≤ 50% caution, above unreliable).

    Returns
    -------
    polars.DataFrame
        The input with ``achievement`` (%, see the module notes), ``category`` (``very_high``
        … ``very_low``), ``light``, ``progress`` (share of the way from the baseline to the
        target: 0 at the baseline, 1 at the target, above 1 beyond it, negative when moving
        away; null without a baseline or when the baseline already meets the target),
        ``verdict`` (``met`` when the whole CI is on the good side of the target,
        ``not_met`` when it is wholly on the bad side, ``cannot_tell`` when the target lies
        inside the CI, bounds included; null without a CI or a target), ``rse_flag`` (null
        without ``rse``) and ``score_note`` (why achievement is null, else null).

    The target that decides the verdict and the progress is the bound on the bad side:
    ``target_low`` when higher is better (``target_high`` if the low side is open), and
    ``target_high`` when lower is better; so achievement ≥ 100 exactly when the realisation is
    on the good side of that bound.

    Raises
    ------
    setara.SetaraError
        Missing columns, text where numbers are needed, a polarity other than ``higher`` or
        ``lower``, ``target_low > target_high`` or ``ci_low > ci_high`` (count and first row).

    Examples
    --------
    >>> import polars as pl
    >>> rows = pl.DataFrame({"value": [9.1, 8.0], "target_low": [8.5, 80.0],
    ...     "target_high": [8.5, 90.0], "polarity": ["lower", "higher"]})
    >>> score(rows).select("achievement", "category", "light").rows()
    [(92.94117647058823, 'very_high', 'green'), (10.0, 'very_low', 'red')]
    """
    what = "score"
    require_columns(frame, ("value", "target_low", "target_high", "polarity"), what=what)
    total = frame.height
    cols = {
        name: numeric(frame, name, what=what)
        for name in ("value", "target_low", "target_high", "baseline", "ci_low", "ci_high", "rse")
        if name in frame.columns
    }
    polarity = frame.get_column("polarity").cast(pl.String)
    first_bad(
        ~polarity.is_in(_POLARITIES).fill_null(False),
        describe="column 'polarity' must be 'higher' or 'lower'; other or missing values",
        total=total,
        echo=polarity,
    )
    first_bad(
        cols["target_low"] > cols["target_high"],
        describe="target_low is above target_high",
        total=total,
    )
    if "ci_low" in cols and "ci_high" in cols:
        first_bad(cols["ci_low"] > cols["ci_high"], describe="ci_low is above ci_high", total=total)
    work = pl.DataFrame([s.alias(f"__{k}") for k, s in cols.items()]).with_columns(
        polarity.alias("__polarity")
    )
    rule = reliability or ReliabilityRule()
    out = work.select(_expressions(set(cols), green_from, amber_from, rule))
    keep = frame.drop([c for c in out.columns if c in frame.columns])
    return pl.concat([keep, out], how="horizontal")


def _expressions(
    present: set[str], green_from: float, amber_from: float, rule: ReliabilityRule
) -> list[pl.Expr]:
    value, low, high = pl.col("__value"), pl.col("__target_low"), pl.col("__target_high")
    higher = pl.col("__polarity") == "higher"
    below = low.is_not_null() & (value < low)
    above = high.is_not_null() & (value > high)
    has_target = low.is_not_null() | high.is_not_null()
    reference = pl.when(below).then(low).when(above).then(high)
    ratio = value / reference
    outside = pl.when(higher).then(ratio * 100.0).otherwise((2.0 - ratio) * 100.0)
    note = (
        pl.when(value.is_null())
        .then(pl.lit("no value"))
        .when(~has_target)
        .then(pl.lit("no target"))
        .when((below | above) & (reference == 0.0))
        .then(pl.lit("zero target"))
        .when((below | above) & (reference < 0.0))
        .then(pl.lit("negative target"))
    )
    achievement = (
        pl.when(note.is_not_null())
        .then(None)
        .when(below | above)
        .then(outside)
        .otherwise(pl.lit(100.0))
        .alias("achievement")
    )
    # the bound on the bad side: reaching it means achievement 100
    decisive = pl.when(higher).then(pl.coalesce(low, high)).otherwise(pl.coalesce(high, low))
    exprs = [
        achievement,
        _category(achievement).alias("category"),
        _light(achievement, green_from, amber_from).alias("light"),
    ]
    if "baseline" in present:
        base = pl.col("__baseline")
        short = pl.when(higher).then(base < decisive).otherwise(base > decisive)
        exprs.append(
            pl.when(short.fill_null(False))
            .then((value - base) / (decisive - base))
            .otherwise(None)
            .alias("progress")
        )
    else:
        exprs.append(pl.lit(None, dtype=pl.Float64).alias("progress"))
    if {"ci_low", "ci_high"} <= present:
        ci_low, ci_high = pl.col("__ci_low"), pl.col("__ci_high")
        good = pl.when(higher).then(ci_low > decisive).otherwise(ci_high < decisive)
        bad = pl.when(higher).then(ci_high < decisive).otherwise(ci_low > decisive)
        verdict = (
            pl.when(ci_low.is_null() | ci_high.is_null() | decisive.is_null())
            .then(None)
            .when(good)
            .then(pl.lit("met"))
            .when(bad)
            .then(pl.lit("not_met"))
            .otherwise(pl.lit("cannot_tell"))
        )
        exprs.append(verdict.alias("verdict"))
    else:
        exprs.append(pl.lit(None, dtype=pl.String).alias("verdict"))
    if "rse" in present:
        rse = pl.col("__rse")
        exprs.append(
            pl.when(rse.is_null())
            .then(None)
            .when(rse <= rule.reliable_rse)
            .then(pl.lit("reliable"))
            .when(rse <= rule.caution_rse)
            .then(pl.lit("caution"))
            .otherwise(pl.lit("unreliable"))
            .alias("rse_flag")
        )
    else:
        exprs.append(pl.lit(None, dtype=pl.String).alias("rse_flag"))
    exprs.append(note.alias("score_note"))
    return exprs


def scorecard(
    scored: pl.DataFrame, *, by: Sequence[str] = ("region_code",), cap: float | None = None
) -> pl.DataFrame:
    """Sum scored rows up per region (or any ``by`` columns) and rank them.

    Parameters
    ----------
    scored
        The output of :func:`score` with the ``by`` columns.
    by
        Grouping columns (at least one).
    cap
        When given, each achievement is capped at ``cap`` before the mean (e.g. 120, so one
        indicator far beyond its target cannot hide the others); counts are not affected.

    Returns
    -------
    polars.DataFrame
        One row per group: ``n_indicators`` (rows), ``n_scored`` (rows with an achievement),
        ``mean_achievement`` (mean over scored rows), ``category`` and ``light`` of that mean
        (same thresholds as :func:`score`'s defaults), ``n_<category>`` for every category,
        ``n_green``/``n_amber``/``n_red``, ``n_met``/``n_not_met``/``n_cannot_tell`` and
        ``rank`` (1 = highest mean achievement; equal means share the smallest rank, the next
        rank skips: 1, 2, 2, 4; a group with nothing scored has no rank and comes last).
        Sorted by rank, then by the ``by`` columns.

    Examples
    --------
    >>> import polars as pl
    >>> rows = pl.DataFrame({"region_code": ["11", "11", "12"], "value": [90.0, 50.0, 80.0],
    ...     "target_low": [100.0] * 3, "target_high": [100.0] * 3, "polarity": ["higher"] * 3})
    >>> scorecard(score(rows)).select("region_code", "mean_achievement", "rank").rows()
    [('12', 80.0, 1), ('11', 70.0, 2)]
    """
    by = list(by)
    if not by:
        raise ValueError("scorecard needs at least one 'by' column")
    require_columns(scored, [*by, "achievement", "category", "light", "verdict"], what="scorecard")
    achievement = pl.col("achievement")
    if cap is not None:
        achievement = achievement.clip(upper_bound=cap)
    counts = [
        *((pl.col("category") == name).sum().alias(f"n_{name}") for name, _ in CATEGORIES),
        *((pl.col("light") == name).sum().alias(f"n_{name}") for name in LIGHTS),
        *((pl.col("verdict") == name).sum().alias(f"n_{name}") for name in VERDICTS),
    ]
    card = scored.group_by(by).agg(
        pl.len().alias("n_indicators"),
        pl.col("achievement").count().alias("n_scored"),
        achievement.mean().alias("mean_achievement"),
        *counts,
    )
    mean = pl.col("mean_achievement")
    card = card.with_columns(
        _category(mean).alias("category"),
        _light(mean, 91.0, 66.0).alias("light"),
        mean.rank(method="min", descending=True).cast(pl.Int64).alias("rank"),
    )
    order = ["n_indicators", "n_scored", "mean_achievement", "category", "light", "rank"]
    rest = [c for c in card.columns if c not in (*by, *order)]
    return card.select(*by, *order, *rest).sort(["rank", *by], nulls_last=True)
