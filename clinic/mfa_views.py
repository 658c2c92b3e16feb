"""The second-factor pages: enrol an authenticator, enter a code, regenerate recovery codes.

Clinicians and admins land here after their password (clinic.middleware.
StaffSecondFactorMiddleware sends them here from any other page until the session is
verified). Wrong codes count toward the account's lockout like wrong passwords.
"""

from __future__ import annotations

from http import HTTPStatus

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from clinic import mfa
from clinic.forms import SecondFactorForm
from clinic.lockout import count_failure, is_locked_out, reset_failures
from clinic.models import User

WRONG_CODE = "That code did not work. Enter the code your app shows now (each code works once), or a recovery code."


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return "/"


def _staff(request: HttpRequest) -> User:
    if not mfa.needs_second_factor(request.user):
        raise Http404
    return request.user  # type: ignore[return-value]


def _locked_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    return render(request, settings.AXES_LOCKOUT_TEMPLATE, status=HTTPStatus.TOO_MANY_REQUESTS)


@sensitive_post_parameters("code")
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    if mfa.is_verified(request):
        return redirect(_next_url(request))
    if mfa.confirmed_authenticator(user) is None:
        return redirect(f"{reverse('mfa_enrol')}?{urlencode({'next': _next_url(request)})}")
    if is_locked_out(request, user):
        return _locked_out(request)
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if mfa.mfa_verify(request=request, user=user, code=form.cleaned_data["code"]) is not None:
            reset_failures(request, user)
            return redirect(_next_url(request))
        if count_failure(request, user):
            return _locked_out(request)
        form.add_error("code", WRONG_CODE)
    return render(request, "registration/mfa_verify.html", {"form": form, "next": _next_url(request)})


@sensitive_post_parameters("code")
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest) -> HttpResponse:
    """First sign-in (or after an admin's reset): set up the authenticator app."""
    user = _staff(request)
    if mfa.confirmed_authenticator(user) is not None:
        # A second device is never added with the password alone: verify, then regenerate.
        return redirect("mfa")
    device = mfa.mfa_start_enrolment(user=user)
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = mfa.mfa_confirm_enrolment(request=request, user=user, code=form.cleaned_data["code"])
        if codes is not None:
            reset_failures(request, user)
            return render(
                request,
                "registration/mfa_recovery_codes.html",
                {"codes": codes, "next": _next_url(request), "new": True},
            )
        form.add_error("code", WRONG_CODE)
    uri = device.config_url
    return render(
        request,
        "registration/mfa_enrol.html",
        {
            "form": form,
            "secret": mfa.base32_secret(device),
            "qr_data_uri": segno.make(uri, error="m").svg_data_uri(scale=5, border=2),
            "next": _next_url(request),
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """A verified staff member replaces their recovery codes (the old ones stop working)."""
    user = _staff(request)
    if request.method == "POST":
        codes = mfa.mfa_regenerate_recovery_codes(request=request, user=user)
        messages.success(request, "New recovery codes made: the old ones no longer work.")
        return render(request, "registration/mfa_recovery_codes.html", {"codes": codes, "next": "/", "new": False})
    remaining = sum(device.token_set.count() for device in mfa.StaticDevice.objects.filter(user=user))
    return render(request, "registration/mfa_recovery.html", {"remaining": remaining})
