"""Error pages in the user's language, styled like the rest of the site."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """An expired or missing CSRF token: say what to do instead of Django's technical page."""
    return render(request, "403_csrf.html", status=403)
