"""Sessions in the database, their idle limit renewed at most once a minute (issue 13).

The idle limit (``SESSION_COOKIE_AGE``, 30 minutes) slides: a signed-in request renews the
session row's expiry. Renewing it on every request cost every page an extra transaction
(``BEGIN; UPDATE django_session; COMMIT``, a disk flush); a step POST paid it after its own.
Here the row is rewritten only when something in the session changed or when its expiry
is more than ``SESSION_RENEW_SECONDS`` (60; a thirtieth of a shorter limit) older than a
fresh one would be. The idle limit therefore ends between 29 and 30 minutes after the last
request, and the pages that count it down (the idle warning of the intake steps) are given
the row's real expiry (:func:`idle_seconds_left`), never the setting.

The rows are ``clinic.models.Session``: Django's, plus the session's user, so that a request
reads its session, its user and the user's role groups in one query (issue 13: one round
trip less on every signed-in request; the user is still the one in the session's signed data,
checked by Django, see ``clinic.backends``). Sessions of the former table
(``django_session``) are not carried over: after the upgrade everyone signs in again.

``SESSION_ENGINE = "clinic.sessions"`` (this module's ``SessionStore``) and
``clinic.sessions.SessionMiddleware`` in place of Django's; ``SESSION_SAVE_EVERY_REQUEST``
is off, since the middleware decides when a renewal is due.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache
from typing import Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends import db
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.core.exceptions import ValidationError
from django.db import connections, router
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from clinic import backends, prepared

_SESSION_READS = ["session_key", "session_data", "expire_date", "user"]


@cache
def _session_columns() -> prepared.Columns:
    from clinic.models import Session

    return prepared.Columns(Session, _SESSION_READS)


def _session_with_user_sql(connection: Any) -> str:
    """The unexpired session row, joined to its user and their role groups (one row per group)."""
    from clinic.models import Session, User

    q = prepared.quoted
    sessions, users = Session._meta.db_table, User._meta.db_table
    return (
        f"SELECT {_session_columns().select_list(connection, sessions)}, "  # noqa: S608 - names from the models
        f"{backends.user_with_roles_columns(connection)} FROM {q(connection, sessions)} "
        f"LEFT OUTER JOIN {q(connection, users)} "
        f"ON {q(connection, sessions, Session._meta.get_field('user').column)} "
        f"= {q(connection, users, User._meta.pk.column)} {backends.user_with_roles_joins(connection)} "
        f"WHERE {q(connection, sessions, 'session_key')} = %s AND {q(connection, sessions, 'expire_date')} > %s"
    )


def _user_id(data: dict[str, Any]) -> Any:
    """The signed-in user's id in a session's data, as the user table's key (None: nobody)."""
    from clinic.models import User

    try:
        return User._meta.pk.to_python(data.get(SESSION_KEY))
    except ValidationError:
        return None


class SessionStore(db.SessionStore):
    """Django's database session (``clinic.models.Session``, which also keeps the session's
    user), read with its user in one query and remembering the expiry of the row it read or
    wrote."""

    #: The stored row's expiry, once the session was read (None: no row, or not read yet).
    stored_expiry: datetime | None = None

    @classmethod
    def get_model_class(cls) -> type[Any]:
        from clinic.models import Session

        return Session

    def create_model_instance(self, data: dict[str, Any]) -> Any:
        session = super().create_model_instance(data)
        session.user_id = _user_id(data)
        return session

    def _get_session_from_db(self):  # type: ignore[no-untyped-def]
        """Django's read of the unexpired row (``objects.get(session_key=…, expire_date__gt=now)``),
        joined to the session's user and their role groups, as a statement written once
        (clinic/prepared.py): every signed-in request runs it. The user's rows are handed to
        this request's ``get_user`` (clinic/backends.py), which then needs no query of its own."""
        model = self.model
        connection = connections[router.db_for_read(model)]
        params = [
            prepared.lookup_value(model, "session_key", self.session_key, connection),
            prepared.lookup_value(model, "expire_date", timezone.now(), connection),
        ]
        with connection.cursor() as cursor:
            prepared.execute(cursor, ("session-with-user", lambda: _session_with_user_sql(connection), params))
            found = cursor.fetchall()
        if not found:
            self._session_key = None
            self.stored_expiry = None
            return None
        columns = _session_columns()
        row = columns.instance(connection, found[0])
        backends.read_ahead(row.user_id, [line[len(columns) :] for line in found])
        self.stored_expiry = row.expire_date
        return row

    def save(self, must_create: bool = False) -> None:
        super().save(must_create=must_create)
        self.stored_expiry = self.get_expiry_date()

    def renewal_due(self, now: datetime | None = None) -> bool:
        """Whether this request should write the row again to slide the idle limit: only
        for a session that was read and exists, once its expiry is a minute old."""
        if self.stored_expiry is None:
            return False
        age = self.get_expiry_age()
        fresh = (now or timezone.now()) + timedelta(seconds=age)
        return fresh - self.stored_expiry >= timedelta(seconds=renewal_interval(age))


def renewal_interval(idle_seconds: int) -> int:
    """How old a session's expiry may get before a request rewrites it: a minute
    (``SESSION_RENEW_SECONDS``), or a thirtieth of a shorter idle limit (a 6-second limit is
    renewed by every request), so that the limit always slides."""
    return min(settings.SESSION_RENEW_SECONDS, idle_seconds // 30)


class SessionMiddleware(DjangoSessionMiddleware):
    """Django's session middleware; a session whose idle limit is due for renewal is saved
    as if it had changed (which also re-sends its cookie). A request starts with no user rows
    read ahead (clinic/backends.py): only its own session's read brings them."""

    def process_request(self, request: HttpRequest) -> None:
        backends.read_ahead(None, [])
        super().process_request(request)

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        session = getattr(request, "session", None)
        if isinstance(session, SessionStore) and session.accessed and not session.modified and session.renewal_due():
            session.modified = True
        return super().process_response(request, response)


def idle_seconds_left(request: HttpRequest) -> int:
    """Seconds until this request's session ends for idleness, as its row says (after this
    request's renewal, if one is due): what a page's idle warning counts down from."""
    session = request.session
    age = int(session.get_expiry_age())
    if not isinstance(session, SessionStore) or session.stored_expiry is None or session.renewal_due():
        return age
    return max(0, min(age, int((session.stored_expiry - timezone.now()).total_seconds())))


def renew_now(request: HttpRequest) -> None:
    """Renew the idle limit with this response whatever its age ("Stay signed in")."""
    request.session.modified = True
