"""The name and e-mail searches have trigram indexes on PostgreSQL; SQLite migrates without them."""

from __future__ import annotations

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db

TRIGRAM_INDEXES = {"user_name_trgm_idx", "user_email_trgm_idx", "audit_summary_trgm_idx"}


def _index_names() -> set[str]:
    with connection.cursor() as cursor:
        return {
            name
            for table in ("clinic_user", "clinic_auditevent")
            for name in connection.introspection.get_constraints(cursor, table)
        }


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram indexes are PostgreSQL's")
def test_a_name_search_is_served_by_its_trigram_index_on_postgresql():
    assert _index_names() >= TRIGRAM_INDEXES
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN SELECT id FROM clinic_user WHERE UPPER(full_name::text) LIKE UPPER('%ana%')")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "user_name_trgm_idx" in plan


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the SQLite side of the same migration")
def test_sqlite_migrates_without_the_trigram_indexes():
    assert not TRIGRAM_INDEXES & _index_names()
