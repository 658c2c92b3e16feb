"""Pages of the clinician queue by keyset (seek), not by OFFSET (issue 13).

An OFFSET page reads and throws away every row before it: page 500 of the queue read 12,500
cases to show 25. A keyset page starts right after the last row of the page before it, in the
queue's own order (``tier``, ``waiting_since``, ``id``: the columns of the queue's indexes), so
every page costs what the first one costs.

The position travels in the address bar as an opaque cursor: signed with the secret key, so a
cursor that was typed, cut or tampered with is refused and the queue shows its first page. It
holds a page number (for "page 7 of 40"), a direction and the order columns of one row: a
tier, a time and a case number, nothing that names a patient.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.core import signing
from django.db.models import BooleanField, DateTimeField, F, Func, QuerySet, Value

from screening.models import Case

CURSOR_SALT = "screening.queue.cursor"
CURSOR_MAX_LENGTH = 200
# The column order of the queue (selectors.queue_cases) and of its indexes (Case.Meta.indexes).
QUEUE_ORDER = ("tier", "waiting_since", "id")

Key = tuple[int, dt.datetime, int]


@dataclass(frozen=True)
class Cursor:
    """Where a page starts: just after ``key`` (or, going back, just before it)."""

    number: int
    key: Key
    before: bool = False

    def encode(self) -> str:
        tier, since, pk = self.key
        payload = [self.number, int(self.before), tier, since.isoformat(), pk]
        return signing.dumps(payload, salt=CURSOR_SALT)

    @classmethod
    def decode(cls, token: str) -> Cursor | None:
        """The cursor a token names, or None for anything that is not one of ours."""
        if not token or len(token) > CURSOR_MAX_LENGTH:
            return None
        try:
            number, before, tier, since, pk = signing.loads(token, salt=CURSOR_SALT)
            moment = dt.datetime.fromisoformat(since)
        except (signing.BadSignature, ValueError, TypeError):
            return None
        whole = all(type(value) is int for value in (number, before, tier, pk))
        if not whole or number < 2 or moment.tzinfo is None:
            return None
        return cls(number=number, key=(tier, moment, pk), before=bool(before))


def key_of(case: Case) -> Key:
    return (case.tier, case.waiting_since, case.pk)


def _row(*expressions: F | Value) -> Func:
    return Func(*expressions, template="(%(expressions)s)", output_field=BooleanField())


def seek(key: Key, *, before: bool) -> Func:
    """``(tier, waiting_since, id) > key`` (``<`` going back): one row-value comparison, which
    PostgreSQL reads as an index condition of the queue's index (an ``OR`` of column
    comparisons would instead be a filter applied to every row from the start of a tier)."""
    tier, since, pk = key
    return Func(
        _row(*(F(name) for name in QUEUE_ORDER)),
        _row(Value(tier), Value(since, output_field=DateTimeField()), Value(pk)),
        template="%(expressions)s",
        arg_joiner=" < " if before else " > ",
        output_field=BooleanField(),
    )


@dataclass(frozen=True)
class Total:
    """How many cases a list holds; past ``cap`` only that it holds more than ``cap``."""

    count: int
    capped: bool = False


def capped_total(cases: QuerySet[Case], cap: int) -> Total:
    """The count, stopping at ``cap + 1`` rows: ``SELECT COUNT(*) FROM (… LIMIT cap + 1)``."""
    count = cases.order_by()[: cap + 1].count()
    return Total(min(count, cap), capped=count > cap)


@dataclass
class QueuePage:
    """One page of the queue and the cursors of its neighbours ("" for none)."""

    rows: list[Case]
    number: int
    size: int
    total: Total
    previous_cursor: str = ""
    next_cursor: str = ""
    has_previous: bool = False

    @property
    def has_next(self) -> bool:
        return bool(self.next_cursor)

    @property
    def num_pages(self) -> int | None:
        """None when the total is capped (a broad search): the last page is not known."""
        return None if self.total.capped else max(1, math.ceil(self.total.count / self.size))


def _first(cases: QuerySet[Case], size: int) -> tuple[list[Case], bool]:
    rows = list(cases[: size + 1])
    return rows[:size], len(rows) > size


def queue_page(cases: QuerySet[Case], *, cursor: Cursor | None, size: int, total: Total) -> QueuePage:
    """The page the cursor names of ``cases`` (ordered by ``QUEUE_ORDER``), in one query.

    A page reads ``size + 1`` rows to know whether another follows. When the cases before a
    cursor were decided meanwhile, going back may find less than a page: that is the first
    page, read again from the start (one more query, only then).
    """
    number = 1
    rows: list[Case] = []
    more = False
    if cursor is not None and cursor.before:
        back = list(cases.filter(seek(cursor.key, before=True)).reverse()[: size + 1])
        if len(back) > size:
            rows, number = back[:size][::-1], cursor.number
        elif len(back) == size:
            rows = back[::-1]
        else:
            rows = []
        more = bool(rows)  # the page the cursor came from follows
    elif cursor is not None:
        rows, more = _first(cases.filter(seek(cursor.key, before=False)), size)
        number = cursor.number if rows else 1
    if not rows:
        rows, more = _first(cases, size)
        number = 1
    page = QueuePage(rows=rows, number=number, size=size, total=total)
    # Cases decided since the cursor was made may leave fewer pages than its number.
    page.number = min(number, page.num_pages or number)
    page.has_previous = page.number > 1
    number = page.number
    # Page 1 has no cursor: "Previous" from page 2 is the queue's plain address.
    if rows and number > 2:
        page.previous_cursor = Cursor(number=number - 1, key=key_of(rows[0]), before=True).encode()
    if rows and more:
        page.next_cursor = Cursor(number=number + 1, key=key_of(rows[-1])).encode()
    return page
