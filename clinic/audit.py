"""The one way to write to the audit trail."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.http import HttpRequest

from clinic.models import AuditAction, AuditEvent, User


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def audit_record(
    *,
    actor: User | None,
    action: AuditAction,
    target: models.Model,
    summary: str = "",
    changes: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> AuditEvent:
    """Append one audit line. ``changes`` maps a field to ``{"before": …, "after": …}``."""
    actor_obj = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        actor=actor_obj,
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        summary=summary[:300],
        changes=changes or {},
        ip_address=client_ip(request),
    )


def audit_trail_for(target: models.Model) -> models.QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(target_type=target._meta.label_lower, target_id=str(target.pk)).select_related(
        "actor"
    )
