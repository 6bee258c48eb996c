"""Administrative indicators derived from a reporting form's approved realisation rows.

An indicator with ``source_form`` and ``formula`` gets its values here, never by hand: when
submissions of the form are approved, accepted, returned or reopened, :func:`refresh`
recomputes the values of their periods for their regions and every region above them
(province, nation) from the rows :func:`monitoring.queries.approved_rows` lets through, in the
caller's transaction. A region's value sums the rows of the submissions of that region and of the
regions below it (a partner's submission, with no region, counts for the nation only); a ratio
is a ratio of sums over the rows that report both parts (never a mean of
the regions' ratios); a region with no such row, or a zero denominator, has no value.
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl
from django.db.models import Q, QuerySet, Sum

from monitoring.bulk import read_frame
from monitoring.choices import Formula
from monitoring.models import Indicator, IndicatorValue, Submission
from monitoring.queries import approved_rows

# formula -> (numerator column, denominator column or None for a plain sum, scale)
FORMULAS: dict[str, tuple[str, str | None, float]] = {
    Formula.BUDGET_REALISATION: ("budget_realised", "budget_allocated", 100.0),
    Formula.BENEFICIARY_COVERAGE: ("beneficiaries_reached", "beneficiaries_planned", 100.0),
    Formula.FOLLOWED_UP_SHARE: ("followed_up", "participants", 100.0),
    Formula.IMPROVED_SHARE: ("outcome_improved", "followed_up", 100.0),
    Formula.BUDGET_REALISED: ("budget_realised", None, 1.0),
    Formula.BENEFICIARIES_REACHED: ("beneficiaries_reached", None, 1.0),
    Formula.PARTICIPANTS: ("participants", None, 1.0),
}


def regions_up(code: str) -> list[str]:
    """``code`` and the regions above it, nation first (``"32.01"`` -> ``["", "32", "32.01"]``)."""
    parts = code.split(".") if code else []
    return ["", *(".".join(parts[:i]) for i in range(1, len(parts) + 1))]


def derived_of(ids: Iterable[int]) -> QuerySet[IndicatorValue]:
    """The derived values of these indicators (they have no submission and no analysis: they
    belong to the approved rows, not to one report)."""
    return IndicatorValue.objects.filter(
        indicator_id__in=list(ids),
        disaggregation="",
        submission__isnull=True,
        analysis__isnull=True,
    )


def _locked_indicators(form_id: int) -> list[Indicator]:
    """The form's derived indicators, row-locked: two approvals in one province cannot both
    compute the province's value without seeing each other's rows."""
    found = Indicator.objects.select_for_update().filter(source_form_id=form_id)
    return list(found.exclude(formula="").order_by("pk"))


def refresh(submissions: Submission | Iterable[Submission]) -> int:
    """Recompute the derived values of the submissions' forms and periods at their regions and
    the regions above (inside the caller's transaction); the number of values now stored in
    those cells. Per form: one grouped query and one insert, one delete per period."""
    subs = [submissions] if isinstance(submissions, Submission) else list(submissions)
    stored = 0
    for form_id in sorted({s.form_id for s in subs}):
        indicators = _locked_indicators(form_id)
        if not indicators:
            continue
        cells = {
            (s.period, r) for s in subs if s.form_id == form_id for r in regions_up(s.region_code)
        }
        periods = sorted({period for period, _region in cells})
        for period in periods:
            regions = [r for p, r in cells if p == period]
            derived_of(i.pk for i in indicators).filter(
                period=period, region_code__in=regions
            ).delete()
        wanted = pl.DataFrame(sorted(cells), schema=["period", "region"], orient="row")
        stored += _store(indicators, form_id, periods, wanted)
    return stored


def rebuild(form_id: int) -> int:
    """Every derived value of form ``form_id`` again, for all periods and regions with approved
    rows (a new or changed derived indicator, the demo seed); the number of values stored."""
    indicators = _locked_indicators(form_id)
    derived_of(i.pk for i in indicators).delete()
    if not indicators:
        return 0
    return _store(indicators, form_id, None, None)


def _store(
    indicators: list[Indicator],
    form_id: int,
    periods: list[str] | None,
    wanted: pl.DataFrame | None,
) -> int:
    """Insert the indicators' values of the form's approved rows (in ``periods`` and the
    ``wanted`` period/region cells when given): one query grouped by period and submission
    region, its sums rolled up to every region above with polars."""
    pairs = sorted({FORMULAS[i.formula][:2] for i in indicators}, key=str)
    sums = {}
    for p, (numerator, denominator) in enumerate(pairs):
        both = Q(**{f"{numerator}__isnull": False})
        if denominator is not None:
            both &= Q(**{f"{denominator}__isnull": False})
        sums[f"n{p}"] = Sum(numerator, filter=both)
        sums[f"d{p}"] = Sum(denominator or numerator, filter=both)
    rows = approved_rows().filter(submission__form_id=form_id)
    if periods is not None:
        rows = rows.filter(submission__period__in=periods)
    grouped = (
        rows.values_list("submission__period", "submission__region_code")
        .annotate(**sums)
        .order_by()
    )
    schema = {"period": pl.String, "region_code": pl.String} | dict.fromkeys(sums, pl.Float64)
    code = pl.col("region_code")
    prefixes = [pl.lit(""), *(code.str.slice(0, n) for n in (2, 5, 8)), code]
    rolled = (
        read_frame(grouped, schema)
        .with_columns(pl.concat_list(prefixes).list.unique().alias("region"))
        .explode("region")
        .group_by("period", "region")
        .agg(pl.col(list(sums)).sum(), pl.col(list(sums)).count().name.suffix("_k"))
    )
    if wanted is not None:
        rolled = rolled.join(wanted, on=["period", "region"], how="semi")
    values = []
    for indicator in indicators:
        numerator, denominator, scale = FORMULAS[indicator.formula]
        p = pairs.index((numerator, denominator))
        top, bottom = pl.col(f"n{p}"), pl.col(f"d{p}")
        shown = rolled.filter(pl.col(f"n{p}_k") > 0, bottom > 0 if denominator else pl.lit(True))
        ratio = (scale * top / bottom) if denominator is not None else top
        cells = shown.select("period", "region", ratio.alias("value")).iter_rows()
        values += [
            IndicatorValue(indicator=indicator, region_code=region, period=period, value=value)
            for period, region, value in cells
        ]
    IndicatorValue.objects.bulk_create(values, batch_size=5_000)
    return len(values)
