from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from csp.constants import HEADER
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as DjangoCSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.signals import setting_changed
from django.dispatch import receiver
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


# What a view or a page can change of the policy (django-csp's decorators and nonce).
_OWN_POLICY_PARTS = (
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
)


@cache
def _site_policy() -> str:
    return build_policy()


@receiver(setting_changed)
def _forget_site_policy(*, setting: str, **kwargs: Any) -> None:
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _site_policy.cache_clear()


class CSPMiddleware(DjangoCSPMiddleware):
    """django-csp's middleware, with the site-wide policy built once (issue 13).

    django-csp builds the ``Content-Security-Policy`` header from the settings on every
    response: 4% of a step POST, always to the same text. Here that text is django-csp's own
    ``build_policy()``, kept until the settings change. A response whose view brings its own
    policy (``csp_update``, ``csp_replace``, ``csp_exempt``), a page that used a nonce, a
    report-only policy and debug mode all go through django-csp's ``process_response``
    unchanged (``tests/clinic/test_csp.py`` holds the two to the same header)."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:  # type: ignore[override]
        if (
            settings.DEBUG
            or getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
            or getattr(request, "_csp_nonce", None) is not None
            or getattr(response, "_csp_exempt", False)
            or any(getattr(response, name, None) is not None for name in _OWN_POLICY_PARTS)
        ):
            return super().process_response(request, response)  # type: ignore[return-value]
        excluded = (getattr(settings, "CONTENT_SECURITY_POLICY", None) or {}).get("EXCLUDE_URL_PREFIXES") or ()
        policy = _site_policy()
        if policy and HEADER not in response and not request.path_info.startswith(tuple(excluded)):
            response[HEADER] = policy
        # As django-csp does: a nonce asked for after the header is written is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)  # type: ignore[attr-defined]
        return response
