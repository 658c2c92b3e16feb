from __future__ import annotations

from django.contrib.auth.models import Group
from django.db import transaction

from clinic.models import Role, User


@transaction.atomic
def user_register_patient(*, email: str, full_name: str, password: str) -> User:
    """Create a patient account (the patient role, no staff rights)."""
    user = User(email=email, full_name=full_name)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    user.groups.add(Group.objects.get(name=Role.PATIENT))
    return user


@transaction.atomic
def user_set_role(*, user: User, role: Role) -> User:
    """Give a user exactly one role; only admins may use the Django admin."""
    user.groups.set([Group.objects.get(name=role)])
    user.is_staff = role == Role.ADMIN or user.is_superuser
    user.save(update_fields=["is_staff"])
    if hasattr(user, "_group_names_cache"):
        del user._group_names_cache
    return user
