from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone

SESSION_LOGIN_AT = "clinic_login_at"


class SessionLimitsMiddleware:
    """Ends a session 12 hours after login, however active it was.

    The idle limit (30 minutes, sliding) is the database session's own expiry, renewed on
    every request (SESSION_SAVE_EVERY_REQUEST); this adds the absolute limit on top.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = timezone.now().timestamp()
            started = request.session.get(SESSION_LOGIN_AT)
            if started is None:
                request.session[SESSION_LOGIN_AT] = now
            elif now - float(started) > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
                messages.info(request, "For your privacy you were signed out after 12 hours. Please sign in again.")
                return redirect(settings.LOGIN_URL)
        return self.get_response(request)
