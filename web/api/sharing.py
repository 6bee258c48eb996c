"""One sharing change for every shared object of the API (datasets, analyses, access analyses,
siting scenarios, place files): the body's ``agencies`` and ``published``, all or nothing."""

from __future__ import annotations

from typing import Any

from agencies import actions as agency_actions
from agencies.models import Agency
from django.db import transaction
from django.http import HttpRequest
from ninja.errors import HttpError

from api.schemas import ShareIn


def apply_share(request: HttpRequest, obj: Any, body: ShareIn) -> None:
    """Apply the sharing change the body names, all of it or nothing (400 for an unknown
    agency, which changes nothing). The caller has checked the ``share`` permission."""
    with transaction.atomic():
        if body.agencies is not None:
            agencies = list(Agency.objects.filter(slug__in=body.agencies))
            unknown = sorted(set(body.agencies) - {a.slug for a in agencies})
            if unknown:
                raise HttpError(400, f"unknown agencies: {', '.join(unknown)}")
            agency_actions.share(request.user, obj, agencies, request)
        if body.published is not None:
            agency_actions.publish(request.user, obj, body.published, request)
