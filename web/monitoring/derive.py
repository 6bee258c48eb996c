"""Administrative indicators derived from a reporting form's approved realisation rows.

An indicator with ``source_form`` and ``formula`` gets its values here, never by hand: when a
submission of the form is approved, accepted, returned or reopened, :func:`refresh` recomputes
the values of the submission's period for its region and every region above it (province,
nation) from the rows :func:`monitoring.queries.approved_rows` lets through, in the caller's
transaction. A region's value sums the rows of the submissions of that region and of the
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


def _inside(code: str) -> Q:
    """Rows of submissions of region ``code`` or below it."""
    if not code:
        return Q()
    return Q(submission__region_code=code) | Q(submission__region_code__startswith=code + ".")


def derived_values(form_id: int, period: str, regions: list[str]) -> list[IndicatorValue]:
    """The values of every indicator derived from form ``form_id`` for ``period`` in
    ``regions``, from the approved rows: one aggregate query for all regions and formulas."""
    indicators = list(Indicator.objects.filter(source_form_id=form_id).exclude(formula=""))
    if not indicators:
        return []
    pairs = sorted({FORMULAS[i.formula][:2] for i in indicators}, key=str)
    sums = {}
    for r, region in enumerate(regions):
        for p, (numerator, denominator) in enumerate(pairs):
            both = _inside(region) & Q(**{f"{numerator}__isnull": False})
            if denominator is not None:
                both &= Q(**{f"{denominator}__isnull": False})
                sums[f"d{r}_{p}"] = Sum(denominator, filter=both)
            sums[f"n{r}_{p}"] = Sum(numerator, filter=both)
    rows = approved_rows().filter(submission__form_id=form_id, submission__period=period)
    found = rows.aggregate(**sums)
    values = []
    for indicator in indicators:
        numerator, denominator, scale = FORMULAS[indicator.formula]
        p = pairs.index((numerator, denominator))
        for r, region in enumerate(regions):
            top = found[f"n{r}_{p}"]
            bottom = found.get(f"d{r}_{p}") if denominator is not None else 1
            if top is None or not bottom:
                continue
            values.append(
                IndicatorValue(
                    indicator=indicator,
                    region_code=region,
                    period=period,
                    value=scale * float(top) / float(bottom),
                )
            )
    return values


def refresh(submission: Submission) -> int:
    """Recompute the derived values of ``submission``'s form and period for its region and
    the regions above (inside the caller's transaction); the number of values now stored.

    The derived indicators are row-locked first, so two approvals in one province cannot
    both compute the province's value without seeing each other's rows.
    """
    locked = Indicator.objects.select_for_update().filter(source_form_id=submission.form_id)
    ids = list(locked.exclude(formula="").values_list("pk", flat=True))
    if not ids:
        return 0
    regions = regions_up(submission.region_code)
    _drop(ids, submission.period, regions)
    values = derived_values(submission.form_id, submission.period, regions)
    IndicatorValue.objects.bulk_create(values)
    return len(values)


def _drop(ids: Iterable[int], period: str, regions: list[str]) -> None:
    derived_of(ids).filter(period=period, region_code__in=regions).delete()


def derived_of(ids: Iterable[int]) -> QuerySet[IndicatorValue]:
    """The derived values of these indicators (they have no submission and no analysis: they
    belong to the approved rows, not to one report)."""
    return IndicatorValue.objects.filter(
        indicator_id__in=list(ids),
        disaggregation="",
        submission__isnull=True,
        analysis__isnull=True,
    )


def rebuild(form_id: int) -> int:
    """Every derived value of form ``form_id`` again, for all periods and regions with approved
    rows (a new or changed derived indicator, the demo seed): one query grouped by period and
    submission region, the sums rolled up to every region above with polars; the number of
    values stored. Gives the values :func:`refresh` gives step by step."""
    indicators = list(
        Indicator.objects.select_for_update().filter(source_form_id=form_id).exclude(formula="")
    )
    derived_of(i.pk for i in indicators).delete()
    if not indicators:
        return 0
    pairs = sorted({FORMULAS[i.formula][:2] for i in indicators}, key=str)
    sums = {}
    for p, (numerator, denominator) in enumerate(pairs):
        both = Q(**{f"{numerator}__isnull": False})
        if denominator is not None:
            both &= Q(**{f"{denominator}__isnull": False})
        sums[f"n{p}"] = Sum(numerator, filter=both)
        sums[f"d{p}"] = Sum(denominator or numerator, filter=both)
    grouped = (
        approved_rows()
        .filter(submission__form_id=form_id)
        .values_list("submission__period", "submission__region_code")
        .annotate(**sums)
        .order_by()
    )
    schema = {"period": pl.String, "region_code": pl.String} | dict.fromkeys(sums, pl.Float64)
    frame = read_frame(grouped, schema)
    code = pl.col("region_code")
    prefixes = [pl.lit(""), *(code.str.slice(0, n) for n in (2, 5, 8)), code]
    rolled = (
        frame.with_columns(pl.concat_list(prefixes).list.unique().alias("region"))
        .explode("region")
        .group_by("period", "region")
        .agg(pl.col(list(sums)).sum(), pl.col(list(sums)).count().name.suffix("_k"))
    )
    values = []
    for indicator in indicators:
        numerator, denominator, scale = FORMULAS[indicator.formula]
        p = pairs.index((numerator, denominator))
        top, bottom = pl.col(f"n{p}"), pl.col(f"d{p}")
        shown = rolled.filter(pl.col(f"n{p}_k") > 0, bottom > 0)
        ratio = (scale * top / bottom) if denominator is not None else top
        cells = shown.select("period", "region", ratio.alias("value")).iter_rows()
        values += [
            IndicatorValue(indicator=indicator, region_code=region, period=period, value=value)
            for period, region, value in cells
        ]
    IndicatorValue.objects.bulk_create(values, batch_size=5_000)
    return len(values)
