"""Every state change of agencies, members, tokens and sharing happens here, audited."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from audit.actions import record, snapshot
from audit.models import Action
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Max, ProtectedError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.access import check
from agencies.models import (
    Agency,
    ApiToken,
    Invitation,
    Membership,
    Profile,
    ReliabilityStandards,
    Shareable,
    hash_secret,
)

User = get_user_model()


class NotAllowed(PermissionError):
    """A change refused for a reason the user can act on (the message says which)."""


def share(
    user: Any, obj: Shareable, agencies: list[Agency], request: HttpRequest | None = None
) -> None:
    """Share ``obj`` read-only with exactly ``agencies`` (adds and removes), audited."""
    check(user, obj, "share")
    with transaction.atomic():
        before = sorted(a.pk for a in obj.shared_with.all())
        after = sorted({a.pk for a in agencies} - {obj.owner_id})
        obj.shared_with.set(after)
        if set(after) - set(before):
            record(
                Action.SHARE,
                actor=user,
                obj=obj,
                request=request,
                before={"shared_with": before},
                after={"shared_with": after},
            )
        if set(before) - set(after):
            record(
                Action.UNSHARE,
                actor=user,
                obj=obj,
                request=request,
                before={"shared_with": before},
                after={"shared_with": after},
            )


def publish(user: Any, obj: Shareable, published: bool, request: HttpRequest | None = None) -> None:
    check(user, obj, "share")
    with transaction.atomic():
        before = obj.published
        type(obj).objects.filter(pk=obj.pk).update(published=published)
        obj.published = published
        if before != published:
            record(
                Action.PUBLISH if published else Action.UNPUBLISH,
                actor=user,
                obj=obj,
                request=request,
                before={"published": before},
                after={"published": published},
            )


def delete(
    user: Any, obj: Shareable, fields: list[str], request: HttpRequest | None = None
) -> None:
    """Delete ``obj`` (the manager role is checked), recording ``fields`` as its last state in
    the same transaction. Callers check first what would be left dangling."""
    check(user, obj, "delete")
    try:
        with transaction.atomic():
            record(
                Action.DELETE, actor=user, obj=obj, request=request, before=snapshot(obj, fields)
            )
            obj.delete()
    except ProtectedError as exc:  # something still uses it (a check missed it, or a race)
        users = sorted({f"{o._meta.verbose_name} “{o}”" for o in exc.protected_objects})
        raise NotAllowed(
            _("This cannot be deleted while it is used by: %(users)s. Delete those first.")
            % {"users": ", ".join(users[:5]) + (" …" if len(users) > 5 else "")}
        ) from None


def record_export(user: Any, obj: Any, fmt: str, request: HttpRequest | None = None) -> None:
    """An export (download or API read of results) in the audit trail."""
    with transaction.atomic():
        record(Action.EXPORT, actor=user, obj=obj, request=request, after={"format": fmt})


def set_reliability_standards(
    actor: Any, agency: Agency, standards: str, request: HttpRequest | None = None
) -> Agency:
    """Choose the rules that flag the agency's estimates (BPS alone, or BPS and NCHS);
    diagnostics run after the change use them. The caller checked the admin role."""
    if standards not in ReliabilityStandards.values:
        raise ValueError(f"reliability standards must be one of {ReliabilityStandards.values}")
    with transaction.atomic():
        before = agency.reliability_standards
        if before != standards:
            agency.reliability_standards = standards
            agency.save(update_fields=["reliability_standards"])
            record(
                Action.UPDATE,
                actor=actor,
                obj=agency,
                agency_id=agency.pk,
                request=request,
                before={"reliability_standards": before},
                after={"reliability_standards": standards},
            )
    return agency


def create_agency(actor: Any, *, slug: str, name: str, kind: str, region_code: str = "") -> Agency:
    with transaction.atomic():
        agency, created = Agency.objects.get_or_create(
            slug=slug, defaults={"name": name, "kind": kind, "region_code": region_code}
        )
        if created:
            record(
                Action.CREATE, actor=actor, obj=agency, agency_id=agency.pk, after=snapshot(agency)
            )
        return agency


def add_member(
    actor: Any, agency: Agency, user: Any, role: str, request: HttpRequest | None = None
) -> Membership:
    """Give ``user`` ``role`` in ``agency`` (creating or changing the membership), audited."""
    with transaction.atomic():
        membership = Membership.objects.filter(agency=agency, user=user).first()
        if membership is None:
            membership = Membership.objects.create(agency=agency, user=user, role=role)
            record(
                Action.CREATE,
                actor=actor,
                obj=membership,
                agency_id=agency.pk,
                request=request,
                after={"user": user.username, "role": role},
            )
        elif membership.role != role:
            before = membership.role
            membership.role = role
            membership.save(update_fields=["role"])
            record(
                Action.UPDATE,
                actor=actor,
                obj=membership,
                agency_id=agency.pk,
                request=request,
                before={"role": before},
                after={"role": role},
            )
        return membership


def remove_member(actor: Any, membership: Membership, request: HttpRequest | None = None) -> None:
    with transaction.atomic():
        record(
            Action.DELETE,
            actor=actor,
            obj=membership,
            agency_id=membership.agency_id,
            request=request,
            before={"user": membership.user.username, "role": membership.role},
        )
        membership.delete()


def set_active(
    actor: Any, agency: Agency, user: Any, active: bool, request: HttpRequest | None = None
) -> None:
    """Deactivate (or reactivate) an account; an agency admin may do it for its members."""
    with transaction.atomic():
        before = user.is_active
        user.is_active = active
        user.save(update_fields=["is_active"])
        if before != active:
            record(
                Action.UPDATE,
                actor=actor,
                obj=user,
                object_type="user",
                agency_id=agency.pk,
                request=request,
                before={"is_active": before},
                after={"is_active": active},
            )


def create_user(
    actor: Any,
    *,
    username: str,
    password: str,
    email: str = "",
    language: str = "id",
    is_superuser: bool = False,
) -> Any:
    with transaction.atomic():
        if is_superuser:
            user = User.objects.create_superuser(username=username, email=email, password=password)
        else:
            user = User.objects.create_user(username=username, email=email, password=password)
        Profile.objects.create(user=user, language=language)
        record(
            Action.CREATE,
            actor=actor,
            obj=user,
            object_type="user",
            after={"username": username, "email": email, "superuser": is_superuser},
        )
        return user


def invite(
    actor: Any,
    agency: Agency,
    *,
    username: str,
    email: str,
    role: str,
    request: HttpRequest | None = None,
    days: int = 7,
) -> str:
    """Create a one-time invitation; returns the secret for the link (shown once)."""
    secret = secrets.token_urlsafe(24)
    with transaction.atomic():
        invitation = Invitation.objects.create(
            agency=agency,
            username=username,
            email=email,
            role=role,
            key_hash=hash_secret(secret),
            invited_by=actor,
            expires_at=timezone.now() + timedelta(days=days),
        )
        record(
            Action.CREATE,
            actor=actor,
            obj=invitation,
            agency_id=agency.pk,
            object_repr=f"invitation of {username} as {role}",
            request=request,
            after={"username": username, "email": email, "role": role},
        )
    return secret


class InvitationUnavailable(Exception):
    """The invitation cannot be accepted; the message says why and what to do."""


def accept_invitation(
    invitation: Invitation, password: str, language: str, request: HttpRequest | None = None
) -> Any:
    """Create the invited account; of concurrent acceptances exactly one wins.

    The invitation row is locked (PostgreSQL; SQLite's immediate transactions serialise
    writers), so the others find it used. An invitation whose username was taken meanwhile (two
    pending invitations for one name) is withdrawn, and accepting one withdraws the others.
    """
    taken = False
    with transaction.atomic():
        now = timezone.now()
        locked = Invitation.objects.select_for_update().filter(pk=invitation.pk).first()
        if locked is None or locked.accepted_at is not None or locked.expires_at <= now:
            raise InvitationUnavailable(_("This invitation was already used or has expired."))
        user = None
        if not User.objects.filter(username__iexact=locked.username).exists():
            try:
                with transaction.atomic():  # a savepoint: a concurrent acceptance may win the name
                    user = create_user(
                        None,
                        username=locked.username,
                        password=password,
                        email=locked.email,
                        language=language,
                    )
            except IntegrityError:
                user = None
        if user is None:
            _withdraw(locked, now, "username taken", request)
            taken = True
        else:
            Membership.objects.create(agency=locked.agency, user=user, role=locked.role)
            locked.accepted_at = now
            locked.save(update_fields=["accepted_at"])
            record(
                Action.UPDATE,
                actor=user,
                obj=locked,
                agency_id=locked.agency_id,
                object_repr=f"invitation of {locked.username} accepted",
                request=request,
                after={"accepted": True},
            )
            others = Invitation.objects.select_for_update().filter(
                username__iexact=locked.username, accepted_at__isnull=True, expires_at__gt=now
            )
            for other in others.exclude(pk=locked.pk):
                _withdraw(other, now, "username taken", request)
    if taken:
        raise InvitationUnavailable(
            _(
                "The username %(username)s is already taken, so this invitation was withdrawn. "
                "Ask your agency admin for an invitation with another username."
            )
            % {"username": locked.username}
        )
    return user


def _withdraw(invitation: Invitation, now: Any, reason: str, request: HttpRequest | None) -> None:
    """End a pending invitation (it expires now), audited."""
    invitation.expires_at = now
    invitation.save(update_fields=["expires_at"])
    record(
        Action.UPDATE,
        obj=invitation,
        agency_id=invitation.agency_id,
        object_repr=f"invitation of {invitation.username} withdrawn",
        request=request,
        after={"withdrawn": reason},
    )


def create_token(user: Any, name: str, request: HttpRequest | None = None) -> str:
    """A new API token; only its hash is stored, the returned secret is shown once."""
    secret = "st_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, name=name, prefix=secret[:8], key_hash=hash_secret(secret)
        )
        record(
            Action.CREATE,
            actor=user,
            obj=token,
            object_type="api token",
            request=request,
            after={"name": name, "prefix": token.prefix},
        )
    return secret


def revoke_token(user: Any, token: ApiToken, request: HttpRequest | None = None) -> None:
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record(
            Action.DELETE,
            actor=user,
            obj=token,
            object_type="api token",
            request=request,
            before={"name": token.name, "prefix": token.prefix},
        )


def set_language(user: Any, language: str, request: HttpRequest | None = None) -> None:
    with transaction.atomic():
        profile, _ = Profile.objects.get_or_create(user=user)
        before = profile.language
        profile.language = language
        profile.save(update_fields=["language"])
        if before != language:
            record(
                Action.UPDATE,
                actor=user,
                obj=profile,
                object_type="profile",
                request=request,
                before={"language": before},
                after={"language": language},
            )


def next_number(queryset: Any) -> int:
    return int(queryset.aggregate(n=Max("number"))["n"] or 0) + 1
