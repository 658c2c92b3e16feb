"""Keeps each case's copy of its patient's name and e-mail (``Case.patient_search``) in step
with the patient's account (issue 13).

A receiver of the user model's ``post_save``, not a call from the service that edits accounts:
the admin's edits go through ``clinic.accounts.user_update``, but the clinic app may not import
the screening app (``.importlinter``), and a receiver also sees every other save of an account
(``createsuperuser``, a shell, the sign-up). Saves naming only other fields (``last_login``,
``is_active``) are skipped without a query. A bulk ``User.objects.update()`` sends no signal:
nothing in the project changes names or e-mails that way.
"""

from __future__ import annotations

from typing import Any

from clinic.models import User
from screening.models import Case, patient_search_text

SEARCHED_FIELDS = frozenset({"full_name", "email"})


def refresh_patient_search(sender: type[User], instance: User, created: bool, **kwargs: Any) -> None:
    """Rewrite ``patient_search`` on the cases of the saved user's patient record, if any."""
    update_fields = kwargs.get("update_fields")
    if created or (update_fields is not None and not SEARCHED_FIELDS & set(update_fields)):
        return
    text = patient_search_text(full_name=instance.full_name, email=instance.email)
    Case.objects.filter(intake__patient__user=instance).exclude(patient_search=text).update(patient_search=text)
