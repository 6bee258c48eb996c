"""Every state change of monitoring, each in one transaction with its audit event.

The catalogue: plans, indicators, reporting forms and targets (one by one, or imported from a
file all or nothing). Submissions and their approval steps change in :mod:`monitoring.workflow`.
"""

from __future__ import annotations

from typing import Any

from agencies.access import check, has_role
from agencies.models import Agency, Role
from audit.actions import record, snapshot
from audit.models import Action
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.http import HttpRequest

from monitoring import derive, tables
from monitoring.models import (
    Indicator,
    Plan,
    ReportingForm,
    Target,
)
from setara.errors import SetaraError

BATCH = 5_000  # rows per INSERT of bulk_create
PLAN_FIELDS = ["name", "start_year", "end_year", "document_title", "document_reference"]
PLAN_FIELDS += ["description"]
INDICATOR_FIELDS = ["code", "name_id", "name_en", "unit", "polarity", "definition"]
INDICATOR_FIELDS += ["source_kind", "measure_spec", "welfare_column", "dataset"]
INDICATOR_FIELDS += ["region_levels", "period_type", "disaggregations", "source_form", "formula"]
FORM_FIELDS = ["name", "kind", "period_type", "approval_levels", "row_level", "programme"]
FORM_FIELDS += ["programme_name"]


class InvalidInput(SetaraError):
    """Values a model refuses (its validators' messages, one per field)."""


def _validated(obj: models.Model, exclude: list[str] | None = None) -> None:
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        parts = [
            f"{field}: {' '.join(messages)}" if field != "__all__" else " ".join(messages)
            for field, messages in exc.message_dict.items()
        ]
        raise InvalidInput("; ".join(parts)) from None


# -- catalogue ------------------------------------------------------------------------------


def _create(
    user: Any,
    agency: Agency,
    model: type[Any],
    fields: dict[str, Any],
    names: list[str],
    request: HttpRequest | None,
) -> Any:
    if not has_role(user, agency, Role.ANALYST):
        raise PermissionDenied
    obj = model(owner=agency, created_by=user, **fields)
    _validated(obj)
    try:
        with transaction.atomic():
            obj.save()
            record(Action.CREATE, actor=user, obj=obj, request=request, after=snapshot(obj, names))
    except IntegrityError:
        raise InvalidInput(f"{model._meta.verbose_name} already exists: {fields}") from None
    return obj


def _update(
    user: Any, obj: Any, fields: dict[str, Any], names: list[str], request: HttpRequest | None
) -> Any:
    check(user, obj, "edit")
    before = snapshot(obj, names)
    for name, value in fields.items():
        setattr(obj, name, value)
    _validated(obj)
    try:
        with transaction.atomic():
            obj.save()
            record(
                Action.UPDATE,
                actor=user,
                obj=obj,
                request=request,
                before=before,
                after=snapshot(obj, names),
            )
    except IntegrityError:
        raise InvalidInput(f"{obj._meta.verbose_name} already exists: {fields}") from None
    return obj


def create_plan(
    user: Any, agency: Agency, request: HttpRequest | None = None, **fields: Any
) -> Plan:
    return _create(user, agency, Plan, fields, PLAN_FIELDS, request)  # type: ignore[no-any-return]


def update_plan(user: Any, plan: Plan, request: HttpRequest | None = None, **fields: Any) -> Plan:
    return _update(user, plan, fields, PLAN_FIELDS, request)  # type: ignore[no-any-return]


def create_indicator(
    user: Any, agency: Agency, request: HttpRequest | None = None, **fields: Any
) -> Indicator:
    """A new indicator; one derived from a form (readable by the user) gets its values from
    the form's approved rows at once."""
    if fields.get("source_form") is not None:
        check(user, fields["source_form"], "read")
    with transaction.atomic():
        indicator: Indicator = _create(user, agency, Indicator, fields, INDICATOR_FIELDS, request)
        if indicator.source_form_id is not None:
            derive.rebuild(indicator.source_form_id)
    return indicator


def update_indicator(
    user: Any, indicator: Indicator, request: HttpRequest | None = None, **fields: Any
) -> Indicator:
    """Change an indicator; its derived values follow a new form or formula."""
    if fields.get("source_form") is not None:
        check(user, fields["source_form"], "read")
    old_form = indicator.source_form_id
    with transaction.atomic():
        updated: Indicator = _update(user, indicator, fields, INDICATOR_FIELDS, request)
        if old_form is not None:
            derive.derived_of([updated.pk]).delete()
        for form_id in {old_form, updated.source_form_id} - {None}:
            derive.rebuild(form_id)
    return updated


def create_form(
    user: Any,
    agency: Agency,
    *,
    indicators: list[Indicator] | None = None,
    request: HttpRequest | None = None,
    **fields: Any,
) -> ReportingForm:
    if fields.get("programme") is not None:
        check(user, fields["programme"], "read")
    for indicator in indicators or []:
        check(user, indicator, "read")
    with transaction.atomic():
        form: ReportingForm = _create(user, agency, ReportingForm, fields, FORM_FIELDS, request)
        form.indicators.set(indicators or [])
    return form


TARGET_VALUES = ["baseline_value", "baseline_year", "target_value", "target_low", "target_high"]
TARGET_VALUES += ["source_note"]


def save_target(
    user: Any,
    plan: Plan,
    indicator: Indicator,
    *,
    region_code: str,
    year: int,
    request: HttpRequest | None = None,
    **values: Any,
) -> Target:
    """Create or change the target of one indicator, region and year of a plan."""
    check(user, plan, "edit")
    check(user, indicator, "read")
    target = Target.objects.filter(
        plan=plan, indicator=indicator, region_code=region_code, year=year
    ).first() or Target(plan=plan, indicator=indicator, region_code=region_code, year=year)
    before = snapshot(target, TARGET_VALUES) if target.pk else None
    for name, value in values.items():
        setattr(target, name, value)
    _check_year(plan, year)
    _validated(target)
    with transaction.atomic():
        target.save()
        record(
            Action.UPDATE if before else Action.CREATE,
            actor=user,
            obj=target,
            agency_id=plan.owner_id,
            request=request,
            before=before,
            after=snapshot(target, ["region_code", "year", *TARGET_VALUES]),
        )
    return target


def _check_year(plan: Plan, year: int) -> None:
    if not plan.start_year <= year <= plan.end_year:
        raise InvalidInput(f"year {year} is outside the plan's {plan.start_year}-{plan.end_year}")


def import_targets(
    user: Any, plan: Plan, uploaded: Any, request: HttpRequest | None = None
) -> dict[str, int]:
    """Targets from a CSV/XLSX file: every row checked first, then all written or none."""
    from monitoring.imports import target_objects

    check(user, plan, "edit")
    frame = tables.read_table(uploaded)
    objects, replaced = target_objects(user, plan, frame)
    with transaction.atomic():
        Target.objects.filter(pk__in=replaced).delete()
        Target.objects.bulk_create(objects, batch_size=BATCH)
        counts = {"created": len(objects) - len(replaced), "updated": len(replaced)}
        record(
            Action.UPDATE,
            actor=user,
            obj=plan,
            request=request,
            object_type="plan targets",
            after={"imported": uploaded.name, **counts},
        )
    return counts
