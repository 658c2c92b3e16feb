"""The signed-in user and their roles in one query (issue 13).

Every signed-in request reads its user; most then ask for the user's role
(``User.is_patient_role`` and friends read the role groups). Django's ``ModelBackend`` reads
the user, and the roles came in a second query. This backend reads the user joined to its
groups (one row per group, most users have one) and fills the user's group-name cache
(``User._group_names``) from them. The query is a statement written once
(clinic/prepared.py): every signed-in request runs it.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.db import connections, router

from clinic import prepared
from clinic.models import User

_USER = prepared.Columns(User)


def _user_with_roles_sql(connection: Any) -> str:
    """The user's columns and one group name per row: what
    ``User.objects.filter(pk=…).annotate(group_name=F("groups__name"))`` reads."""
    q = prepared.quoted
    groups = User._meta.get_field("groups")
    users, members, names = User._meta.db_table, groups.m2m_db_table(), groups.related_model._meta.db_table
    return (
        f"SELECT {_USER.select_list(connection, users)}, {q(connection, names, 'name')} "  # noqa: S608 - names from the models, quoted
        f"FROM {q(connection, users)} "
        f"LEFT OUTER JOIN {q(connection, members)} "
        f"ON {q(connection, users, User._meta.pk.column)} = {q(connection, members, groups.m2m_column_name())} "
        f"LEFT OUTER JOIN {q(connection, names)} "
        f"ON {q(connection, members, groups.m2m_reverse_name())} = {q(connection, names, 'id')} "
        f"WHERE {q(connection, users, User._meta.pk.column)} = %s"
    )


class UserWithRolesBackend(ModelBackend):
    """``ModelBackend`` whose ``get_user`` (every request's ``request.user``) also reads the
    user's group names in the same query."""

    def get_user(self, user_id: Any) -> User | None:
        connection = connections[router.db_for_read(User)]
        with connection.cursor() as cursor:
            params = [prepared.lookup_value(User, "id", user_id, connection)]
            prepared.execute(cursor, ("user-with-roles", lambda: _user_with_roles_sql(connection), params))
            rows = cursor.fetchall()
        if not rows:
            return None
        user = _USER.instance(connection, rows[0])
        if not self.user_can_authenticate(user):
            return None
        user._group_names_cache = frozenset(row[-1] for row in rows if row[-1] is not None)  # type: ignore[attr-defined]
        return user  # type: ignore[return-value]
