"""The signed-in user and their roles in one query (issue 13).

Every signed-in request reads its user; most then ask for the user's role
(``User.is_patient_role`` and friends read the role groups). Django's ``ModelBackend`` reads
the user, and the roles came in a second query. This backend reads the user joined to its
groups (one row per group, most users have one) and fills the user's group-name cache
(``User._group_names``) from them. The query is a statement written once
(clinic/prepared.py). A request's session read (clinic/sessions.py) brings the same rows
joined to the session row, and ``get_user`` takes them instead of querying again.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextvars import ContextVar
from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.db import connections, router

from clinic import prepared
from clinic.models import User

_USER = prepared.Columns(User)

# Rows of a user and their role groups that this request's session read brought along
# (clinic/sessions.py reads its row joined to them): (user id, rows). Emptied when a request
# starts and when read, so that they never outlive the request that read them.
_READ_AHEAD: ContextVar[tuple[Any, list[Sequence[Any]]] | None] = ContextVar("clinic_user_read_ahead", default=None)


def user_with_roles_columns(connection: Any) -> str:
    """The select list of a user and one of their group names per row (``get_user`` reads
    such rows), from ``user_with_roles_joins``."""
    groups = User._meta.get_field("groups")
    return f"{_USER.select_list(connection, User._meta.db_table)}, " + prepared.quoted(
        connection, groups.related_model._meta.db_table, "name"
    )


def user_with_roles_joins(connection: Any) -> str:
    """The LEFT JOINs from the user table to its group names (one row per group)."""
    q = prepared.quoted
    groups = User._meta.get_field("groups")
    users, members, names = User._meta.db_table, groups.m2m_db_table(), groups.related_model._meta.db_table
    return (
        f"LEFT OUTER JOIN {q(connection, members)} "
        f"ON {q(connection, users, User._meta.pk.column)} = {q(connection, members, groups.m2m_column_name())} "
        f"LEFT OUTER JOIN {q(connection, names)} "
        f"ON {q(connection, members, groups.m2m_reverse_name())} = {q(connection, names, 'id')}"
    )


def _user_with_roles_sql(connection: Any) -> str:
    """The user's columns and one group name per row: what
    ``User.objects.filter(pk=…).annotate(group_name=F("groups__name"))`` reads."""
    q = prepared.quoted
    return (
        f"SELECT {user_with_roles_columns(connection)} FROM {q(connection, User._meta.db_table)} "  # noqa: S608
        f"{user_with_roles_joins(connection)} WHERE {q(connection, User._meta.db_table, User._meta.pk.column)} = %s"
    )


def read_ahead(user_id: Any, rows: list[Sequence[Any]]) -> None:
    """Keep user ``user_id``'s rows (user columns, then a group name) for this request's
    ``get_user``; ``user_id`` None forgets any kept."""
    _READ_AHEAD.set(None if user_id is None else (user_id, rows))


class UserWithRolesBackend(ModelBackend):
    """``ModelBackend`` whose ``get_user`` (every request's ``request.user``) also reads the
    user's group names in the same query, or takes them from the session's read."""

    def get_user(self, user_id: Any) -> User | None:
        connection = connections[router.db_for_read(User)]
        ahead = _READ_AHEAD.get()
        if ahead is not None:
            _READ_AHEAD.set(None)
        if ahead is not None and ahead[0] == user_id:
            rows = ahead[1]
        else:
            with connection.cursor() as cursor:
                params = [prepared.lookup_value(User, "id", user_id, connection)]
                prepared.execute(cursor, ("user-with-roles", lambda: _user_with_roles_sql(connection), params))
                rows = cursor.fetchall()
        if not rows or rows[0][_USER.pk_index] is None:
            return None
        user = _USER.instance(connection, rows[0])
        if not self.user_can_authenticate(user):
            return None
        user._group_names_cache = frozenset(row[-1] for row in rows if row[-1] is not None)  # type: ignore[attr-defined]
        return user  # type: ignore[return-value]
