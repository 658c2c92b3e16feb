"""A clinician's request for more information reaches the patient, who changes only the
reopened sections and sends the intake again; the case is re-screened."""

from http import HTTPStatus

import pytest
from django.urls import reverse

from intake.models import IntakeStatus
from screening.models import CaseStatus, ScreeningResult
from screening.services import case_request_info
from tests.factories import PatientFactory, make_case

pytestmark = pytest.mark.django_db

MESSAGE = "Please tell us the date of your last heart event."


@pytest.fixture
def reopened(patient, clinician):
    case = make_case(user=patient)
    case_request_info(case_id=case.pk, version=case.version, actor=clinician, steps=["heart"], message=MESSAGE)
    case.refresh_from_db()
    return case


def test_the_patient_sees_the_clinics_message_on_their_home_page(patient_client, reopened):
    response = patient_client.get(reverse("intake:home"))
    assert response.status_code == HTTPStatus.OK
    assert MESSAGE in response.content.decode()


def test_the_patient_sees_the_message_beside_their_answers_and_on_the_reopened_step(patient_client, reopened):
    intake = reopened.intake
    detail = patient_client.get(reverse("intake:detail", args=[intake.pk]))
    assert MESSAGE in detail.content.decode()
    step = patient_client.get(reverse("intake:step", args=[intake.pk, "heart"]))
    assert step.status_code == HTTPStatus.OK
    assert MESSAGE in step.content.decode()


def test_another_patient_never_sees_the_message(client, reopened):
    other = PatientFactory().user
    client.force_login(other)
    response = client.get(reverse("intake:detail", args=[reopened.intake.pk]))
    assert response.status_code == HTTPStatus.NOT_FOUND


def test_the_message_is_gone_once_the_intake_is_sent_again(patient_client, reopened):
    from intake import selectors, services

    intake = reopened.intake
    intake.refresh_from_db()
    assert intake.status == IntakeStatus.REOPENED
    services.intake_submit(
        intake=intake, signature=intake.patient.user.full_name, consent_version=selectors.current_consent()
    )
    reopened.refresh_from_db()
    assert reopened.status in (CaseStatus.NEW, CaseStatus.IN_REVIEW)
    assert ScreeningResult.objects.filter(intake=intake, trigger="resubmit").count() == 1
    response = patient_client.get(reverse("intake:detail", args=[intake.pk]))
    assert MESSAGE not in response.content.decode()
