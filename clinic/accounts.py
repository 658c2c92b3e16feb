"""Account writes made by admins in the back office: role changes and deactivation.

Each is audited. Two guards keep the clinic safe from a slip of the mouse: an admin cannot
take away their own admin role or deactivate themselves (the clinic could lose its last
way in), and an account that has a patient record stays a patient account (a patient must
never be able to open other patients' intakes; staff who are also patients keep two
accounts).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest

from clinic.audit import audit_record
from clinic.models import AuditAction, Role, User
from clinic.services import user_set_role


def user_has_patient_record(user: User) -> bool:
    return user.pk is not None and User.objects.filter(pk=user.pk, patient__isnull=False).exists()


def role_change_error(*, user: User, role: Role, actor: User) -> ValidationError | None:
    """Why ``actor`` may not give ``user`` the role ``role``, or None when they may."""
    if user.pk is not None and user.role == role:
        return None
    if user.pk is not None and user.pk == actor.pk and role != Role.ADMIN:
        return ValidationError("You cannot remove your own admin role.", code="own_admin_role")
    if user.is_superuser and role != Role.ADMIN:
        return ValidationError("A superuser is always an admin.", code="superuser_admin")
    if role != Role.PATIENT and user_has_patient_record(user):
        return ValidationError(
            "This account has a patient record, so it stays a patient account. "
            "Create a separate staff account for this person.",
            code="patient_record",
        )
    return None


def deactivation_error(*, user: User, actor: User) -> ValidationError | None:
    if user.pk == actor.pk:
        return ValidationError("You cannot deactivate your own account.", code="own_account")
    return None


@transaction.atomic
def user_change_role(*, user: User, role: Role, actor: User, request: HttpRequest | None = None) -> User:
    """Give ``user`` the role ``role`` (staff access follows the role) and audit the change."""
    error = role_change_error(user=user, role=role, actor=actor)
    if error is not None:
        raise error
    before = user.role
    user = user_set_role(user=user, role=role)
    if before != role:
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            target=user,
            summary=f"Role changed from {before.label} to {Role(role).label}",
            changes={"role": {"before": str(before), "after": str(role)}},
            request=request,
        )
    return user


@transaction.atomic
def user_set_active(*, user: User, active: bool, actor: User, request: HttpRequest | None = None) -> bool:
    """Deactivate (or reactivate) an account. Returns whether anything changed.

    Accounts are never deleted: a deactivated account keeps its clinical history and audit
    trail, and can no longer log in (Django's ModelBackend refuses inactive users, which
    also ends their open sessions at the next request).
    """
    if not active:
        error = deactivation_error(user=user, actor=actor)
        if error is not None:
            raise error
    if user.is_active == active:
        return False
    user.is_active = active
    user.save(update_fields=["is_active"])
    audit_record(
        actor=actor,
        action=AuditAction.CHANGE,
        target=user,
        summary="Account reactivated" if active else "Account deactivated",
        changes={"is_active": {"before": not active, "after": active}},
        request=request,
    )
    return True


@transaction.atomic
def user_create(*, user: User, role: Role, actor: User, request: HttpRequest | None = None) -> User:
    """Save a new account made in the admin (its password already set) with its role."""
    user.full_clean(exclude=["password"])
    user.save()
    user = user_set_role(user=user, role=role)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        target=user,
        summary=f"Account created in the admin with the role {Role(role).label}",
        changes={"email": {"before": None, "after": user.email}, "role": {"before": None, "after": str(role)}},
        request=request,
    )
    return user


@transaction.atomic
def user_update(
    *,
    user: User,
    changes: dict[str, dict[str, object]],
    role: Role,
    actor: User,
    request: HttpRequest | None = None,
) -> User:
    """Save an admin's edits of an account's details, then its role; audit both.

    ``changes`` maps each edited field to its ``{"before": …, "after": …}``; the new values
    are already on ``user``.
    """
    if changes:
        user.full_clean(exclude=["password"])
        user.save(update_fields=list(changes))
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            target=user,
            summary="Account details changed: " + ", ".join(sorted(changes)),
            changes=changes,
            request=request,
        )
    return user_change_role(user=user, role=role, actor=actor, request=request)
