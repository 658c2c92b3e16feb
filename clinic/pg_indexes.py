"""Indexes only PostgreSQL can build, declared so that SQLite still migrates (issue 13).

The name and e-mail searches (the review queue, the admin lists) are ``icontains`` lookups,
which PostgreSQL runs as ``UPPER(column::text) LIKE UPPER('%term%')``: a B-tree cannot serve
a leading wildcard, a trigram GIN index (``pg_trgm``) on the same ``UPPER(column)`` expression
can. SQLite has neither, and its searches keep working as plain scans of a small database.
"""

from __future__ import annotations

from typing import Any

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations
from django.db.models.functions import Upper


def trigram_index(column: str, *, name: str) -> GinIndex:
    """A GIN trigram index on ``UPPER(column)``, the expression ``icontains`` compares."""
    return GinIndex(OpClass(Upper(column), name="gin_trgm_ops"), name=name)


def _on_postgresql(schema_editor: Any) -> bool:
    return bool(schema_editor.connection.vendor == "postgresql")


class AddIndexOnPostgreSQL(migrations.AddIndex):
    """``AddIndex`` that builds the index on PostgreSQL only; the model state has it everywhere."""

    def database_forwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        if _on_postgresql(schema_editor):
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        if _on_postgresql(schema_editor):
            super().database_backwards(app_label, schema_editor, from_state, to_state)


# Creates the pg_trgm extension on PostgreSQL; does nothing on other databases.
CreateTrigramExtension = TrigramExtension
