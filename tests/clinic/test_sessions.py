"""The idle limit slides, but the session row is rewritten at most once a minute (issue 13);
the signed-in user is read with their roles in one query."""

from __future__ import annotations

from datetime import timedelta
from http import HTTPStatus

import time_machine
from django.conf import settings
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from clinic.backends import UserWithRolesBackend
from clinic.models import Role, Session
from intake.services import intake_start, patient_get_or_create
from tests.factories import UserFactory

HOME = reverse("intake:home")


def _row(client) -> Session:
    return Session.objects.get(session_key=client.session.session_key)


def test_a_request_within_a_minute_of_the_renewal_leaves_the_session_row_alone(patient_client):
    patient_client.get(HOME)
    before = _row(patient_client).expire_date
    with time_machine.travel(timezone.now() + timedelta(seconds=settings.SESSION_RENEW_SECONDS - 5)):
        patient_client.get(HOME)
    assert _row(patient_client).expire_date == before


def test_a_request_once_the_expiry_is_a_minute_old_renews_it(patient_client):
    patient_client.get(HOME)
    later = timezone.now() + timedelta(seconds=settings.SESSION_RENEW_SECONDS + 5)
    with time_machine.travel(later):
        patient_client.get(HOME)
    renewed = _row(patient_client).expire_date
    assert renewed >= later + timedelta(seconds=settings.SESSION_COOKIE_AGE - 1)


def test_the_session_still_ends_within_the_idle_limit_of_the_last_request(client, patient, password):
    client.post(reverse("login"), {"username": patient.email, "password": password})
    start = timezone.now()
    # A request half a minute after sign-in does not renew; 30 minutes after sign-in it is over.
    with time_machine.travel(start + timedelta(seconds=30)):
        assert not client.get(HOME).get("Location", "").startswith(reverse("login"))
    with time_machine.travel(start + timedelta(seconds=settings.SESSION_COOKIE_AGE + 1)):
        response = client.get(HOME)
    assert response.status_code == HTTPStatus.FOUND
    assert response.url.startswith(reverse("login"))


def test_stay_signed_in_renews_at_once_whatever_the_expiry_age(patient_client):
    patient_client.get(HOME)
    later = timezone.now() + timedelta(seconds=10)
    with time_machine.travel(later):
        response = patient_client.post(reverse("intake:stay_signed_in"))
    assert response.status_code == HTTPStatus.OK
    assert _row(patient_client).expire_date >= later + timedelta(seconds=settings.SESSION_COOKIE_AGE - 1)


def test_the_idle_warning_counts_down_from_the_session_rows_expiry(patient, patient_client):
    intake = intake_start(patient=patient_get_or_create(user=patient))
    page = reverse("intake:step", args=[intake.pk, "about"])
    patient_client.get(page)
    Session.objects.filter(session_key=patient_client.session.session_key).update(
        expire_date=timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE - 40)
    )
    body = patient_client.get(page).content.decode()
    seconds = int(body.split('data-session-seconds="', 1)[1].split('"', 1)[0])
    assert settings.SESSION_COOKIE_AGE - 45 <= seconds <= settings.SESSION_COOKIE_AGE - 40


def test_the_user_and_their_roles_are_one_query(patient, django_assert_num_queries):
    with django_assert_num_queries(1):
        user = UserWithRolesBackend().get_user(patient.pk)
        assert user is not None
        assert user.is_patient_role
        assert not user.is_clinician_role
        assert user.role == Role.PATIENT


def test_a_user_in_two_role_groups_has_both(db, django_assert_num_queries):
    both = UserFactory(email="both@example.org", role=Role.PATIENT)
    both.groups.add(Group.objects.get(name=Role.CLINICIAN))
    with django_assert_num_queries(1):
        user = UserWithRolesBackend().get_user(both.pk)
        assert user.is_clinician_role
        assert not user.is_patient_role  # staff are never patients, as before


def test_a_role_taken_away_counts_from_the_next_request(clinician, clinician_client):
    assert clinician_client.get(reverse("review:queue")).status_code == HTTPStatus.OK
    clinician.groups.clear()
    assert clinician_client.get(reverse("review:queue")).status_code == HTTPStatus.NOT_FOUND


def test_an_inactive_or_missing_user_is_nobody(patient):
    patient.is_active = False
    patient.save()
    assert UserWithRolesBackend().get_user(patient.pk) is None
    assert UserWithRolesBackend().get_user(999_999) is None


def test_a_short_idle_limit_still_slides_with_every_request(patient_client, settings):
    settings.SESSION_COOKIE_AGE = 20  # a thirtieth rounds down: every request renews it
    patient_client.get(HOME)
    start = timezone.now()
    for seconds in (15, 30, 45):
        with time_machine.travel(start + timedelta(seconds=seconds)):
            assert not patient_client.get(HOME).get("Location", "").startswith(reverse("login"))


# --- The session, its user and their roles in one query ------------------------------------


def _queries_of(client, path: str) -> list[str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        client.get(path)
    return [query["sql"] for query in queries.captured_queries]


def test_a_signed_in_request_reads_its_session_user_and_roles_in_one_query(patient_client, patient, settings):
    settings.CLINIC_PREPARED_STATEMENTS = False  # the statements logged as written
    patient_client.get(HOME)
    queries = _queries_of(patient_client, HOME)
    sessions = [sql for sql in queries if 'FROM "clinic_session"' in sql]
    assert len(sessions) == 1
    assert 'LEFT OUTER JOIN "clinic_user"' in sessions[0] and '"auth_group"."name"' in sessions[0]
    assert not [sql for sql in queries if 'FROM "clinic_user"' in sql]  # no second read of the user


def test_the_session_row_names_its_user_until_sign_out(client, patient, password):
    client.post(reverse("login"), {"username": patient.email, "password": password})
    key = client.session.session_key
    assert Session.objects.get(session_key=key).user_id == patient.pk
    client.post(reverse("logout"))
    assert not Session.objects.filter(session_key=key).exists()


def test_a_session_row_naming_another_user_is_not_trusted(patient_client, patient, clinician, settings):
    """The user a request acts as is the one in the session's signed data; a row whose user
    column says otherwise only costs the user query it would have saved."""
    settings.CLINIC_PREPARED_STATEMENTS = False
    patient_client.get(HOME)
    Session.objects.filter(session_key=patient_client.session.session_key).update(user=clinician)
    assert patient_client.get(reverse("review:queue")).status_code == HTTPStatus.NOT_FOUND
    queries = _queries_of(patient_client, HOME)
    assert len([sql for sql in queries if 'FROM "clinic_user"' in sql]) == 1


def test_user_rows_read_ahead_never_outlive_their_request(patient_client, patient):
    """Rows left from another request (here: the patient's, with a clinician's role) are
    dropped when a request starts: only its own session read brings them."""
    from clinic import backends

    patient_client.get(HOME)
    user = UserWithRolesBackend().get_user(patient.pk)
    values = [getattr(user, field.attname) for field in user._meta.concrete_fields]
    backends.read_ahead(patient.pk, [(*values, Role.CLINICIAN)])
    assert patient_client.get(reverse("review:queue")).status_code == HTTPStatus.NOT_FOUND
    # The same rows handed to get_user directly are taken (that is the shortcut's point).
    backends.read_ahead(patient.pk, [(*values, Role.CLINICIAN)])
    assert UserWithRolesBackend().get_user(patient.pk).is_clinician_role


def test_rows_read_ahead_for_another_user_are_not_taken(patient, clinician, django_assert_num_queries):
    from clinic import backends

    user = UserWithRolesBackend().get_user(clinician.pk)
    backends.read_ahead(clinician.pk, [(*[getattr(user, f.attname) for f in user._meta.concrete_fields], "x")])
    with django_assert_num_queries(1):
        assert UserWithRolesBackend().get_user(patient.pk).is_patient_role



def test_upgrading_deletes_the_sessions_of_djangos_former_table(transactional_db):
    """0010: the former table's sessions (signed-in state nothing reads or expires any more)
    are deleted, never left behind."""
    from datetime import timedelta as _timedelta

    from django.contrib.sessions.models import Session as FormerSession
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate([("clinic", "0009_sessions_with_their_user")])
    tomorrow = timezone.now() + _timedelta(days=1)
    FormerSession.objects.create(session_key="former", session_data="x", expire_date=tomorrow)
    executor = MigrationExecutor(connection)
    executor.migrate([("clinic", "0010_forget_the_former_sessions")])
    assert not FormerSession.objects.exists()
