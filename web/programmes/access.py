"""The one access helper for programmes and simulations (used by views and the API)."""

from __future__ import annotations

from typing import Any

from agencies.access import fetch

from programmes.models import Programme, Simulation


def get_programme(user: Any, pk: Any, action: str = "read") -> Programme:
    return fetch(user, Programme, pk, action, Programme.objects.select_related("owner"))


def get_simulation(user: Any, pk: Any, action: str = "read") -> Simulation:
    queryset = Simulation.objects.select_related("owner", "dataset_version__dataset")
    return fetch(user, Simulation, pk, action, queryset)
