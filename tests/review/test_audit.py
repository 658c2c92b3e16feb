"""The audit trail of the review: who viewed which case and when, who changed what with the
before and after; append-only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from clinic.models import AuditAction, AuditEvent
from tests.review.conftest import act

pytestmark = pytest.mark.django_db


def test_a_view_records_who_which_case_when_and_from_where(clinician_client, clinician, case):
    clinician_client.get(reverse("review:case", args=[case.pk]), REMOTE_ADDR="203.0.113.7")
    event = AuditEvent.objects.get(action=AuditAction.VIEW)
    assert (event.actor, event.target_type, event.target_id) == (clinician, "screening.case", str(case.pk))
    assert event.ip_address == "203.0.113.7"
    assert event.at is not None


def test_the_queue_writes_no_view_line(clinician_client, case):
    clinician_client.get(reverse("review:queue"))
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW).exists()


def test_a_refused_action_writes_no_change(clinician_client, case):
    act(clinician_client, case, "note", text="   ")
    assert not AuditEvent.objects.filter(action=AuditAction.NOTE).exists()


def test_each_action_appears_in_the_case_timeline_with_its_before_and_after(clinician_client, clinician, case):
    act(clinician_client, case, "assign", assignee=clinician.pk)
    response = clinician_client.get(reverse("review:case", args=[case.pk]))
    entry = next(entry for entry in response.context["timeline"] if entry.kind == AuditAction.ASSIGN)
    assert ("Assigned to", "—", "carol@example.org") in entry.changes
    assert ("Status", "New", "In review") in entry.changes
    assert "carol@example.org" in response.content.decode().split('id="timeline"', 1)[1]


def test_an_audit_record_cannot_be_changed_or_deleted(clinician_client, case):
    clinician_client.get(reverse("review:case", args=[case.pk]))
    event = AuditEvent.objects.get(action=AuditAction.VIEW)
    event.summary = "rewritten"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(summary="rewritten")
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).summary == "Case page viewed"
