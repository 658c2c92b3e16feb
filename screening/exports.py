"""CSV export of intakes with their latest outcome, for the back office.

Every cell goes through ``csv_cell``: a value that a spreadsheet would run as a formula
(one starting with ``=``, ``+``, ``-``, ``@``, a tab or a line break) is prefixed with a
single quote so that it is shown as text (OWASP, "CSV Injection"). Quoting of commas,
quotes and line breaks is left to the csv module, with every cell quoted.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Iterator, Sequence

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from intake.models import Intake
from screening.models import Decision, ScreeningResult

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")

# (CSV header, the value read for it): the export reads only these columns, as tuples.
COLUMNS: Sequence[tuple[str, str]] = (
    ("intake_id", "id"),
    ("patient_name", "patient__user__full_name"),
    ("patient_email", "patient__user__email"),
    ("date_of_birth", "date_of_birth"),
    ("status", "status"),
    ("submitted_at", "submitted_at"),
    ("assessment_date", "assessment_date"),
    ("latest_outcome", "export_overall"),
    ("ruleset", "export_ruleset"),
    ("screened_at", "export_screened_at"),
    ("latest_decision", "export_decision"),
    ("decided_at", "export_decided_at"),
)
# Rows per chunk sent to the client, and per fetch from the database's cursor.
ROWS_PER_CHUNK = 500
ROWS_PER_FETCH = 2000


def csv_cell(value: object) -> str:
    """One cell as text that no spreadsheet will evaluate."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        text = timezone.localtime(value).replace(microsecond=0).isoformat()
    elif isinstance(value, dt.date):
        text = value.isoformat()
    else:
        text = str(value)
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def intakes_for_export(intake_ids: QuerySet[Intake] | Iterable[int]) -> QuerySet[Intake]:
    """The intakes with the newest screening result and decision of each, in one query.

    ``intake_ids`` may be a queryset of ids (``.values("pk")``), used as a subquery so that
    exporting thousands of rows does not put thousands of parameters into the SQL.
    """
    ids = intake_ids if isinstance(intake_ids, QuerySet) else list(intake_ids)
    newest_result = ScreeningResult.objects.filter(intake=OuterRef("pk")).order_by("-created_at", "-id")
    newest_decision = Decision.objects.filter(case__intake=OuterRef("pk")).order_by("-decided_at", "-id")
    return (
        Intake.objects.filter(pk__in=ids)
        .annotate(
            export_overall=Subquery(newest_result.values("overall")[:1]),
            export_ruleset=Subquery(newest_result.values("ruleset")[:1]),
            export_screened_at=Subquery(newest_result.values("created_at")[:1]),
            export_decision=Subquery(newest_decision.values("outcome")[:1]),
            export_decided_at=Subquery(newest_decision.values("decided_at")[:1]),
        )
        .order_by("pk")
    )


class _Line:
    """A file-like object whose ``write`` hands back what the csv writer wrote."""

    def write(self, text: str) -> str:
        return text


def intakes_csv_chunks(intakes: QuerySet[Intake]) -> Iterator[str]:
    """The CSV (a byte-order mark, the header, one row per intake) in chunks of text.

    Only the exported columns are read, as tuples, through a database cursor: memory holds one
    fetch and one chunk whatever the number of intakes (issue 13).
    """
    writer = csv.writer(_Line(), quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    # A byte-order mark lets spreadsheet programs read the names as UTF-8.
    yield "\ufeff" + writer.writerow([header for header, _ in COLUMNS])
    rows = intakes.values_list(*(path for _, path in COLUMNS)).iterator(chunk_size=ROWS_PER_FETCH)
    chunk: list[str] = []
    for row in rows:
        chunk.append(writer.writerow([csv_cell(value) for value in row]))
        if len(chunk) >= ROWS_PER_CHUNK:
            yield "".join(chunk)
            chunk = []
    if chunk:
        yield "".join(chunk)
