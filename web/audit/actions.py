"""Write audit events. Call :func:`record` inside the transaction of the change it records."""

from __future__ import annotations

import ipaddress
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.forms.models import model_to_dict
from django.http import HttpRequest

from audit.models import AuditEvent


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address: REMOTE_ADDR, or the trusted proxy's header when one is configured.

    With ``SETARA_TRUSTED_PROXY_HEADER`` (e.g. ``X-Forwarded-For``) and
    ``SETARA_TRUSTED_PROXY_COUNT`` = n proxies in front of Setara, the client is the n-th
    address from the right of that header: entries further left were written by the client
    and can be forged (with fewer entries, the leftmost). A request without the header did not
    pass the proxy: its REMOTE_ADDR is used. Anything not an IP address is unknown (None).
    """
    if request is None:
        return None
    address = request.META.get("REMOTE_ADDR", "")
    header = settings.TRUSTED_PROXY_HEADER
    if header:
        key = "HTTP_" + header.upper().replace("-", "_")
        entries = [e.strip() for e in request.META.get(key, "").split(",") if e.strip()]
        if entries:  # no header: the request did not come through the proxy
            address = entries[-min(max(settings.TRUSTED_PROXY_COUNT, 1), len(entries))]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


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
