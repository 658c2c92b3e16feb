"""The one way to write to the audit trail, and the hash chain that proves it was not altered.

Each row's ``row_hash`` is the SHA-256 of the previous row's hash and of this row's own
content (``chain_hash``). Appends take a lock first (a PostgreSQL advisory lock held to the
end of the transaction; SQLite serialises writers by itself), so two requests appending at
once still chain one after the other. ``audit_chain_problems`` walks the chain in id order
and reports the first row whose hash does not match: a row changed, or a row before it
removed, behind the app's back (``manage.py verify_audit``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection, models, transaction
from django.http import HttpRequest
from django.utils import timezone

from clinic.models import AuditAction, AuditEvent, User

# The key of the advisory lock every append takes on PostgreSQL (any fixed 64-bit number).
AUDIT_CHAIN_LOCK = 7_310_031_004
# The hash the first row chains to.
GENESIS_HASH = "0" * 64
# The entry of ``changes`` that names the record a line wrote besides its target (the note,
# decision or screening result of a case): ``{"type": "screening.casenote", "id": 17}``. It is
# part of the hashed content like every change; the case timeline links the line to the
# record by it (``record_key``), never by time.
RECORD_KEY = "record"


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def _canonical_changes(changes: dict[str, Any]) -> Any:
    # As the database will give it back (JSON types only), so that the hash computed now is
    # the hash verify_audit computes later from the stored row.
    return json.loads(json.dumps(changes, default=str))


def chain_hash(previous: str, event: AuditEvent) -> str:
    """The hash of ``event`` chained to ``previous`` (the hash of the row before it)."""
    at = event.at.astimezone(dt.UTC) if timezone.is_aware(event.at) else event.at
    content = {
        "at": at.isoformat(),
        "actor": event.actor_id,
        "action": str(event.action),
        "target_type": event.target_type,
        "target_id": event.target_id,
        "summary": event.summary,
        "changes": _canonical_changes(event.changes or {}),
        "ip_address": event.ip_address or None,
    }
    document = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((previous + "\n" + document).encode()).hexdigest()


def _lock_chain() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [AUDIT_CHAIN_LOCK])


@transaction.atomic(savepoint=False)
def _append(event: AuditEvent) -> AuditEvent:
    _lock_chain()
    last = AuditEvent.objects.order_by("-id").values_list("row_hash", flat=True).first()
    event.at = timezone.now()
    event.changes = _canonical_changes(event.changes or {})
    event.row_hash = chain_hash(last or GENESIS_HASH, event)
    event.save()
    return event


def audit_record(
    *,
    actor: User | None,
    action: AuditAction,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: str = "",
    summary: str = "",
    changes: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
    record: models.Model | None = None,
) -> AuditEvent:
    """Append one audit line. ``changes`` maps a field to ``{"before": …, "after": …}``.

    The line names a record (``target``) or, for reads of lists and sign-in events with no
    account, a kind of record and an opaque label (``target_type``, ``target_id``). ``record``
    is the row the action made, when it is not the target itself (a note added to a case):
    its kind and id are kept under ``changes[RECORD_KEY]``.
    """
    actor_obj = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    if target is not None:
        target_type, target_id = target._meta.label_lower, str(target.pk)
    if record is not None:
        changes = {**(changes or {}), RECORD_KEY: {"type": record._meta.label_lower, "id": record.pk}}
    return _append(
        AuditEvent(
            actor=actor_obj,
            action=action,
            target_type=target_type[:40],
            target_id=target_id[:40],
            summary=summary[:300],
            changes=changes or {},
            ip_address=client_ip(request),
        )
    )


def audit_list_read(
    *, actor: User, model: type[models.Model], described: str, request: HttpRequest | None = None
) -> AuditEvent:
    """One line for a read of a list (a queue, a search, an admin list, an export).

    ``described`` says which filters were used, never their values when those could name
    someone (a search term is written as "search", not as what was typed).
    """
    return audit_record(
        actor=actor,
        action=AuditAction.LIST,
        target_type=model._meta.label_lower,
        target_id="list",
        summary=described,
        request=request,
    )


def describe_list_read(what: str, filters: dict[str, Any], *, searching: bool, page: int | str = 1) -> str:
    """``what`` with its filters and page, and whether a search was applied (never its terms).

    ``filters`` must hold values that name no one (outcome levels, statuses, dates of
    arrival, staff ids); callers with free-form filters pass their names only.
    """
    used = [f"{name}={value}" for name, value in filters.items() if value not in ("", None, [])]
    parts = [what, "filters: " + (", ".join(used) if used else "none"), f"page {page}"]
    if searching:
        parts.append("search by name, e-mail or birth date (terms not recorded)")
    return "; ".join(parts)


def record_key(event: AuditEvent) -> tuple[str, str] | None:
    """The kind and id of the record the line wrote (``audit_record(record=…)``), else None."""
    reference = (event.changes or {}).get(RECORD_KEY)
    if not isinstance(reference, dict) or not reference.get("type") or reference.get("id") is None:
        return None
    return str(reference["type"]), str(reference["id"])


def key_of(record: models.Model) -> tuple[str, str]:
    """What ``record_key`` gives for a line that wrote ``record``."""
    return record._meta.label_lower, str(record.pk)


def audit_trail_for(target: models.Model) -> models.QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(target_type=target._meta.label_lower, target_id=str(target.pk)).select_related(
        "actor"
    )


@dataclass(frozen=True)
class ChainProblem:
    event_id: int
    message: str


def audit_chain_problems() -> Iterator[ChainProblem]:
    """Every row whose stored hash is not the hash of its content chained to the row before."""
    previous = GENESIS_HASH
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        expected = chain_hash(previous, event)
        if event.row_hash != expected:
            yield ChainProblem(
                event_id=event.pk,
                message=(
                    f"audit row {event.pk} does not match its hash: it was altered, or the row before it was removed"
                ),
            )
        # Continue from the stored hash: one altered row is reported once, not every row after it.
        previous = event.row_hash
