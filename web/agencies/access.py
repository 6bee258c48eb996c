"""Who may do what to a shareable object: the single rule behind every view and endpoint.

Reading: members of the owning agency, members of an agency it is shared with, and every
signed-in user when it is published. Everyone else gets 404 (the object's existence is not
revealed). Writing needs a role in the *owning* agency: ``edit`` an analyst, ``share`` (share,
publish, delete) a manager; a reader without it gets 403.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, Q, QuerySet
from django.http import Http404

from agencies.models import ROLE_RANK, Agency, Membership, Role, Shareable

NEEDED = {"read": None, "edit": Role.ANALYST, "share": Role.MANAGER, "delete": Role.MANAGER}
S = TypeVar("S", bound=Shareable)


def roles_of(user: Any) -> dict[int, str]:
    """The user's role in each agency (agency id -> role), cached on the user object."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return {}
    cached = getattr(user, "_setara_roles", None)
    if cached is None:
        cached = dict(user.memberships.values_list("agency_id", "role"))
        user._setara_roles = cached
    return cached


def has_role(user: Any, agency: Agency | int, role: str) -> bool:
    agency_id = agency if isinstance(agency, int) else agency.pk
    held = roles_of(user).get(agency_id)
    return held is not None and ROLE_RANK[Role(held)] >= ROLE_RANK[Role(role)]


def agencies_where(user: Any, role: str) -> QuerySet[Agency]:
    """Agencies in which the user holds at least ``role``."""
    ids = [a for a, held in roles_of(user).items() if ROLE_RANK[Role(held)] >= ROLE_RANK[role]]
    return Agency.objects.filter(pk__in=ids)


def readable_filter(user: Any, prefix: str = "") -> Q:
    """A filter selecting the objects the user may read (``prefix`` for related lookups)."""
    ids = list(roles_of(user))
    if not ids:
        return Q(pk__in=[])
    return (
        Q(**{f"{prefix}owner_id__in": ids})
        | Q(**{f"{prefix}shared_with__in": ids})
        | Q(**{f"{prefix}published": True})
    )


def readable_by_member(user_id: Any) -> Q:
    """:func:`readable_filter` of an active user given by id, memberships read in SQL.

    The same rule with the user's agencies as a subquery, so the SQL does not depend on how
    many agencies the user belongs to (the API lists compile it once, :mod:`api.prepared`); a
    user without a membership reads nothing, published objects included. The caller checks
    that the user is active (``roles_of`` gives an inactive user no agency).
    """
    agencies = Membership.objects.filter(user_id=user_id).values("agency_id")
    return (
        Q(owner_id__in=agencies)
        | Q(shared_with__in=agencies)
        | (Q(published=True) & Exists(agencies))
    )


def readable(user: Any, queryset: QuerySet[S]) -> QuerySet[S]:
    return queryset.filter(readable_filter(user)).distinct()


def can_read(user: Any, obj: Shareable) -> bool:
    roles = roles_of(user)
    if not roles:
        return False
    if obj.published or obj.owner_id in roles:
        return True
    shared = {a.pk for a in obj.shared_with.all()}
    return bool(shared & roles.keys())


def can(user: Any, obj: Shareable, action: str) -> bool:
    needed = NEEDED[action]
    if not can_read(user, obj):
        return False
    return needed is None or has_role(user, obj.owner_id, needed)


def check(user: Any, obj: S, action: str) -> S:
    """Return ``obj`` if ``user`` may do ``action``; 404 if they may not see it, else 403."""
    if action not in NEEDED:
        raise ValueError(f"unknown action {action!r}")
    if not can_read(user, obj):
        raise Http404
    needed = NEEDED[action]
    if needed is not None and not has_role(user, obj.owner_id, needed):
        raise PermissionDenied
    return obj


def fetch(user: Any, model: type[S], pk: Any, action: str, queryset: Any = None) -> S:
    """Load ``model`` ``pk`` and :func:`check` it; a missing object is a 404 like a hidden one."""
    # Every access decision on the page reads the sharing list: load it once with the object.
    source = (queryset if queryset is not None else model.objects).prefetch_related("shared_with")
    try:
        obj = source.get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    return check(user, obj, action)


def permissions(user: Any, obj: Shareable) -> dict[str, bool]:
    """Flags for templates: which buttons to show."""
    readable = can_read(user, obj)
    return {
        action: readable and (needed is None or has_role(user, obj.owner_id, needed))
        for action, needed in NEEDED.items()
    }
