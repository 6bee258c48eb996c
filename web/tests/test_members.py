"""Agency admins invite users (one-time links), change roles and deactivate accounts."""

from __future__ import annotations

import re
from typing import Any

from agencies.models import Membership
from audit.models import AuditEvent
from django.contrib.auth import get_user_model
from django.test import Client


def test_invite_accept_change_role_deactivate(world: dict[str, Any], as_persona: Any) -> None:
    admin = as_persona("admin")
    page = admin.post(
        "/agencies/alpha/members/", {"username": "dewi.bappeda", "email": "", "role": "viewer"}
    ).content.decode()
    link = re.search(r"http://testserver(/invitation/[^<\s]+/)", page)
    assert link is not None
    newcomer = Client()
    response = newcomer.post(
        link.group(1),
        {"password1": "Sukses-Terus-2026", "password2": "Sukses-Terus-2026", "language": "id"},
    )
    assert response.status_code == 302
    user = get_user_model().objects.get(username="dewi.bappeda")
    membership = Membership.objects.get(user=user, agency__slug="alpha")
    assert membership.role == "viewer"
    assert newcomer.get(f"/analyses/{world['analysis'].pk}/").status_code == 200
    used = Client().get(link.group(1))  # one use only, and the page says so
    assert used.status_code == 410
    assert b"already used or has expired" in used.content

    admin.post(f"/agencies/alpha/members/{membership.pk}/", {"action": "role", "role": "analyst"})
    membership.refresh_from_db()
    assert membership.role == "analyst"
    admin.post(f"/agencies/alpha/members/{membership.pk}/", {"action": "deactivate"})
    user.refresh_from_db()
    assert not user.is_active
    assert not Client().login(username="dewi.bappeda", password="Sukses-Terus-2026")
    actions = set(
        AuditEvent.objects.filter(agency_id=world["agencies"]["alpha"].pk).values_list(
            "action", flat=True
        )
    )
    assert {"create", "update"} <= actions
    change = AuditEvent.objects.filter(object_type="membership", action="update").first()
    assert change is not None and change.before == {"role": "viewer"}


def test_non_admins_cannot_manage_members(world: dict[str, Any], as_persona: Any) -> None:
    membership = Membership.objects.get(user__username="viewer", agency__slug="alpha")
    for persona, status in (("manager", 403), ("analyst", 403), ("reader", 404), ("outsider", 404)):
        client = as_persona(persona)
        response = client.post(
            f"/agencies/alpha/members/{membership.pk}/", {"action": "deactivate"}
        )
        assert response.status_code == status, persona
        response = client.post(
            "/agencies/alpha/members/", {"username": "x.y", "email": "", "role": "admin"}
        )
        assert response.status_code == status, persona
    membership.user.refresh_from_db()
    assert membership.user.is_active


def test_first_admin_from_the_command_line(db: Any, monkeypatch: Any) -> None:
    import pytest
    from django.core.management import CommandError, call_command

    monkeypatch.setenv("SETARA_ADMIN_PASSWORD", "short")
    with pytest.raises(CommandError, match="too short"):
        call_command(
            "create_admin",
            username="root.admin",
            agency_slug="bps-jatim",
            agency_name="BPS Provinsi Jawa Timur",
            agency_kind="statistics",
        )
    assert not get_user_model().objects.filter(username="root.admin").exists()
    monkeypatch.setenv("SETARA_ADMIN_PASSWORD", "Kuat-Sekali-2026!")
    call_command(
        "create_admin",
        username="root.admin",
        agency_slug="bps-jatim",
        agency_name="BPS Provinsi Jawa Timur",
        agency_kind="statistics",
    )
    user = get_user_model().objects.get(username="root.admin")
    assert user.is_superuser and user.check_password("Kuat-Sekali-2026!")
    assert Membership.objects.get(user=user).role == "admin"
    with pytest.raises(CommandError, match="already exists"):
        call_command("create_admin", username="root.admin", agency_slug="x", agency_name="X")
