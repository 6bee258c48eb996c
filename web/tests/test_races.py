"""No 500 from races or bad parameters: two pending invitations for one username, deleting a
dataset that only a simulation uses, and malformed audit filters. (Concurrent acceptances of
one invitation and concurrent reruns, against real gunicorn processes, are in test_faults.py.)"""

from __future__ import annotations

import re
from typing import Any

import pytest
from agencies.models import Invitation
from analyses.models import Analysis, Report
from datasets.models import Dataset
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

NEW_PASSWORD = {"password1": "Sukses-Terus-2026", "password2": "Sukses-Terus-2026"}


def invite(as_persona: Any, agency: str, username: str) -> str:
    page = as_persona("admin").post(
        f"/agencies/{agency}/members/", {"username": username, "email": "", "role": "viewer"}
    )
    link = re.search(r"http://testserver(/invitation/[^<\s]+/)", page.content.decode())
    assert link is not None
    return link.group(1)


def test_second_pending_invitation_for_one_username(world: dict[str, Any], as_persona: Any) -> None:
    first = invite(as_persona, "alpha", "sari.bps")
    second = invite(as_persona, "alpha", "sari.bps")
    assert Invitation.objects.filter(username="sari.bps", accepted_at__isnull=True).count() == 2

    response = Client().post(first, {**NEW_PASSWORD, "language": "en"})
    assert response.status_code == 302
    # Accepting one withdrew the other: its link says so (the issue: a 500, link still valid).
    response = Client().post(second, {**NEW_PASSWORD, "language": "en"})
    assert response.status_code == 410
    assert "already used or has expired" in response.content.decode()
    pending = Invitation.objects.filter(
        username="sari.bps", accepted_at__isnull=True, expires_at__gt=timezone.now()
    )
    assert not pending.exists()
    assert get_user_model().objects.filter(username="sari.bps").count() == 1


def test_invitation_for_a_username_taken_meanwhile(world: dict[str, Any], as_persona: Any) -> None:
    link = invite(as_persona, "alpha", "budi.bps")
    from agencies import actions

    actions.create_user(None, username="Budi.BPS", password="x-Sukses-Terus-2026")
    response = Client().post(link, {**NEW_PASSWORD, "language": "en"})
    assert response.status_code == 409
    assert "The username budi.bps is already taken" in response.content.decode()
    invitation = Invitation.objects.get(username="budi.bps")
    assert invitation.accepted_at is None and invitation.expires_at <= timezone.now()
    assert Client().get(link).status_code == 410


def test_deleting_a_dataset_used_only_by_a_simulation_is_refused(
    world: dict[str, Any], as_persona: Any
) -> None:
    Report.objects.all().delete()
    Analysis.objects.all().delete()  # now only the simulation uses the dataset
    dataset = world["dataset"]
    response = as_persona("manager").post(
        f"/datasets/{dataset.pk}/", {"delete": "1", "confirmed": "1"}, follow=True
    )
    assert response.status_code == 200
    assert "used by: simulation “Alpha simulation”" in response.content.decode()
    assert Dataset.objects.filter(pk=dataset.pk).exists()


@pytest.mark.parametrize(
    "query",
    ["since=abc", "since=2026-13-45", "who=a%00b", "action=" + "x" * 200, "since=2026-01-01x"],
)
def test_bad_audit_filters_are_a_400_with_a_message(
    world: dict[str, Any], as_persona: Any, query: str
) -> None:
    admin = as_persona("admin")
    page = admin.get(f"/audit/?{query}")
    assert page.status_code == 400
    assert 'role="alert"' in page.content.decode()
    export = admin.get(f"/audit/export.csv?{query}")
    assert export.status_code == 400
    assert export.content.decode().startswith("The ")


def test_good_audit_date_filter_still_works(world: dict[str, Any], as_persona: Any) -> None:
    admin = as_persona("admin")
    past = admin.get("/audit/export.csv?since=2000-01-01").content.decode().splitlines()
    future = admin.get("/audit/export.csv?since=2999-01-01").content.decode().splitlines()
    assert len(future) == 1  # the header only
    assert len(past) > 5
