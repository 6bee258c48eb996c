"""Write audit events. Call :func:`record` inside the transaction of the change it records."""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.forms.models import model_to_dict
from django.http import HttpRequest

from audit.models import AuditEvent


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """A JSON-safe picture of a model instance's concrete fields (for before/after)."""
    data = model_to_dict(obj, fields=fields)
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, models.Model):
            value = value.pk
        elif isinstance(value, list | tuple):
            value = [v.pk if isinstance(v, models.Model) else v for v in value]
        elif not isinstance(value, str | int | float | bool | dict | type(None)):
            value = str(value)
        out[key] = value
    return out


def record(
    action: str,
    *,
    actor: Any = None,
    actor_name: str | None = None,
    obj: models.Model | None = None,
    agency_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
    object_type: str | None = None,
    object_repr: str | None = None,
) -> AuditEvent:
    """Append one event. Must run in the same transaction as the change (checked)."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("audit.record must run inside transaction.atomic()")
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    if agency_id is None and obj is not None:
        agency_id = getattr(obj, "owner_id", None) or getattr(obj, "agency_id", None)
    return AuditEvent.objects.create(
        actor=actor,
        actor_name=actor_name or (actor.get_username() if actor is not None else "-"),
        agency_id=agency_id,
        action=action,
        object_type=object_type or (obj._meta.model_name if obj is not None else ""),
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=(object_repr or (str(obj) if obj is not None else ""))[:300],
        before=before,
        after=after,
        ip=client_ip(request),
    )
