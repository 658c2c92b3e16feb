from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

SESSION_LOGIN_AT = "clinic_login_at"


class SessionLimitsMiddleware:
    """Ends a session 12 hours after login, however active it was.

    The idle limit (30 minutes, sliding) is the database session's own expiry, renewed by
    the requests (clinic/sessions.py); this adds the absolute limit on top.
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


# Pages an unverified clinician or admin may still open: the second-factor pages, sign-out
# (the site's and the admin's), the health check and the clinic's logo (in those pages' header).
SECOND_FACTOR_OPEN = frozenset({"mfa", "mfa_enrol", "logout", "admin:logout", "healthz", "clinic_logo"})


class StaffSecondFactorMiddleware:
    """No staff page answers before the second factor: an unverified clinician or admin is
    sent to the code page (or to enrolment) from every other page, whatever it is.

    ``staff_required`` and the admin site's ``has_permission`` check it again.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: object, view_args: object, view_kwargs: object
    ) -> HttpResponse | None:
        from clinic.mfa import is_verified, needs_second_factor

        if not needs_second_factor(request.user) or is_verified(request):
            return None
        match = request.resolver_match
        if match is not None and match.view_name in SECOND_FACTOR_OPEN:
            return None
        return redirect_to_second_factor(request)


def redirect_to_second_factor(request: HttpRequest) -> HttpResponse:
    target = reverse("mfa")
    if request.method == "GET":
        target += "?" + urlencode({"next": request.get_full_path()})
    return redirect(target)


class NoServerHeaderMiddleware:
    """No response names the server software (``Server``, ``X-Powered-By``) as far as the app
    controls it. The WSGI server may add its own: see README, "Security baseline"."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        for header in ("Server", "X-Powered-By"):
            if header in response:
                del response[header]
        return response
