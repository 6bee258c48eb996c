"""Every state change of a submission, each in one transaction with its trail entry and audit
event: create, fill (entry form, file, API), submit, approve level by level, return, reopen.

Draft/returned -> submitted -> approved (each intermediate level) -> accepted (the last level
of the form's ``approval_levels``). The first approval locks the rows; only a return (before
the last level) or a reopening by the level that approved last unlocks them. Each approval,
return and reopening recomputes the indicators derived from the form (:mod:`monitoring.derive`)
in the same transaction. Who may act is
decided by :mod:`monitoring.access`; a step that does not apply to the current state raises
``NotAllowed`` (409 in the API).
"""

from __future__ import annotations

from typing import Any

import polars as pl
from agencies.access import check, has_role
from agencies.actions import NotAllowed
from agencies.models import Agency, Role
from audit.actions import record
from audit.models import Action
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from monitoring import derive, quality, tables
from monitoring.access import acting_agency, approved_already, may_act, tier_of
from monitoring.actions import InvalidInput
from monitoring.bulk import insert_frame
from monitoring.choices import EDITABLE_STATES, FormKind, State, Step
from monitoring.models import (
    BeneficiaryRecord,
    IndicatorValue,
    RealisationRow,
    ReportingForm,
    Submission,
    SubmissionEvent,
)
from monitoring.validators import validate_period

COMMENT_LIMIT = 5_000


def create_submission(
    user: Any,
    form: ReportingForm,
    agency: Agency,
    *,
    period: str,
    request: HttpRequest | None = None,
) -> Submission:
    """A draft report of ``agency`` (analyst role) on ``form`` for ``period``."""
    check(user, form, "read")
    if not has_role(user, agency, Role.ANALYST):
        raise PermissionDenied
    if tier_of(agency) != form.approval_levels[0]:
        raise NotAllowed(
            f"{agency.name} is not a {form.approval_levels[0]} agency, which submits {form.name}"
        )
    try:
        validate_period(period, form.period_type)
    except ValidationError as exc:
        raise InvalidInput(" ".join(exc.messages)) from None
    submission = Submission(
        form=form, agency=agency, region_code=agency.region_code, period=period, created_by=user
    )
    try:
        with transaction.atomic():
            submission.save()
            _trail(user, submission, Step.CREATE, agency, request=request)
    except IntegrityError:
        raise NotAllowed(
            f"{agency.name} already has a submission of {form.name} for {period}"
        ) from None
    return submission


def _trail(
    user: Any,
    submission: Submission,
    step: str,
    agency: Agency,
    *,
    comment: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> None:
    """One step in the submission's trail and in the audit trail (inside the transaction)."""
    signed_in = getattr(user, "is_authenticated", False)
    SubmissionEvent.objects.create(
        submission=submission,
        step=step,
        actor=user if signed_in else None,
        actor_name=user.get_username() if signed_in else "-",
        agency=agency,
        comment=comment,
    )
    record(
        Action.CREATE if step == Step.CREATE else Action.UPDATE,
        actor=user,
        obj=submission,
        agency_id=agency.pk,
        request=request,
        before=before,
        after={
            "step": step,
            "state": submission.state,
            "locked": submission.locked,
            **({"comment": comment} if comment else {}),
            **(after or {}),
        },
    )


def _locked(user: Any, submission: Submission, action: str) -> Submission:
    """The submission, row-locked in the current transaction, on which ``user`` may do
    ``action`` now (re-checked under the lock: two approvers cannot both pass)."""
    current = Submission.objects.select_for_update().get(pk=submission.pk)
    current.form = submission.form
    current.agency = submission.agency
    if not may_act(user, current, action):
        if may_act(user, submission, action) or _state_refuses(current, action):
            raise NotAllowed(_refusal(current, action))
        raise PermissionDenied
    return current


def _state_refuses(submission: Submission, action: str) -> bool:
    if action in ("edit", "submit"):
        return submission.locked or submission.state not in EDITABLE_STATES
    if action in ("approve", "return"):
        return submission.state not in (State.SUBMITTED, State.APPROVED)
    return not submission.locked


def _refusal(submission: Submission, action: str) -> str:
    return f"a submission that is {submission.state} cannot be {_PAST[action]}"


_PAST = {
    "edit": "changed",
    "submit": "submitted",
    "approve": "approved",
    "return": "returned",
    "reopen": "reopened",
}


def _allowed(user: Any, submission: Submission, action: str) -> None:
    """Raise before any work: 403 without the role, 409 when the state refuses the step."""
    if may_act(user, submission, action):
        return
    if _state_refuses(submission, action):
        raise NotAllowed(_refusal(submission, action))
    if action in ("approve", "return") and approved_already(user, submission):
        raise NotAllowed(f"the submission is already {submission.state} at your level")
    raise PermissionDenied


def replace_rows(
    user: Any,
    submission: Submission,
    frame: pl.DataFrame,
    *,
    source: str,
    request: HttpRequest | None = None,
) -> int:
    """Replace the submission's rows (realisation, or indicator values) with ``frame``'s, every
    row checked first (one :class:`tables.TableError` names all problems)."""
    from monitoring.imports import row_table

    _allowed(user, submission, "edit")
    model, table = row_table(submission, frame)
    with transaction.atomic():
        current = _locked(user, submission, "edit")
        model.objects.filter(submission=current).delete()
        insert_frame(model, table)
        current.quality_checked_at = None
        current.save(update_fields=["quality_checked_at", "updated_at"])
        after = {"rows": table.height, "source": source}
        _trail(user, current, Step.EDIT, current.agency, after=after, request=request)
    return table.height


def upload_rows(
    user: Any, submission: Submission, uploaded: Any, request: HttpRequest | None = None
) -> int:
    _allowed(user, submission, "edit")
    frame = tables.read_table(uploaded)
    return replace_rows(user, submission, frame, source=uploaded.name, request=request)


def upload_beneficiaries(
    user: Any, submission: Submission, uploaded: Any, request: HttpRequest | None = None
) -> int:
    """Beneficiary records from a file with a ``nik`` column: each NIK becomes its keyed hash
    here and is dropped; the database, logs and audit trail never see it."""
    from monitoring.imports import beneficiary_table

    _allowed(user, submission, "edit")
    table = beneficiary_table(submission, tables.read_table(uploaded))
    with transaction.atomic():
        current = _locked(user, submission, "edit")
        BeneficiaryRecord.objects.filter(submission=current).delete()
        insert_frame(BeneficiaryRecord, table)
        after = {"beneficiaries": table.height, "source": uploaded.name}
        _trail(user, current, Step.EDIT, current.agency, after=after, request=request)
    return table.height


def submit(
    user: Any,
    submission: Submission,
    *,
    justification: str = "",
    request: HttpRequest | None = None,
) -> Submission:
    """Submit for approval. The checks run again here; when any fails, ``justification``
    (stored, shown to approvers, audited) is required."""
    _allowed(user, submission, "submit")
    justification = justification.strip()[:COMMENT_LIMIT]
    if not quality.has_rows(submission):
        raise NotAllowed("the submission has no rows yet")
    found = quality_check(submission)
    failed = found.height
    if failed and not justification:
        raise NotAllowed(
            f"{failed} quality check(s) failed: write a justification to submit anyway"
        )
    with transaction.atomic():
        current = _locked(user, submission, "submit")
        before = {"state": current.state}
        current.state = State.SUBMITTED
        current.approvals = 0
        current.justification = justification if failed else ""
        current.submitted_at, current.submitted_by = timezone.now(), user
        current.save()
        after = {"failed_checks": failed, "justification": current.justification}
        _trail(
            user, current, Step.SUBMIT, current.agency, before=before, after=after, request=request
        )
    return current


def approve(
    user: Any,
    submission: Submission,
    *,
    comment: str = "",
    final: bool | None = None,
    request: HttpRequest | None = None,
    derive_now: bool = True,
) -> Submission:
    """Approve at the next level: ``approved`` (and locked) below the last level, ``accepted``
    at it. ``final=True`` (accept) or ``False`` (approve) refuses the other kind of step.
    The derived indicators follow in the same transaction (``derive_now=False``: the caller
    refreshes them, once for many approvals)."""
    _allowed(user, submission, "approve")
    with transaction.atomic():
        current = _locked(user, submission, "approve")
        agency = acting_agency(user, current, "approve")
        last = current.approvals + 1 == len(current.form.approval_levels) - 1
        if final is not None and final != last:
            raise NotAllowed(
                "the next step is the acceptance at the last level, not an approval"
                if final is False
                else "the next step is an approval; only the last level accepts"
            )
        before = {"state": current.state, "approvals": current.approvals}
        current.approvals += 1
        current.state = State.ACCEPTED if last else State.APPROVED
        current.locked = True
        now = timezone.now()
        if last:
            current.accepted_at, current.accepted_by = now, user
        else:
            current.approved_at, current.approved_by = now, user
        current.save()
        derived = {"derived_values": derive.refresh(current)} if derive_now else {}
        step = Step.ACCEPT if last else Step.APPROVE
        _trail(
            user,
            current,
            step,
            agency,
            comment=comment[:COMMENT_LIMIT],
            before=before,
            after=derived,
            request=request,
        )
    return current


def bulk_approve(
    user: Any,
    ids: list[int],
    *,
    comment: str = "",
    request: HttpRequest | None = None,
) -> list[Submission]:
    """Approve (or accept, at the last level) many submissions in one transaction, each step
    audited; if any one cannot be approved by the user, none is. The derived indicators are
    recomputed once at the end, one grouped query per form (:func:`derive.refresh`)."""
    from monitoring.access import get_submission

    found = [get_submission(user, pk) for pk in dict.fromkeys(ids)]
    with transaction.atomic():
        done = [approve(user, s, comment=comment, request=request, derive_now=False) for s in found]
        derive.refresh(done)
    return done


def return_submission(
    user: Any, submission: Submission, *, comment: str, request: HttpRequest | None = None
) -> Submission:
    """Send back to the submitter with a comment (required): ``returned``, unlocked."""
    why = "say in a comment what should change"
    return _send_back(user, submission, "return", Step.RETURN, comment, why, request)


def reopen(
    user: Any, submission: Submission, *, comment: str, request: HttpRequest | None = None
) -> Submission:
    """Unlock approved data (the level that approved last, with a reason): ``returned``."""
    why = "say in a comment why the approved data must change"
    return _send_back(user, submission, "reopen", Step.REOPEN, comment, why, request)


def _send_back(
    user: Any,
    submission: Submission,
    action: str,
    step: str,
    comment: str,
    why: str,
    request: HttpRequest | None,
) -> Submission:
    """Back to the submitter as ``returned`` and unlocked, with the comment that says why."""
    comment = comment.strip()[:COMMENT_LIMIT]
    if not comment:
        raise InvalidInput(why)
    _allowed(user, submission, action)
    with transaction.atomic():
        current = _locked(user, submission, action)
        agency = acting_agency(user, current, action)
        before = {"state": current.state, "approvals": current.approvals, "locked": current.locked}
        current.state, current.approvals, current.locked = State.RETURNED, 0, False
        current.save()
        after = {"derived_values": derive.refresh(current)}
        _trail(
            user,
            current,
            step,
            agency,
            comment=comment,
            before=before,
            after=after,
            request=request,
        )
    return current


def kind_model(kind: str) -> Any:
    """The model holding a form kind's rows."""
    return IndicatorValue if kind == FormKind.INDICATOR_VALUES else RealisationRow


def quality_check(submission: Submission) -> pl.DataFrame:
    """Run the quality rules and store the counts of errors and warnings."""
    found = quality.follow_up(submission)
    errors, warnings = quality.counts(found)
    Submission.objects.filter(pk=submission.pk).update(
        quality_errors=errors, quality_warnings=warnings, quality_checked_at=timezone.now()
    )
    submission.quality_errors, submission.quality_warnings = errors, warnings
    return found
