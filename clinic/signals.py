"""Receivers: the session clock, and every sign-in event into the audit trail."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.utils import timezone

from clinic.audit import audit_record
from clinic.lockout import normalised_email, reset_failures
from clinic.middleware import SESSION_LOGIN_AT
from clinic.models import AuditAction, User

# Failures of the second factor are sent to django-axes as failed logins (so that they
# count toward the lockout) with this sender; they are audited as MFA_FAILED instead.
SECOND_FACTOR_SENDER = "clinic.mfa"


@receiver(user_logged_in)
def remember_login_time(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """Start the absolute session clock (12 hours by default) at each login."""
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_LOGIN_AT] = timezone.now().timestamp()


@receiver(user_logged_in)
def audit_login(sender: Any, request: Any, user: User, **kwargs: Any) -> None:
    staff = user.is_clinician_role
    audit_record(
        actor=user,
        action=AuditAction.LOGIN,
        target=user,
        summary="Password accepted; second factor required" if staff else "Signed in",
        request=request,
    )
    if not staff and request is not None:
        # Staff failures (passwords and codes) are forgotten only after the second factor.
        reset_failures(request, user)


@receiver(user_logged_out)
def audit_logout(sender: Any, request: Any, user: User | None, **kwargs: Any) -> None:
    if user is None:
        return
    audit_record(actor=user, action=AuditAction.LOGOUT, target=user, summary="Signed out", request=request)


def _audit_sign_in_problem(action: AuditAction, username: object, summary: str, request: Any) -> None:
    """An event about an account named only by a typed address: the line names the account's
    id when there is one, "unknown" otherwise, and never the address typed."""
    email = normalised_email(username)
    account = User.objects.filter(email__iexact=email).first() if email else None
    audit_record(
        actor=None,
        action=action,
        target_type="clinic.user",
        target_id=str(account.pk) if account is not None else "unknown",
        summary=summary,
        request=request,
    )


@receiver(user_login_failed)
def audit_failed_login(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    if sender == SECOND_FACTOR_SENDER:
        return
    _audit_sign_in_problem(
        AuditAction.LOGIN_FAILED, credentials.get("username"), "Wrong e-mail address or password", request
    )


@receiver(user_locked_out)
def audit_lockout(sender: Any, request: Any, username: str | None = None, **kwargs: Any) -> None:
    _audit_sign_in_problem(
        AuditAction.LOCKOUT,
        username,
        "Too many failed sign-in attempts: account locked out from this address",
        request,
    )
