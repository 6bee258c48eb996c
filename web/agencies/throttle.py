"""Login throttling per account and per address, counted from the audit trail.

* Per account: ``LOGIN_FAILURE_LIMIT`` failed logins for one username within the window refuse
  further attempts for that username (from anywhere) until the failures age out.
* Per address: after ``LOGIN_ADDRESS_FAILURE_LIMIT`` failures from one address (much higher:
  behind a reverse proxy or a shared office NAT many people share one address), that address
  only gets to try accounts that have no failure in the window. A user who has not failed
  always has a correct password accepted; a password sprayer gets one guess per account per
  window instead of ``LOGIN_FAILURE_LIMIT``.

Throttled attempts are refused without checking the password and recorded as
``login_throttled`` (they do not count as failures, so the lock ends when the window passes).
"""

from __future__ import annotations

from datetime import timedelta

from audit.actions import client_ip, record
from audit.models import Action, AuditEvent
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

ACCOUNT = "account"
ADDRESS = "address"


def verdict(username: str, address: str | None) -> str | None:
    """Why an attempt for ``username`` from ``address`` is refused now (None: let it try)."""
    since = timezone.now() - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    failures = AuditEvent.objects.filter(action=Action.LOGIN_FAILED, at__gte=since)
    account = failures.filter(actor_name=username[:150]).count()
    if account >= settings.LOGIN_FAILURE_LIMIT:
        return ACCOUNT
    if (
        account
        and address
        and failures.filter(ip=address).count() >= settings.LOGIN_ADDRESS_FAILURE_LIMIT
    ):
        return ADDRESS
    return None


def check(username: str, request: HttpRequest | None) -> str | None:
    """The verdict for this attempt; a refused attempt is recorded in the audit trail."""
    reason = verdict(username, client_ip(request))
    if reason is not None:
        with transaction.atomic():
            record(
                Action.LOGIN_THROTTLED,
                actor_name=username[:150] or "-",
                object_type="user",
                object_repr=username,
                request=request,
                after={"throttled": reason},
            )
    return reason
