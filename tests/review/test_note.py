"""Adding a note to a case."""

from __future__ import annotations

from http import HTTPStatus

import pytest

from clinic.models import AuditAction, AuditEvent
from screening.models import CaseNote, CaseStatus
from tests.review.conftest import act

pytestmark = pytest.mark.django_db


def test_it_adds_the_note(clinician_client, clinician, case):
    response = act(clinician_client, case, "note", text="  Asked the GP for the latest ECG.  ")
    assert response.status_code == HTTPStatus.FOUND
    note = CaseNote.objects.get(case=case)
    assert (note.author, note.text) == (clinician, "Asked the GP for the latest ECG.")
    page = clinician_client.get(response.url).content.decode()
    assert "Asked the GP for the latest ECG." in page


def test_it_writes_the_note_to_the_trail(clinician_client, case):
    act(clinician_client, case, "note", text="Left a voicemail.")
    event = AuditEvent.objects.get(action=AuditAction.NOTE)
    assert event.changes["note"] == {"before": None, "after": "Left a voicemail."}
    assert "voicemail" not in event.summary


def test_an_empty_note_is_refused_beside_the_field(clinician_client, case):
    response = act(clinician_client, case, "note", text="   ")
    assert response.status_code == HTTPStatus.OK
    assert "text" in response.context["forms"]["note"].errors
    assert not CaseNote.objects.exists()


def test_a_note_too_long_is_refused_and_kept(clinician_client, case):
    text = "x" * 4001
    response = act(clinician_client, case, "note", text=text)
    assert "text" in response.context["forms"]["note"].errors
    assert text in response.content.decode()


def test_a_decided_case_still_takes_notes(clinician_client, patient):
    from tests.factories import make_case

    decided = make_case(user=patient, status=CaseStatus.DECIDED)
    assert act(clinician_client, decided, "note", text="Patient called back.").status_code == HTTPStatus.FOUND
