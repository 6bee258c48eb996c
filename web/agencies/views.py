"""Sign-in, profile and language, API tokens, agency members and invitations."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agencies import actions
from agencies.access import agencies_where, has_role, readable, roles_of
from agencies.forms import (
    AcceptInvitationForm,
    InviteForm,
    LanguageForm,
    RoleForm,
    ThrottledLoginForm,
    TokenForm,
)
from agencies.models import (
    Agency,
    ApiToken,
    Invitation,
    Membership,
    ReliabilityStandards,
    Role,
    hash_secret,
)


class LoginView(auth_views.LoginView):
    form_class = ThrottledLoginForm
    template_name = "agencies/login.html"
    redirect_authenticated_user = True


@login_required
def home(request: HttpRequest) -> HttpResponse:
    from analyses.models import Analysis, Report
    from datasets.models import Dataset

    user = request.user
    context = {
        "datasets": readable(user, Dataset.objects.select_related("owner"))[:8],
        "analyses": readable(user, Analysis.objects.select_related("owner"))[:8],
        "reports": readable(user, Report.objects.select_related("owner"))[:8],
        "memberships": Membership.objects.filter(user=user).select_related("agency"),
    }
    return render(request, "agencies/home.html", context)


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    new_token = None
    if request.method == "POST":
        if "language" in request.POST:
            form = LanguageForm(request.POST)
            if form.is_valid():
                actions.set_language(request.user, form.cleaned_data["language"], request)
                messages.success(request, _("Language saved."))
                return redirect("profile")
        elif "name" in request.POST:
            token_form = TokenForm(request.POST)
            if token_form.is_valid():
                new_token = actions.create_token(
                    request.user, token_form.cleaned_data["name"], request
                )
    language = getattr(getattr(request.user, "profile", None), "language", "id")
    return render(
        request,
        "agencies/profile.html",
        {
            "language_form": LanguageForm(initial={"language": language}),
            "token_form": TokenForm(),
            "tokens": ApiToken.objects.filter(user=request.user, revoked_at__isnull=True),
            "new_token": new_token,
        },
    )


@login_required
@require_POST
def revoke_token(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user, revoked_at__isnull=True)
    actions.revoke_token(request.user, token, request)
    messages.success(request, _("Token revoked."))
    return redirect("profile")


def _admin_agency(request: HttpRequest, slug: str) -> Agency:
    """The agency, if the user is a member (else 404) and its admin (else 403)."""
    agency = Agency.objects.filter(slug=slug, pk__in=list(roles_of(request.user))).first()
    if agency is None:
        raise Http404
    if not has_role(request.user, agency, Role.ADMIN):
        raise PermissionDenied
    return agency


@login_required
def agencies(request: HttpRequest) -> HttpResponse:
    mine = Membership.objects.filter(user=request.user).select_related("agency")
    return render(request, "agencies/agencies.html", {"memberships": mine})


@login_required
def members(request: HttpRequest, slug: str) -> HttpResponse:
    agency = _admin_agency(request, slug)
    invite_link = None
    form = InviteForm()
    if request.method == "POST" and "reliability_standards" in request.POST:
        value = request.POST["reliability_standards"]
        if value in ReliabilityStandards.values:
            actions.set_reliability_standards(request.user, agency, value, request)
            messages.success(request, _("Saved."))
        return redirect("members", slug=slug)
    if request.method == "POST":
        form = InviteForm(request.POST)
        if form.is_valid():
            secret = actions.invite(request.user, agency, request=request, **form.cleaned_data)
            invite_link = request.build_absolute_uri(f"/invitation/{secret}/")
            form = InviteForm()
    return render(
        request,
        "agencies/members.html",
        {
            "agency": agency,
            "memberships": agency.memberships.select_related("user").order_by("user__username"),
            "invitations": agency.invitations.filter(
                accepted_at__isnull=True, expires_at__gt=timezone.now()
            ),
            "form": form,
            "role_choices": Role.choices,
            "invite_link": invite_link,
            "reliability_choices": ReliabilityStandards.choices,
        },
    )


@login_required
@require_POST
def member_update(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    agency = _admin_agency(request, slug)
    membership = get_object_or_404(Membership, pk=pk, agency=agency)
    if membership.user_id == request.user.pk:
        messages.error(request, _("You cannot change your own membership."))
        return redirect("members", slug=slug)
    what = request.POST.get("action")
    if what == "role":
        form = RoleForm(request.POST)
        if form.is_valid():
            actions.add_member(
                request.user, agency, membership.user, form.cleaned_data["role"], request
            )
    elif what in ("deactivate", "activate"):
        actions.set_active(request.user, agency, membership.user, what == "activate", request)
    elif what == "remove":
        actions.remove_member(request.user, membership, request)
    messages.success(request, _("Saved."))
    return redirect("members", slug=slug)


def accept_invitation(request: HttpRequest, secret: str) -> HttpResponse:
    invitation = (
        Invitation.objects.filter(key_hash=hash_secret(secret)).select_related("agency").first()
    )
    if invitation is None:
        raise Http404
    context: dict[str, Any] = {"invitation": invitation}
    if invitation.accepted_at is not None or invitation.expires_at <= timezone.now():
        context["unavailable"] = _("This invitation was already used or has expired.")
        return render(request, "agencies/invitation.html", context, status=410)
    form = AcceptInvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = actions.accept_invitation(
                invitation, form.cleaned_data["password1"], form.cleaned_data["language"], request
            )
        except actions.InvitationUnavailable as exc:
            context["unavailable"] = str(exc)
            return render(request, "agencies/invitation.html", context, status=409)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("home")
    context["form"] = form
    return render(request, "agencies/invitation.html", context)


def writable_agencies(request: HttpRequest) -> list[Agency]:
    return list(agencies_where(request.user, Role.ANALYST))


@require_POST
def switch_language(request: HttpRequest) -> HttpResponse:
    """The header's language switch: Django's ``set_language`` (cookie, redirect to ``next``),
    and for a signed-in user the choice saved to their profile, which wins on every request."""
    from django.conf import settings
    from django.views.i18n import set_language

    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        actions.set_language(request.user, language, request)
    return set_language(request)
