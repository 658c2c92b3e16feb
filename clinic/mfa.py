"""The second factor of clinicians and admins (django-otp): services and session helpers.

A staff member has at most one confirmed TOTP device (an authenticator app) and one static
device holding their unused recovery codes. Enrolment makes an unconfirmed TOTP device,
shows its secret, and confirms it when a code from the app matches. A TOTP code is accepted
once only: django-otp keeps the last time step used (``last_t``) and refuses any code at or
before it. A recovery code is deleted when used. Every change is audited.
"""

from __future__ import annotations

import base64

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.audit import audit_record
from clinic.models import AuditAction, User

AUTHENTICATOR = "authenticator"
RECOVERY = "recovery codes"


def needs_second_factor(user: object) -> bool:
    """Clinicians and admins (staff): every one of them signs in with a second factor."""
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_clinician_role", False))


def is_verified(request: HttpRequest) -> bool:
    user = request.user
    return bool(getattr(user, "is_verified", None) and user.is_verified())  # type: ignore[union-attr]


def confirmed_authenticator(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def base32_secret(device: TOTPDevice) -> str:
    """The secret as an authenticator app takes it when typed: base32, capitals, no padding."""
    return base64.b32encode(device.bin_key).decode("ascii").rstrip("=")


@transaction.atomic
def mfa_start_enrolment(*, user: User) -> TOTPDevice:
    """The unconfirmed authenticator this user is enrolling (a new secret the first time)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False, name=AUTHENTICATOR).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR, confirmed=False)
    return device


def _new_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(settings.MFA_RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


@transaction.atomic
def mfa_confirm_enrolment(*, request: HttpRequest, user: User, code: str) -> list[str] | None:
    """Confirm the enrolling authenticator with a code from it.

    Returns the new recovery codes (shown once) and verifies this session, or None when the
    code does not match.
    """
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False, name=AUTHENTICATOR).first()
    if device is None or not device.verify_token(code):
        return None
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _new_recovery_codes(user)
    otp_login(request, device)
    audit_record(
        actor=user,
        action=AuditAction.MFA_ENROL,
        target=user,
        summary="Authenticator app enrolled; new recovery codes issued",
        request=request,
    )
    return codes


def mfa_verify(*, request: HttpRequest, user: User, code: str) -> Device | None:
    """Verify this session with a code from the authenticator or a recovery code."""
    token = "".join(code.split()).lower()
    device = match_token(user, token) if token else None
    if device is None:
        audit_record(
            actor=user, action=AuditAction.MFA_FAILED, target=user, summary="Wrong second-factor code", request=request
        )
        return None
    otp_login(request, device)
    used = "a recovery code" if isinstance(device, StaticDevice) else "the authenticator app"
    audit_record(
        actor=user,
        action=AuditAction.MFA_VERIFIED,
        target=user,
        summary=f"Second factor verified with {used}",
        request=request,
    )
    return device


@transaction.atomic
def mfa_regenerate_recovery_codes(*, request: HttpRequest, user: User) -> list[str]:
    """Replace the staff member's recovery codes (the old ones stop working)."""
    codes = _new_recovery_codes(user)
    audit_record(
        actor=user,
        action=AuditAction.RECOVERY_CODES,
        target=user,
        summary="Recovery codes regenerated; the old ones no longer work",
        request=request,
    )
    return codes


@transaction.atomic
def mfa_reset(*, user: User, actor: User, request: HttpRequest | None = None) -> bool:
    """An admin removes a staff member's authenticator and recovery codes (a lost phone).

    At their next sign-in they enrol again. Returns whether there was anything to remove.
    """
    removed = TOTPDevice.objects.filter(user=user).delete()[0] + StaticDevice.objects.filter(user=user).delete()[0]
    if removed:
        audit_record(
            actor=actor,
            action=AuditAction.MFA_RESET,
            target=user,
            summary="Second factor reset by an admin: the account enrols again at its next sign-in",
            request=request,
        )
    return bool(removed)
