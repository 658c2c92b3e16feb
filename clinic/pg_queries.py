"""Query shapes that let PostgreSQL's planner see how few rows a subquery returns (issue 13).

``column IN (subquery)`` is planned before the subquery runs, from column statistics: when the
subquery joins through a table whose values PostgreSQL cannot know at plan time (the role
groups' members, looked up by group name), it guesses tens of thousands of rows and scans every
account. ``column = ANY(ARRAY(subquery))`` runs the subquery first, as an init plan, and then
reads the few rows it names through the primary key. Other databases keep the plain ``IN``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Lookup


class AnyOf(Lookup):  # type: ignore[type-arg]
    """``AnyOf(F("pk"), queryset.values("pk"))``: the left side is one of the subquery's values.

    Used directly as a filter expression: ``Model.objects.filter(AnyOf(F("pk"), subquery))``.
    """

    lookup_name = "any_of"
    prepare_rhs = False

    def _sides(self, compiler: Any, connection: Any) -> tuple[str, str, tuple[Any, ...]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        if not rhs.startswith("("):
            rhs = f"({rhs})"
        return lhs, rhs, (*lhs_params, *rhs_params)

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        lhs, rhs, params = self._sides(compiler, connection)
        return f"{lhs} IN {rhs}", params

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        lhs, rhs, params = self._sides(compiler, connection)
        return f"{lhs} = ANY(ARRAY{rhs})", params
