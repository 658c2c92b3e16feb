"""Statements written once and run many times: the few every step POST runs (issue 13).

The ORM builds each query's SQL anew from its queryset, every time it runs. For the five
statements of an intake step's POST (its session, its user and roles, the intake read under
its row lock, the draft upsert, the step's UPDATE) that building was most of the request's
time: a step POST ran at 23% of a bare one-row insert, measured by ``make bench``.

Here a statement's text is written once per database vendor from the models' own metadata
(tables, columns, the backend's quoting, its ``FOR UPDATE`` and ``ON CONFLICT`` clauses) and
kept; each run only prepares its values the way the ORM does (``Field.pre_save`` and
``get_db_prep_save``, ``get_db_prep_value`` for the lookups) and turns rows into model
instances with the ORM's converters (the backend's and the fields'; columns not read are
deferred, as with ``only()``, see ``Columns.instance``). The tests pin every statement to its
ORM twin (same rows, same instances, same values stored) on SQLite and PostgreSQL:
``tests/clinic/test_prepared.py``, ``tests/intake/test_step_sql.py``.

Nothing else should use this: a page's queries stay ORM querysets.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.conf import settings
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.base import ModelState
from django.db.models.constants import OnConflict

_STATEMENTS: dict[tuple[str, str, object], str] = {}


def statement(connection: BaseDatabaseWrapper, key: object, write: Callable[[], str]) -> str:
    """The text of statement ``key`` for this connection's database, written on first use."""
    cache_key = (connection.vendor, connection.alias, key)
    text = _STATEMENTS.get(cache_key)
    if text is None:
        text = _STATEMENTS[cache_key] = write()
    return text


class _ServerSide:
    """The statements prepared in one PostgreSQL session (one raw connection): their names."""

    def __init__(self, raw: Any) -> None:
        self.raw = raw
        self.names: dict[object, str] = {}
        self.made = 0

    def new_name(self, key: object) -> str:
        self.made += 1
        self.names[key] = name = f"clinic_prepared_{self.made}"
        return name


def _server_side(connection: BaseDatabaseWrapper) -> _ServerSide:
    state = getattr(connection, "_clinic_prepared", None)
    if state is None or state.raw is not connection.connection:  # a new database session
        state = _ServerSide(connection.connection)
        connection._clinic_prepared = state  # type: ignore[attr-defined]
    return state


def _numbered(sql: str) -> str:
    """``%s`` placeholders as PostgreSQL's ``$1``, ``$2``, … (the names hold no ``%``)."""
    parts = sql.split("%s")
    return "".join(part + (f"${number}" if number < len(parts) else "") for number, part in enumerate(parts, 1))


Statement = tuple[object, Callable[[], str], Sequence[Any]]  # (key, write, params)


def execute(cursor: Any, *statements: Statement) -> None:
    """Run statements, each ``(key, write, params)`` (its text from ``write``, with ``%s``
    placeholders), on a Django cursor; a SELECT's rows (or an UPDATE's ``rowcount``) are the
    last statement's.

    On PostgreSQL the statements go in one round trip, and (unless
    ``CLINIC_PREPARED_STATEMENTS`` is off, as behind a transaction-pooling PgBouncer) each is
    prepared on the server once per database session, so that it is parsed and planned once,
    not on every request: its first run sends ``PREPARE name AS …; EXECUTE name(…)``, the
    next ones ``EXECUTE name(…)``; either way one entry in the query log. A run that fails
    forgets its names (a later run prepares the statements again under new ones, whether or
    not the failed run had prepared them). Elsewhere each statement is executed on its own.
    """
    connection = cursor.db
    if connection.vendor != "postgresql":
        for key, write, params in statements:
            cursor.execute(statement(connection, key, write), params)
        return
    if not settings.CLINIC_PREPARED_STATEMENTS:
        commands = [statement(connection, key, write) for key, write, _ in statements]
        cursor.execute("; ".join(commands), [value for _, _, params in statements for value in params])
        return
    state = _server_side(connection)
    commands = []
    for key, write, params in statements:
        arguments = ", ".join("%s" for _ in params)
        name = state.names.get(key)
        if name is None:
            name = state.new_name(key)
            commands.append(f"PREPARE {name} AS {_numbered(statement(connection, key, write))}")
        commands.append(f"EXECUTE {name}({arguments})")
    try:
        cursor.execute("; ".join(commands), [value for _, _, params in statements for value in params])
    except Exception:
        for key, _, _ in statements:
            state.names.pop(key, None)
        raise


def quoted(connection: BaseDatabaseWrapper, *names: str) -> str:
    """Quoted table and column names, dotted: ``quoted(c, "t", "id")`` is ``"t"."id"``."""
    return ".".join(connection.ops.quote_name(name) for name in names)


def _plain(field: models.Field) -> models.Field:  # type: ignore[type-arg]
    # A field that writes its own placeholder (an expression around ``%s``) would need the
    # ORM's compiler: none of the prepared statements' fields does, and a new one would fail here.
    if hasattr(field, "get_placeholder"):
        raise TypeError(f"{field!r} has its own SQL placeholder: use the ORM for it")
    return field


class Columns:
    """Some concrete columns of one model, in the model's own order: how to select them and
    how to turn a row of them into an instance, as a queryset's ``only()`` would."""

    def __init__(self, model: type[models.Model], names: Iterable[str] | None = None) -> None:
        concrete = model._meta.concrete_fields
        if names is None:
            fields = list(concrete)
        else:
            wanted = {model._meta.get_field(name).attname for name in names} | {model._meta.pk.attname}
            fields = [field for field in concrete if field.attname in wanted]
            unknown = wanted - {field.attname for field in fields}
            if unknown:
                raise ValueError(f"not concrete columns of {model.__name__}: {sorted(unknown)}")
        self.model = model
        self.fields: tuple[models.Field, ...] = tuple(fields)  # type: ignore[type-arg]
        self._attnames = tuple(field.attname for field in fields)
        self.pk_index = next(index for index, field in enumerate(fields) if field.primary_key)
        self._converters: dict[str, list[tuple[int, list[Any], Any]]] = {}

    def __len__(self) -> int:
        return len(self.fields)

    def select_list(self, connection: BaseDatabaseWrapper, alias: str) -> str:
        return ", ".join(quoted(connection, alias, field.column) for field in self.fields)

    def _converters_for(self, connection: BaseDatabaseWrapper) -> list[tuple[int, list[Any], Any]]:
        # The compiler's own rule (SQLCompiler.get_converters): the backend's, then the field's.
        found = self._converters.get(connection.vendor)
        if found is None:
            found = []
            for index, field in enumerate(self.fields):
                column = field.get_col(self.model._meta.db_table)
                converters = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
                if converters:
                    found.append((index, converters, column))
            self._converters[connection.vendor] = found
        return found

    def instance(self, connection: BaseDatabaseWrapper, row: Sequence[Any]) -> models.Model:
        """The instance for the first ``len(self)`` values of ``row`` (the rest are the caller's).

        Made as unpickling makes one (``Model.__new__``, then its attributes), not through
        ``Model.__init__``, which walks every one of the intake's hundred-odd fields to skip
        the deferred ones: the columns not read are deferred all the same (Django defers what
        is not in the instance's ``__dict__``). No ``pre_init``/``post_init`` signal is sent:
        the tests fail if one of these models gains a receiver."""
        values = list(row[: len(self.fields)])
        for index, converters, column in self._converters_for(connection):
            for converter in converters:
                values[index] = converter(values[index], column, connection)
        instance = self.model.__new__(self.model)
        instance.__dict__.update(zip(self._attnames, values, strict=True))
        instance._state = ModelState()
        instance._state.adding = False
        instance._state.db = connection.alias
        return instance


def lookup_value(model: type[models.Model], name: str, value: Any, connection: BaseDatabaseWrapper) -> Any:
    """``value`` as a parameter compared with column ``name`` (what ``filter(name=value)`` sends)."""
    return _plain(model._meta.get_field(name)).get_db_prep_value(value, connection, prepared=False)


def saved_values(
    instance: models.Model, fields: Sequence[models.Field], connection: BaseDatabaseWrapper, *, add: bool  # type: ignore[type-arg]
) -> list[Any]:
    """The parameters ``save()`` would send for ``fields`` of ``instance`` (``auto_now`` set)."""
    return [_plain(field).get_db_prep_save(field.pre_save(instance, add), connection) for field in fields]


def update_sql(connection: BaseDatabaseWrapper, model: type[models.Model], fields: Sequence[models.Field]) -> str:  # type: ignore[type-arg]
    """``UPDATE table SET col = %s, … WHERE pk = %s``, as ``save(update_fields=…)`` writes it."""
    assignments = ", ".join(f"{quoted(connection, field.column)} = %s" for field in fields)
    table = quoted(connection, model._meta.db_table)
    return f"UPDATE {table} SET {assignments} WHERE {quoted(connection, model._meta.pk.column)} = %s"  # noqa: S608


def upsert_sql(
    connection: BaseDatabaseWrapper,
    model: type[models.Model],
    fields: Sequence[models.Field],  # type: ignore[type-arg]
    *,
    unique: Sequence[str],
    update: Sequence[str],
) -> str:
    """One row's ``INSERT … ON CONFLICT (unique) DO UPDATE SET update``, with the backend's
    own conflict clause (what ``bulk_create(update_conflicts=True)`` writes)."""
    opts = model._meta
    columns = ", ".join(quoted(connection, field.column) for field in fields)
    placeholders = ", ".join("%s" for _ in fields)
    conflict = connection.ops.on_conflict_suffix_sql(
        list(fields),
        OnConflict.UPDATE,
        [opts.get_field(name).column for name in update],
        [opts.get_field(name).column for name in unique],
    )
    return f"INSERT INTO {quoted(connection, opts.db_table)} ({columns}) VALUES ({placeholders}) {conflict}"  # noqa: S608
