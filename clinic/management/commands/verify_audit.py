"""Walk the audit trail's hash chain; exit non-zero naming the first row that was altered."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from clinic.audit import audit_chain_problems
from clinic.models import AuditEvent


class Command(BaseCommand):
    help = "Check that no audit row was changed or removed since it was written (hash chain)."

    def handle(self, *args: Any, **options: Any) -> None:
        first = next(audit_chain_problems(), None)
        if first is not None:
            raise CommandError(first.message)
        self.stdout.write(self.style.SUCCESS(f"Audit trail intact: {AuditEvent.objects.count()} rows, chain verified."))
