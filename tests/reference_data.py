"""The rows that data migrations make (role groups, the first consent text).

A transactional test (the browser tests' live server, the PostgreSQL concurrency tests)
flushes every table when it ends, and with it these rows; the tests that follow would then
find no roles. ``ensure_reference_data`` puts them back.
"""

from __future__ import annotations

import importlib

from django.contrib.auth.models import Group, Permission

from clinic.models import Role
from intake.models import ConsentVersion

_consent = importlib.import_module("intake.migrations.0002_initial_consent_text")
_unlock = importlib.import_module("clinic.migrations.0003_admin_role_may_unlock_accounts")


def ensure_reference_data() -> ConsentVersion:
    for role in Role:
        Group.objects.get_or_create(name=role)
    admin = Group.objects.get(name=Role.ADMIN)
    for app_label, codename in _unlock.PERMISSIONS:
        permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
        if permission is not None:
            admin.permissions.add(permission)
    consent = ConsentVersion.objects.filter(version=_consent.VERSION).first()
    if consent is None:
        consent = ConsentVersion.objects.create(
            version=_consent.VERSION,
            title=_consent.TITLE,
            text=_consent.TEXT,
            is_current=not ConsentVersion.objects.filter(is_current=True).exists(),
        )
    return consent
