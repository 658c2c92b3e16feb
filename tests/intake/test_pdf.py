"""The patient's own PDF copy of a sent intake: their answers, the clinic's contact details,
no screening flags; only for the patient who owns the intake, audited, never cached."""

from __future__ import annotations

import io
from http import HTTPStatus

import pytest
from django.urls import reverse
from pypdf import PdfReader

from clinic.models import AuditAction, AuditEvent
from intake.models import Intake
from screening.models import ScreeningResult, ScreeningTrigger
from screening.selectors import answers_by_section
from screening.services import screening_run
from tests.factories import PatientFactory, SubmittedIntakeFactory
from tests.review.test_case_exports import pdf_text, words


def pdf_url(intake: Intake) -> str:
    return reverse("intake:pdf", args=[intake.pk])


@pytest.fixture
def sent(patient) -> Intake:
    """Alice's sent intake, screened (BP-07 and the INFO flags of a calm intake)."""
    intake = SubmittedIntakeFactory(patient=PatientFactory(user=patient))
    screening_run(intake=intake, trigger=ScreeningTrigger.SUBMIT)
    return intake


@pytest.fixture
def clinic_contact(settings):
    settings.CLINIC_NAME = "Riverside Ketamine Clinic"
    settings.CLINIC_PHONE = "+1 555 010 0199"


def test_the_patient_downloads_their_answers_with_the_clinics_contact(patient_client, sent, clinic_contact):
    response = patient_client.get(pdf_url(sent))

    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    text = pdf_text(response.content)
    for section in answers_by_section(sent):
        for answer in section["answers"]:
            assert words(answer["label"]) in text
            for value in answer["rows"] or [answer["value"]]:
                assert words(value) in text, (answer["label"], value)
    assert "Riverside Ketamine Clinic" in text
    assert "Phone: +1 555 010 0199" in text
    assert "988" in text


def test_the_patients_copy_shows_no_flag_and_no_outcome(patient_client, sent):
    text = pdf_text(patient_client.get(pdf_url(sent)).content)

    result = ScreeningResult.objects.get(intake=sent).result
    assert result["flags"]
    for flag in result["flags"]:
        assert flag["rule"] not in text
        assert words(flag["message"]) not in text
    assert "No automated flags" not in text
    assert "Incomplete" not in text


def test_the_patients_copy_has_a_title(patient_client, sent):
    reader = PdfReader(io.BytesIO(patient_client.get(pdf_url(sent)).content))
    assert reader.metadata.title == "Your intake answers — Alice Patient"


def test_downloading_the_copy_is_audited(patient, patient_client, sent):
    patient_client.get(pdf_url(sent))

    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert (event.actor, event.target_type, event.target_id) == (patient, "intake.intake", str(sent.pk))
    assert event.summary == "Patient PDF exported"


def test_another_patients_intake_is_a_404(patient_client, other_patient):
    bobs = SubmittedIntakeFactory(patient=PatientFactory(user=other_patient))
    assert patient_client.get(pdf_url(bobs)).status_code == HTTPStatus.NOT_FOUND
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_staff_get_a_404_on_the_patients_copy(clinician_client, sent):
    assert clinician_client.get(pdf_url(sent)).status_code == HTTPStatus.NOT_FOUND


def test_the_copy_requires_login(client, sent):
    response = client.get(pdf_url(sent))
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith(reverse("login"))


def test_a_draft_has_no_copy_yet_and_goes_to_the_review_page(patient_client, intake):
    response = patient_client.get(pdf_url(intake))
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse("intake:review", args=[intake.pk])


def test_a_name_in_any_latin_greek_or_cyrillic_letters_prints_and_others_show_as_a_mark(patient, patient_client):
    patient.full_name = "Zoë Ünal Σοφία Иванова 山田"
    patient.save()
    intake = SubmittedIntakeFactory(patient=PatientFactory(user=patient))

    text = pdf_text(patient_client.get(pdf_url(intake)).content)

    # FiraGO has no CJK glyphs: those letters become "?", never silently vanish.
    assert "Zoë Ünal Σοφία Иванова ??" in text
