"""Statements written once (clinic/prepared.py): the same rows and values as their ORM twins,
and on PostgreSQL prepared on the server once per database session (issue 13)."""

from __future__ import annotations

import itertools

import pytest
from django.db import DatabaseError, connection, models, transaction
from django.test.utils import CaptureQueriesContext

from clinic import prepared
from clinic.models import Session, User

_keys = itertools.count()

postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared on PostgreSQL only")


def _new_key() -> tuple[str, int]:
    return ("test", next(_keys))


def _run(key: object, sql: str, params: list) -> tuple[list, list[str]]:
    with CaptureQueriesContext(connection) as queries, connection.cursor() as cursor:
        prepared.execute(cursor, (key, lambda: sql, params))
        rows = cursor.fetchall()
    return rows, [query["sql"] for query in queries.captured_queries]


def test_the_columns_read_make_the_instance_the_orm_makes(patient):
    columns = prepared.Columns(User, ["email", "last_login", "date_joined"])
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns.select_list(connection, 'clinic_user')} FROM clinic_user WHERE id = %s",  # noqa: S608
            [patient.pk],
        )
        user = columns.instance(connection, cursor.fetchone())
    twin = User.objects.only("email", "last_login", "date_joined").get(pk=patient.pk)
    assert (user.pk, user.email, user.date_joined) == (twin.pk, twin.email, twin.date_joined)
    assert user.date_joined.tzinfo is not None  # converted as the ORM does (a string on SQLite)
    assert user.get_deferred_fields() == twin.get_deferred_fields()


def test_an_unknown_column_is_refused():
    with pytest.raises(ValueError, match="not concrete columns"):
        prepared.Columns(User, ["groups"])


def test_a_field_with_its_own_placeholder_is_refused():
    class Placed(models.IntegerField):
        def get_placeholder(self, value, compiler, connection):  # pragma: no cover - never called
            return "%s + 0"

    field = Placed()
    field.set_attributes_from_name("n")
    with pytest.raises(TypeError, match="own SQL placeholder"):
        prepared.saved_values(object(), [field], connection, add=False)


def test_a_session_read_is_the_rows_the_orm_reads(patient_client):
    patient_client.get("/")
    store = patient_client.session
    row = store._get_session_from_db()
    twin = Session.objects.get(session_key=store.session_key)
    assert (row.session_key, row.session_data, row.expire_date, row.user_id) == (
        twin.session_key,
        twin.session_data,
        twin.expire_date,
        twin.user_id,
    )


@postgresql_only
def test_a_statement_is_prepared_once_per_database_session(transactional_db, settings):
    settings.CLINIC_PREPARED_STATEMENTS = True
    key = _new_key()
    first, sent = _run(key, "SELECT %s::int + 1", [1])
    assert first == [(2,)]
    assert len(sent) == 1 and sent[0].startswith("PREPARE clinic_prepared_") and "EXECUTE" in sent[0]
    again, sent = _run(key, "SELECT %s::int + 1", [41])
    assert again == [(42,)]
    assert sent[0].startswith("EXECUTE clinic_prepared_")
    connection.close()  # a new database session prepares it again
    _, sent = _run(key, "SELECT %s::int + 1", [1])
    assert sent[0].startswith("PREPARE")


@postgresql_only
def test_a_run_that_fails_prepares_again_under_a_new_name(db, settings):
    settings.CLINIC_PREPARED_STATEMENTS = True
    key = _new_key()
    with pytest.raises(DatabaseError), transaction.atomic():
        _run(key, "SELECT 1 / %s::int", [0])
    rows, sent = _run(key, "SELECT 1 / %s::int", [1])
    assert rows == [(1,)]
    assert sent[0].startswith("PREPARE")


@postgresql_only
def test_several_statements_are_one_round_trip_and_the_last_ones_rows_are_read(db, settings):
    for switch in (True, False):
        settings.CLINIC_PREPARED_STATEMENTS = switch
        with CaptureQueriesContext(connection) as queries, connection.cursor() as cursor:
            prepared.execute(
                cursor, (_new_key(), lambda: "SELECT %s::int", [1]), (_new_key(), lambda: "SELECT %s::int * 2", [21])
            )
            assert cursor.fetchall() == [(42,)]
        assert len(queries.captured_queries) == 1


@postgresql_only
def test_switched_off_the_statements_are_sent_as_written(db, settings):
    settings.CLINIC_PREPARED_STATEMENTS = False
    rows, sent = _run(_new_key(), "SELECT %s::int + 1", [1])
    assert rows == [(2,)]
    assert sent == ["SELECT 1::int + 1"]
