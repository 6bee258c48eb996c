"""The one access helper for the public-services objects (used by views and the API)."""

from __future__ import annotations

from typing import Any

from agencies.access import fetch

from services.models import AccessAnalysis, DemandSet, FacilitySet, SitingScenario, TravelModel

MODELS: dict[str, Any] = {
    "facilities": FacilitySet,
    "villages": DemandSet,
    "travel": TravelModel,
    "access": AccessAnalysis,
    "siting": SitingScenario,
}


def get_object(user: Any, kind: str, pk: Any, action: str = "read") -> Any:
    """The object of ``kind`` (facilities, villages, travel, access, siting): 404 when the user may
    not see it, 403 when they may not do ``action``."""
    model = MODELS[kind]
    queryset = model.objects.select_related("owner")
    if kind in ("access", "siting"):
        queryset = queryset.select_related("facility_set", "demand_set", "travel")
    return fetch(user, model, pk, action, queryset)
