"""Security headers, the upload size limit and the per-user language choice."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import StopUpload, TemporaryFileUploadHandler
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext as _


class ContentSecurityPolicyMiddleware:
    """Send the Content-Security-Policy of the settings on every response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        return response


class UserLanguageMiddleware:
    """Activate the language a signed-in user chose in their profile."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        language = None
        if user is not None and user.is_authenticated:
            profile = getattr(user, "profile", None)
            language = getattr(profile, "language", None)
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        response = self.get_response(request)
        if language:
            response.headers.setdefault("Content-Language", language)
        return response


class LimitedUploadHandler(TemporaryFileUploadHandler):
    """Stream an uploaded file to disk, stopping once it passes ``MAX_UPLOAD_BYTES``.

    The partial temporary file is closed and so deleted; the request is marked so that
    :class:`UploadLimitMiddleware` answers 413 whatever the view made of the missing file.
    """

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        if start + len(raw_data) > settings.MAX_UPLOAD_BYTES:
            self.request.upload_too_large = True  # type: ignore[union-attr]
            raise StopUpload(connection_reset=False)
        result: bytes | None = super().receive_data_chunk(raw_data, start)
        return result


class UploadLimitMiddleware:
    """Answer 413 to a request body larger than the upload limit, on every path.

    A declared ``Content-Length`` beyond the limit (plus a small allowance for the form
    fields) is refused before a byte of the body is read; a file that passes the limit while
    it streams is stopped by :class:`LimitedUploadHandler`.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.MAX_UPLOAD_BYTES + settings.UPLOAD_FORM_ALLOWANCE:
            return self.too_large(request)
        response = self.get_response(request)
        if getattr(request, "upload_too_large", False):
            return self.too_large(request)
        return response

    @staticmethod
    def too_large(request: HttpRequest) -> HttpResponse:
        message = _("The file is larger than the limit of %(mb)d MB.") % {
            "mb": settings.MAX_UPLOAD_BYTES // 1024 // 1024
        }
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message}, status=413)
        page: Any = f"<!doctype html><meta charset=utf-8><title>413</title><p>{escape(message)}</p>"
        return HttpResponse(page, status=413)
