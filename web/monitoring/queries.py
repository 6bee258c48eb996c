"""What dashboards and publication may show: approved data only, unless asked otherwise.

Reported rows and values count once their submission is approved or accepted (a province's
approval is enough; ``accepted_only=True`` waits for the national level). Survey values computed
from a stored analysis have no submission: they are estimates of the owning agency, not reports,
and are always included.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from monitoring.choices import APPROVED_STATES, State
from monitoring.models import IndicatorValue, RealisationRow, Submission


def _states(accepted_only: bool) -> tuple[str, ...]:
    return (State.ACCEPTED,) if accepted_only else tuple(APPROVED_STATES)


def approved_submissions(*, accepted_only: bool = False) -> QuerySet[Submission]:
    return Submission.objects.filter(state__in=_states(accepted_only))


def approved_values(*, accepted_only: bool = False) -> QuerySet[IndicatorValue]:
    """Indicator values a dashboard may show: survey estimates and approved reports."""
    return IndicatorValue.objects.filter(
        Q(submission__isnull=True) | Q(submission__state__in=_states(accepted_only))
    )


def approved_rows(*, accepted_only: bool = False) -> QuerySet[RealisationRow]:
    """Realisation rows of approved (or, with ``accepted_only``, accepted) submissions."""
    return RealisationRow.objects.filter(submission__state__in=_states(accepted_only))
