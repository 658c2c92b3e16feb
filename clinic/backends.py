"""The signed-in user and their roles in one query (issue 13).

Every signed-in request reads its user; most then ask for the user's role
(``User.is_patient_role`` and friends read the role groups). Django's ``ModelBackend`` reads
the user, and the roles came in a second query. This backend reads the user joined to its
groups (one row per group, most users have one) and fills the user's group-name cache
(``User._group_names``) from them.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.db.models import F

from clinic.models import User


class UserWithRolesBackend(ModelBackend):
    """``ModelBackend`` whose ``get_user`` (every request's ``request.user``) also reads the
    user's group names in the same query."""

    def get_user(self, user_id: Any) -> User | None:
        rows = list(User._default_manager.filter(pk=user_id).annotate(group_name=F("groups__name")))
        if not rows or not self.user_can_authenticate(rows[0]):
            return None
        user = rows[0]
        user._group_names_cache = frozenset(row.group_name for row in rows if row.group_name is not None)
        return user
