from __future__ import annotations

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from clinic.audit import audit_record
from clinic.models import AuditAction, Role, User


class EmailConfirmationTokenGenerator(PasswordResetTokenGenerator):
    """A signed, expiring link that confirms an e-mail address (PASSWORD_RESET_TIMEOUT).

    It stops working once used: confirming activates the account and signs it in, and both
    are part of the signed value.
    """

    key_salt = "clinic.services.EmailConfirmationTokenGenerator"

    def _make_hash_value(self, user: User, timestamp: int) -> str:  # type: ignore[override]
        login = "" if user.last_login is None else user.last_login.replace(microsecond=0, tzinfo=None)
        return f"{user.pk}{user.email}{user.is_active}{login}{timestamp}"


email_confirmation_tokens = EmailConfirmationTokenGenerator()


def _absolute(request: HttpRequest, path: str) -> str:
    return request.build_absolute_uri(path)


def _send_confirmation(*, request: HttpRequest, user: User) -> None:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    link = _absolute(request, reverse("confirm_email", args=[uid, email_confirmation_tokens.make_token(user)]))
    send_mail(
        "Confirm your e-mail address for clinic-intake",
        render_to_string("registration/confirm_email.txt", {"link": link}),
        None,
        [user.email],
    )


@transaction.atomic
def user_register_patient(*, request: HttpRequest, email: str, full_name: str, password: str) -> User | None:
    """Register a patient, revealing nothing about which addresses have accounts.

    A new address gets an inactive patient account and a link to confirm it; the intake
    opens once it is confirmed. An address that already has an account gets an e-mail to
    its owner instead (a new confirmation link if it was never confirmed), and the caller
    answers exactly as for a new registration. Returns the new account, or None.
    """
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None:
        make_password(password)  # the same work as a new account, so timing tells nothing
        if not existing.is_active and existing.last_login is None and existing.is_patient_role:
            _send_confirmation(request=request, user=existing)
        else:
            send_mail(
                "Someone tried to create a clinic-intake account with your address",
                render_to_string(
                    "registration/known_email.txt",
                    {
                        "login": _absolute(request, reverse("login")),
                        "reset": _absolute(request, reverse("password_reset")),
                    },
                ),
                None,
                [existing.email],
            )
        return None
    user = User(email=email, full_name=full_name, is_active=False)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    user.groups.add(Group.objects.get(name=Role.PATIENT))
    audit_record(
        actor=None, action=AuditAction.REGISTER, target=user, summary="Patient account registered", request=request
    )
    _send_confirmation(request=request, user=user)
    return user


@transaction.atomic
def user_confirm_email(*, request: HttpRequest, user: User, token: str) -> bool:
    """Activate a registered account from its confirmation link; False when the link is not valid."""
    if user.is_active or not email_confirmation_tokens.check_token(user, token):
        return False
    user.is_active = True
    user.save(update_fields=["is_active"])
    audit_record(
        actor=user, action=AuditAction.EMAIL_CONFIRM, target=user, summary="E-mail address confirmed", request=request
    )
    return True


@transaction.atomic
def user_set_role(*, user: User, role: Role) -> User:
    """Give a user exactly one role; only admins may use the Django admin."""
    user.groups.set([Group.objects.get(name=role)])
    user.is_staff = role == Role.ADMIN or user.is_superuser
    user.save(update_fields=["is_staff"])
    if hasattr(user, "_group_names_cache"):
        del user._group_names_cache
    return user
