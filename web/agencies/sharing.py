"""The share and publish form handling shared by datasets, analyses and reports."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from agencies import actions, confirm
from agencies.access import can
from agencies.forms import ShareForm
from agencies.models import Shareable


def handle(request: HttpRequest, obj: Shareable, back: str) -> HttpResponse:
    """POST with ``agencies`` (share) or ``published`` (publish/unpublish); access checked."""
    if "published" in request.POST:
        if (
            request.POST["published"] == "1"
            and (page := confirm.needed(request, obj, "publish")) is not None
        ):
            return page
        actions.publish(request.user, obj, request.POST["published"] == "1", request)
        messages.success(request, _("Publication saved."))
        return redirect(back)
    form = ShareForm(request.POST, owner=obj.owner)
    if form.is_valid():
        actions.share(request.user, obj, list(form.cleaned_data["agencies"]), request)
        messages.success(request, _("Sharing saved."))
    else:
        messages.error(request, _("Choose agencies from the list."))
    return redirect(back)


def form_for(user: Any, obj: Shareable) -> ShareForm | None:
    """The sharing form, for those who may share (others see only who it is shared with)."""
    if not can(user, obj, "share"):
        return None
    return ShareForm(owner=obj.owner, initial={"agencies": list(obj.shared_with.all())})
