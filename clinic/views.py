from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.db import DatabaseError, connection, transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import condition, require_GET

from clinic import health
from clinic.audit import audit_record
from clinic.forms import PatientRegistrationForm
from clinic.identity import clinic_identity, current_logo
from clinic.models import AuditAction, User
from clinic.services import user_confirm_email, user_register_patient

logger = logging.getLogger(__name__)


@never_cache
def home(request: HttpRequest) -> HttpResponse:
    """Send each person to where their work is."""
    if not request.user.is_authenticated:
        return redirect("login")
    if request.user.is_clinician_role:
        return redirect("review:queue")
    return redirect("intake:home")


@sensitive_post_parameters("password1", "password2")
@never_cache
def register(request: HttpRequest) -> HttpResponse:
    """The same answer whether or not the address has an account: "check your e-mail"."""
    if request.user.is_authenticated:
        return redirect("home")
    form = PatientRegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user_register_patient(
            request=request,
            email=form.cleaned_data["email"],
            full_name=form.cleaned_data["full_name"],
            password=form.cleaned_data["password1"],
        )
        return redirect("register_done")
    return render(request, "registration/register.html", {"form": form})


@never_cache
def register_done(request: HttpRequest) -> HttpResponse:
    return render(request, "registration/register_done.html")


@never_cache
@require_GET
def confirm_email(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """The link in the confirmation e-mail: activates the account and opens the intake."""
    try:
        user = User.objects.get(pk=int(force_str(urlsafe_base64_decode(uidb64))))
    except (ValueError, TypeError, OverflowError, User.DoesNotExist):
        user = None
    if user is None or not user_confirm_email(request=request, user=user, token=token):
        return render(request, "registration/confirm_email_invalid.html", status=HTTPStatus.BAD_REQUEST)
    login(request, user, backend="clinic.backends.UserWithRolesBackend")
    messages.success(request, "Your e-mail address is confirmed. Your answers are saved as you go.")
    return redirect("intake:home")


class AuditedPasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change, with the change in the audit trail."""

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        audit_record(
            actor=form.user,
            action=AuditAction.PASSWORD_CHANGE,
            target=form.user,
            summary="Password changed by its owner",
            request=self.request,
        )
        return response


class AuditedPasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's password reset (from the e-mailed link), with the reset in the audit trail."""

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        audit_record(
            actor=None,
            action=AuditAction.PASSWORD_RESET,
            target=form.user,
            summary="Password reset from an e-mailed link",
            request=self.request,
        )
        return response


@require_GET
@never_cache
@transaction.non_atomic_requests
def healthz(request: HttpRequest) -> HttpResponse:
    """200 when the database answers, 503 when it does not.

    ``worker`` says whether the task worker (which sends the alert e-mails) ran its periodic
    task lately: "up", "late" (not seen for CLINIC_WORKER_LATE_SECONDS) or "never". It does not
    change the status code: a load balancer must not take the web app out for a late worker;
    monitoring alerts on it.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        seen = health.worker_last_seen()
    except DatabaseError:
        logger.warning("healthz: database did not answer")
        return JsonResponse({"status": "unavailable", "database": "down", "worker": "unknown"}, status=503)
    if seen is None:
        return JsonResponse({"status": "ok", "database": "up", "worker": "never", "worker_seen_seconds_ago": None})
    ago = max(int((timezone.now() - seen).total_seconds()), 0)
    worker = "late" if ago > settings.CLINIC_WORKER_LATE_SECONDS else "up"
    return JsonResponse({"status": "ok", "database": "up", "worker": worker, "worker_seen_seconds_ago": ago})



def _logo_etag(request: HttpRequest, version: str) -> str | None:
    # From the cached identity: a browser revalidating its copy costs no query.
    current = clinic_identity().logo_version
    return current if current and current == version else None


@require_GET
@condition(etag_func=_logo_etag)
def clinic_logo(request: HttpRequest, version: str) -> HttpResponse:
    """The clinic's logo, for every page's header (anyone may see it: it is the clinic's, not a
    patient's). Its address carries a hash of the image, so it is cached for a year; an old
    address leads to the current one."""
    identity = clinic_identity()
    if not identity.logo_version:
        raise Http404
    if version != identity.logo_version:
        return redirect(identity.logo_url)
    logo = current_logo()
    if logo is None or logo.version != version:  # changed in another process a moment ago
        raise Http404
    response = HttpResponse(logo.data, content_type=logo.content_type)
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = 'inline; filename="logo"'
    return response
