"""Agency admins browse and export their agencies' audit trail; nobody can edit it."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

from agencies.access import agencies_where
from agencies.models import Membership, Role
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils.translation import gettext as _
from setara_web.spreadsheet import neutralise

from audit.actions import record
from audit.models import Action, AuditEvent


def visible_events(user: object) -> QuerySet[AuditEvent]:
    """Events of the agencies the user administers, and of those agencies' members."""
    agencies = list(agencies_where(user, Role.ADMIN).values_list("pk", flat=True))
    if not agencies:
        raise PermissionDenied
    members = Membership.objects.filter(agency__in=agencies).values_list("user_id", flat=True)
    return AuditEvent.objects.filter(Q(agency_id__in=agencies) | Q(actor_id__in=members))


class BadFilter(ValueError):
    """A filter parameter that cannot be understood; the message says which and why."""


def _filtered(request: HttpRequest) -> QuerySet[AuditEvent]:
    events = visible_events(request.user)
    params = {key: request.GET.get(key, "") for key in ("action", "who", "since")}
    for key, value in params.items():
        if "\x00" in value or len(value) > 150:
            raise BadFilter(_("The filter %(name)s is not valid.") % {"name": key})
    if action := params["action"]:
        events = events.filter(action=action)
    if who := params["who"]:
        events = events.filter(actor_name__icontains=who)
    if since := params["since"]:
        try:
            day = date.fromisoformat(since)
        except ValueError:
            raise BadFilter(
                _("The date %(value)s is not a date like 2026-01-31.") % {"value": since[:20]}
            ) from None
        events = events.filter(at__date__gte=day)
    return events


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    try:
        events = _filtered(request)
    except BadFilter as exc:
        return render(
            request,
            "audit/list.html",
            {"page": [], "actions": Action.choices, "query": "", "error": str(exc)},
            status=400,
        )
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "audit/list.html",
        {"page": page, "actions": Action.choices, "query": request.GET.urlencode()},
    )


@login_required
def audit_export(request: HttpRequest) -> HttpResponse:
    try:
        events = _filtered(request)
    except BadFilter as exc:
        return HttpResponseBadRequest(str(exc), content_type="text/plain; charset=utf-8")
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        ["at", "who", "action", "object_type", "object_id", "object", "before", "after", "address"]
    )
    for e in events.iterator():
        row = [
            e.at.isoformat(),
            e.actor_name,
            e.action,
            e.object_type,
            e.object_id,
            e.object_repr,
            json.dumps(e.before),
            json.dumps(e.after),
            e.ip or "",
        ]
        writer.writerow([neutralise(value) for value in row])
    with transaction.atomic():
        record(
            Action.EXPORT,
            actor=request.user,
            object_type="audit trail",
            object_repr="audit trail export",
            request=request,
            after={"format": "csv"},
        )
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="setara-audit.csv"'
    return response
