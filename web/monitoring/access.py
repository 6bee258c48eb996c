"""Who may see and act on monitoring objects: the one rule behind every page and endpoint.

Plans, indicators and forms are shareable objects (``agencies.access``). A submission is read
by the members of the agency that reports it, of the agencies in its approval chain whose
region contains it, and of the form's owner; everyone else gets 404. Acting needs a role in the
right agency (403 otherwise):

- edit and submit: an analyst of the submitting agency, while the submission is a draft or
  returned;
- approve, accept and return: a manager of the agency at the *next* level of the form's
  ``approval_levels`` whose kode wilayah contains the submission's (national: a planning agency
  without region); never the submitting agency itself;
- reopen a locked submission: a manager of the level that approved it last.

Tiers come from ``Agency.region_code`` ("11" province, "11.01" regency, "" national) and a
partner agency (kind ``partner``) is its own tier outside the region hierarchy.
"""

from __future__ import annotations

from typing import Any

from agencies.access import fetch, has_role, roles_of
from agencies.models import Agency, AgencyKind, Role
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from monitoring.choices import EDITABLE_STATES, State
from monitoring.models import Indicator, Plan, ReportingForm, Submission
from monitoring.validators import LEVEL_OF_LENGTH, is_within

SUBMISSION_RELATED = ("form", "agency", "form__owner")
ACTIONS = ("edit", "submit", "approve", "return", "reopen")


def tier_of(agency: Agency) -> str | None:
    """The approval tier an agency acts at, or None (a ministry or civil society group)."""
    if agency.kind == AgencyKind.PARTNER:
        return "partner"
    if agency.region_code:
        return LEVEL_OF_LENGTH.get(len(agency.region_code))
    return "national" if agency.kind == AgencyKind.PLANNING else None


def next_level(submission: Submission) -> str | None:
    """The tier that acts next on a submitted or approved submission (None otherwise)."""
    if submission.state not in (State.SUBMITTED, State.APPROVED):
        return None
    levels = submission.form.approval_levels
    index = submission.approvals + 1
    return levels[index] if index < len(levels) else None


def last_approver_level(submission: Submission) -> str | None:
    """The tier whose approval locked the submission (None when nobody approved it)."""
    if not submission.locked or submission.approvals == 0:
        return None
    return str(submission.form.approval_levels[submission.approvals])


def acts_for(agency: Agency, level: str | None, submission: Submission) -> bool:
    """True when ``agency`` is at ``level`` and its region contains the submission's."""
    if level is None or agency.pk == submission.agency_id or tier_of(agency) != level:
        return False
    if level == "partner":
        return False  # a partner submits; it approves nobody's report
    return is_within(submission.region_code, agency.region_code)


def approved_already(user: Any, submission: Submission) -> bool:
    """True when one of the user's agencies is a level that has already approved it."""
    done = submission.form.approval_levels[1 : submission.approvals + 1]
    return any(
        tier_of(a) in done and is_within(submission.region_code, a.region_code)
        for a in _my_agencies(user)
    )


def acting_agency(user: Any, submission: Submission, action: str) -> Agency:
    """The agency on whose behalf ``user`` does ``action`` (checked by :func:`may_act`)."""
    if action in ("edit", "submit"):
        return submission.agency
    level = last_approver_level(submission) if action == "reopen" else next_level(submission)
    for agency in _my_agencies(user):
        if acts_for(agency, level, submission) and has_role(user, agency, Role.MANAGER):
            return agency
    raise PermissionDenied


def _my_agencies(user: Any) -> list[Agency]:
    cached = getattr(user, "_setara_agencies", None)
    if cached is None:
        cached = list(Agency.objects.filter(pk__in=list(roles_of(user))))
        user._setara_agencies = cached
    return cached


def can_read(user: Any, submission: Submission) -> bool:
    roles = roles_of(user)
    if submission.agency_id in roles or submission.form.owner_id in roles:
        return True
    levels = submission.form.approval_levels[1:]
    return any(
        tier_of(a) in levels and is_within(submission.region_code, a.region_code)
        for a in _my_agencies(user)
    )


def may_act(user: Any, submission: Submission, action: str) -> bool:
    """Whether ``user`` may do ``action`` (edit, submit, approve, return, reopen) now."""
    if action in ("edit", "submit"):
        return (
            submission.state in EDITABLE_STATES
            and not submission.locked
            and has_role(user, submission.agency_id, Role.ANALYST)
        )
    if action in ("approve", "return"):
        level = next_level(submission)
    elif action == "reopen":
        level = last_approver_level(submission)
    else:
        raise ValueError(f"unknown action {action!r}")
    return any(
        acts_for(a, level, submission) and has_role(user, a, Role.MANAGER)
        for a in _my_agencies(user)
    )


def get_submission(user: Any, pk: Any, action: str = "read") -> Submission:
    """Load a submission the user may read (404 otherwise) and may ``action`` (403)."""
    try:
        submission = Submission.objects.select_related(*SUBMISSION_RELATED).get(pk=pk)
    except (Submission.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    if not can_read(user, submission):
        raise Http404
    if action != "read" and not may_act(user, submission, action):
        raise PermissionDenied
    return submission


def _within(agency: Agency) -> Q:
    """Submissions whose region lies in the agency's (every one for a national agency)."""
    if agency.region_code == "":
        return Q()
    return Q(region_code=agency.region_code) | Q(region_code__startswith=agency.region_code + ".")


def _approver_steps(agency: Agency, forms: list[ReportingForm], *, waiting: bool) -> Q:
    """Submissions of ``forms`` whose chain includes the agency's tier (in its region, not its
    own); with ``waiting`` only those at the step where that tier acts next."""
    tier = tier_of(agency)
    found = Q(pk__in=[])
    if tier in (None, "partner"):
        return found
    for form in forms:
        if tier in form.approval_levels[1:]:
            step = Q(approvals=form.approval_levels.index(tier) - 1) if waiting else Q()
            found |= Q(form=form) & step
    return found & _within(agency) & ~Q(agency=agency)


def readable_submissions(user: Any) -> QuerySet[Submission]:
    """Every submission the user may read, in one query (the forms are few)."""
    roles = list(roles_of(user))
    if not roles:
        return Submission.objects.none()
    forms = list(ReportingForm.objects.only("pk", "approval_levels"))
    chain = Q(pk__in=[])
    for agency in _my_agencies(user):
        chain |= _approver_steps(agency, forms, waiting=False)
    mine = Q(agency_id__in=roles) | Q(form__owner_id__in=roles)
    return Submission.objects.filter(mine | chain).select_related(*SUBMISSION_RELATED)


def inbox(user: Any) -> QuerySet[Submission]:
    """Submissions waiting for an approval the user's agencies (as manager) may give."""
    waiting = Submission.objects.filter(state__in=(State.SUBMITTED, State.APPROVED))
    forms = list(ReportingForm.objects.filter(submissions__in=waiting).distinct())
    found = Q(pk__in=[])
    for agency in _my_agencies(user):
        if has_role(user, agency, Role.MANAGER):
            found |= _approver_steps(agency, forms, waiting=True)
    return (
        waiting.filter(found).select_related(*SUBMISSION_RELATED).order_by("period", "region_code")
    )


def get_plan(user: Any, pk: Any, action: str = "read") -> Plan:
    return fetch(user, Plan, pk, action, Plan.objects.select_related("owner"))


def get_indicator(user: Any, pk: Any, action: str = "read") -> Indicator:
    return fetch(user, Indicator, pk, action, Indicator.objects.select_related("owner"))


def get_form(user: Any, pk: Any, action: str = "read") -> ReportingForm:
    return fetch(user, ReportingForm, pk, action, ReportingForm.objects.select_related("owner"))
