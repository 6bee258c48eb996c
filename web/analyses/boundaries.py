"""Agency-uploaded boundaries (GeoJSON or GeoPackage keyed by kode wilayah)."""

from __future__ import annotations

import json
import uuid
from functools import lru_cache
from pathlib import Path
from typing import Any

from agencies.access import agencies_where, readable
from agencies.models import Agency, Role
from audit.actions import record
from audit.models import Action
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from setara_web.viz import geo

from analyses.models import Boundary


class BoundaryForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("GeoJSON or GeoPackage file"))
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    agency = forms.ModelChoiceField(
        label=gettext_lazy("Owning agency"), queryset=Agency.objects.none()
    )

    def __init__(self, *args: Any, agencies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies  # type: ignore[attr-defined]


def _to_json(boundaries: geo.Boundaries) -> dict[str, Any]:
    return {
        "level": boundaries.level,
        "names": dict(boundaries.names),
        "features": {
            code: [list(map(list, ring)) for ring in rings]
            for code, rings in boundaries.features.items()
        },
    }


@lru_cache(maxsize=8)
def _load(path: str) -> geo.Boundaries:
    data = json.loads(Path(path).read_text())
    return geo.Boundaries(
        level=data["level"],
        features={
            c: [[tuple(p) for p in ring] for ring in rings] for c, rings in data["features"].items()
        },
        names=data["names"],
        contains={},
    )


def latest_regency_boundary(agency_id: int) -> Boundary | None:
    """The regency boundaries an agency's maps use: its own latest upload, else the latest
    published one."""
    return (
        Boundary.objects.filter(level=Boundary.Level.REGENCY, owner_id=agency_id)
        .order_by("-created_at")
        .first()
        or Boundary.objects.filter(level=Boundary.Level.REGENCY, published=True)
        .order_by("-created_at")
        .first()
    )


def latest_regency_boundaries(agency_id: int) -> geo.Boundaries | None:
    found = latest_regency_boundary(agency_id)
    if found is None:
        return None
    return _load(str(Path(settings.STORAGE_DIR) / found.path))


@login_required
def boundary_list(request: HttpRequest) -> HttpResponse:
    agencies = agencies_where(request.user, Role.ANALYST)
    form = BoundaryForm(request.POST or None, request.FILES or None, agencies=agencies)
    error = None
    if request.method == "POST":
        if not agencies.exists():
            raise PermissionDenied
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                parsed = geo.read_boundaries(upload.read(), upload.name)
            except ValueError as exc:
                error = str(exc)
            else:
                relative = f"boundaries/{uuid.uuid4().hex}.json"
                target = Path(settings.STORAGE_DIR) / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(json.dumps(_to_json(parsed)))
                try:
                    with transaction.atomic():
                        boundary = Boundary.objects.create(
                            owner=form.cleaned_data["agency"],
                            created_by=request.user,
                            name=form.cleaned_data["name"],
                            level=parsed.level,
                            path=relative,
                            n_features=len(parsed.features),
                        )
                        record(
                            Action.CREATE,
                            actor=request.user,
                            obj=boundary,
                            request=request,
                            after={
                                "name": boundary.name,
                                "level": boundary.level,
                                "areas": boundary.n_features,
                            },
                        )
                except Exception:
                    target.unlink(missing_ok=True)
                    raise
                messages.success(
                    request, _("Boundaries stored: %(n)d areas.") % {"n": boundary.n_features}
                )
                return redirect("boundaries")
    boundaries = readable(request.user, Boundary.objects.select_related("owner"))
    return render(
        request,
        "analyses/boundaries.html",
        {"form": form, "boundaries": boundaries, "error": error, "can_upload": agencies.exists()},
        status=400 if error else 200,
    )
