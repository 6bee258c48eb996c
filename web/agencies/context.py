"""Template context: the signed-in user's agencies and roles."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from agencies.access import roles_of
from agencies.models import Role


def memberships(request: HttpRequest) -> dict[str, Any]:
    roles = roles_of(request.user)
    return {
        "is_agency_admin": any(role == Role.ADMIN for role in roles.values()),
        "has_agency": bool(roles),
    }
