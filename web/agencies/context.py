"""Template context: the signed-in user's agencies and roles."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from agencies.access import roles_of
from agencies.models import ROLE_RANK, Role


def memberships(request: HttpRequest) -> dict[str, Any]:
    roles = roles_of(getattr(request, "user", None))
    return {
        "is_agency_admin": any(role == Role.ADMIN for role in roles.values()),
        "has_agency": bool(roles),
        # Upload, new diagnostic, new programme or simulation: analysts and above somewhere.
        "can_create": any(ROLE_RANK[Role(r)] >= ROLE_RANK[Role.ANALYST] for r in roles.values()),
    }
