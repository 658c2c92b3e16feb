"""Sessions in the database, their idle limit renewed at most once a minute (issue 13).

The idle limit (``SESSION_COOKIE_AGE``, 30 minutes) slides: a signed-in request renews the
session row's expiry. Renewing it on every request cost every page an extra transaction
(``BEGIN; UPDATE django_session; COMMIT``, a disk flush); a step POST paid it after its own.
Here the row is rewritten only when something in the session changed or when its expiry
is more than ``SESSION_RENEW_SECONDS`` (60; a thirtieth of a shorter limit) older than a
fresh one would be. The idle limit therefore ends between 29 and 30 minutes after the last
request, and the pages that count it down (the idle warning of the intake steps) are given
the row's real expiry (:func:`idle_seconds_left`), never the setting.

``SESSION_ENGINE = "clinic.sessions"`` (this module's ``SessionStore``) and
``clinic.sessions.SessionMiddleware`` in place of Django's; ``SESSION_SAVE_EVERY_REQUEST``
is off, since the middleware decides when a renewal is due.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache

from django.conf import settings
from django.contrib.sessions.backends import db
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.db import connections, router
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from clinic import prepared


@cache
def _session_columns() -> prepared.Columns:
    from django.contrib.sessions.models import Session

    return prepared.Columns(Session, ["session_key", "session_data", "expire_date"])


class SessionStore(db.SessionStore):
    """Django's database session, remembering the expiry of the row it read or wrote."""

    #: The stored row's expiry, once the session was read (None: no row, or not read yet).
    stored_expiry: datetime | None = None

    def _get_session_from_db(self):  # type: ignore[no-untyped-def]
        """Django's read of the unexpired row (``objects.get(session_key=…, expire_date__gt=now)``),
        as a statement written once (clinic/prepared.py): every signed-in request runs it."""
        model = self.model
        connection = connections[router.db_for_read(model)]
        columns = _session_columns()

        def write() -> str:
            table = model._meta.db_table
            return (
                f"SELECT {columns.select_list(connection, table)} FROM {prepared.quoted(connection, table)} "  # noqa: S608
                f"WHERE {prepared.quoted(connection, table, 'session_key')} = %s "
                f"AND {prepared.quoted(connection, table, 'expire_date')} > %s"
            )

        params = [
            prepared.lookup_value(model, "session_key", self.session_key, connection),
            prepared.lookup_value(model, "expire_date", timezone.now(), connection),
        ]
        with connection.cursor() as cursor:
            prepared.execute(cursor, ("session", write, params))
            found = cursor.fetchone()
        if found is None:
            self._session_key = None
            self.stored_expiry = None
            return None
        row = columns.instance(connection, found)
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
    as if it had changed (which also re-sends its cookie)."""

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
