"""Recording measured vitals: the case is re-screened, the new result is stored beside the old
ones, and the page shows what changed."""

from __future__ import annotations

import datetime as dt
from http import HTTPStatus

import pytest
from django.utils import timezone

from clinic.models import AuditAction, AuditEvent
from intake.models import IntakeStatus
from screening.models import Case, CaseStatus, Level, MeasuredVitals, ScreeningResult, ScreeningTrigger
from screening.services import screening_run
from tests.factories import PatientFactory, SubmittedIntakeFactory
from tests.review.conftest import act

pytestmark = pytest.mark.django_db


def _today() -> str:
    return timezone.localdate().isoformat()


def test_a_measured_blood_pressure_clears_the_self_reported_flag(clinician_client, clinician, screened_case):
    old_result = screened_case.latest_result
    assert screened_case.overall == Level.INCOMPLETE

    response = act(clinician_client, screened_case, "vitals", bp_systolic=124, bp_diastolic=79, bp_date=_today())

    assert response.status_code == HTTPStatus.FOUND
    screened_case.refresh_from_db()
    assert screened_case.overall == Level.NO_FLAGS_RAISED
    assert ScreeningResult.objects.filter(intake=screened_case.intake).count() == 2
    new_result = screened_case.latest_result
    assert new_result.pk != old_result.pk
    assert new_result.trigger == ScreeningTrigger.VITALS
    assert new_result.created_by == clinician
    assert new_result.facts["vitals"]["bp_source"] == "measured"
    vitals = MeasuredVitals.objects.get(case=screened_case)
    assert (vitals.bp_systolic, vitals.bp_diastolic, vitals.recorded_by) == (124, 79, clinician)


def test_the_page_then_shows_what_changed(clinician_client, screened_case):
    response = act(clinician_client, screened_case, "vitals", bp_systolic=124, bp_diastolic=79, bp_date=_today())
    page = clinician_client.get(response.url)
    changes = page.context["changes"]
    assert (changes["overall_before"], changes["overall_after"]) == (Level.INCOMPLETE, Level.NO_FLAGS_RAISED)
    assert [flag.rule for flag in changes["removed"]] == ["BP-07"]
    body = page.content.decode()
    assert "What changed at the latest screening" in body
    assert "Measured vitals recorded and the case re-screened" in body


def test_a_crisis_reading_raises_an_urgent_medical_alert(clinician_client, screened_case):
    act(clinician_client, screened_case, "vitals", bp_systolic=196, bp_diastolic=124, bp_date=_today())
    screened_case.refresh_from_db()
    assert screened_case.overall == Level.URGENT_MEDICAL
    assert screened_case.needs_acknowledgement


def test_a_weight_alone_is_recorded_and_re_screened(clinician_client, screened_case):
    response = act(clinician_client, screened_case, "vitals", weight_kg="82.5")
    assert response.status_code == HTTPStatus.FOUND
    vitals = MeasuredVitals.objects.get(case=screened_case)
    assert vitals.bp_systolic is None and vitals.bp_date is None
    screened_case.refresh_from_db()
    assert screened_case.latest_result.facts["patient"]["weight_kg"] == 82.5


def test_the_trail_holds_the_measured_values_but_the_summary_does_not(clinician_client, screened_case):
    act(clinician_client, screened_case, "vitals", bp_systolic=124, bp_diastolic=79, bp_date=_today())
    event = AuditEvent.objects.get(action=AuditAction.VITALS)
    assert event.changes["bp_systolic"] == {"before": None, "after": 124}
    assert "124" not in event.summary


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"bp_systolic": 124, "bp_date": "today"}, "bp_diastolic"),
        ({"bp_diastolic": 80, "bp_date": "today"}, "bp_systolic"),
        ({"bp_systolic": 80, "bp_diastolic": 90, "bp_date": "today"}, "bp_diastolic"),
        ({"bp_systolic": 124, "bp_diastolic": 80, "bp_date": ""}, "bp_date"),
        ({"bp_systolic": 124, "bp_diastolic": 80, "bp_date": "tomorrow"}, "bp_date"),
        ({"bp_systolic": 124, "bp_diastolic": 80, "bp_date": "31/31/2026"}, "bp_date"),
        ({"bp_systolic": "one twenty", "bp_diastolic": 80, "bp_date": "today"}, "bp_systolic"),
        ({"bp_systolic": 900, "bp_diastolic": 80, "bp_date": "today"}, "bp_systolic"),
        ({"weight_kg": "12"}, "weight_kg"),
        ({"bp_date": "today"}, "__all__"),
    ],
)
def test_invalid_vitals_are_refused_beside_the_field_and_kept(clinician_client, screened_case, data, field):
    days = {"today": 0, "tomorrow": 1}
    data = {
        key: (timezone.localdate() + dt.timedelta(days=days[value])).isoformat() if value in days else value
        for key, value in data.items()
    }
    response = act(clinician_client, screened_case, "vitals", **data)

    assert response.status_code == HTTPStatus.OK
    form = response.context["forms"]["vitals"]
    assert field in form.errors
    assert form.data.get("bp_systolic", "") == str(data.get("bp_systolic", ""))
    assert not MeasuredVitals.objects.exists()
    assert ScreeningResult.objects.filter(intake=screened_case.intake).count() == 1


def test_vitals_wait_for_a_submitted_intake(clinician_client, clinician):
    intake = SubmittedIntakeFactory(status=IntakeStatus.DRAFT, submitted_at=None)
    draft_alert = Case.objects.create(
        intake=intake,
        status=CaseStatus.ALERT,
        overall=Level.URGENT_SAFETY,
        priority=0,
        urgent_level=Level.URGENT_SAFETY,
        urgent_raised_at=timezone.now(),
        urgent_acknowledged_at=timezone.now(),
        urgent_acknowledged_by=clinician,
    )
    response = act(clinician_client, draft_alert, "vitals", bp_systolic=124, bp_diastolic=79, bp_date=_today())
    assert response.status_code == HTTPStatus.CONFLICT
    assert "not been submitted" in response.content.decode()
    assert not MeasuredVitals.objects.exists()


def _urgent_case(patient) -> Case:
    """Suicide risk (PHQ-9 item 9) and a self-reported crisis blood pressure."""
    intake = SubmittedIntakeFactory(patient=PatientFactory(user=patient), phq9_9=1, bp_systolic=192, bp_diastolic=104)
    screening_run(intake=intake, trigger=ScreeningTrigger.SUBMIT)
    return Case.objects.get(intake=intake)


def test_an_acknowledged_alert_is_not_raised_again_for_the_same_flags(clinician_client, patient):
    case = _urgent_case(patient)
    assert case.urgent_level == Level.URGENT_SAFETY
    act(clinician_client, case, "acknowledge", note="Called the patient.")

    # A measured weight changes nothing urgent: the suicide-risk flag is the same one.
    act(clinician_client, case, "vitals", weight_kg="71")

    case.refresh_from_db()
    assert not case.needs_acknowledgement
    assert AuditEvent.objects.filter(action=AuditAction.ALERT).count() == 1


def test_a_new_urgent_reading_raises_the_alert_again(clinician_client, patient):
    case = _urgent_case(patient)
    act(clinician_client, case, "acknowledge", note="Called the patient.")

    act(clinician_client, case, "vitals", bp_systolic=200, bp_diastolic=126, bp_date=_today())

    case.refresh_from_db()
    assert case.needs_acknowledgement
    assert AuditEvent.objects.filter(action=AuditAction.ALERT).count() == 2


def test_a_weight_alone_after_a_measured_crisis_reading_keeps_the_case_urgent(clinician_client, screened_case):
    act(clinician_client, screened_case, "vitals", bp_systolic=190, bp_diastolic=100, bp_date=_today())
    screened_case.refresh_from_db()
    act(clinician_client, screened_case, "acknowledge", note="Called the patient; GP informed.")

    response = act(clinician_client, screened_case, "vitals", weight_kg="82")

    assert response.status_code == HTTPStatus.FOUND
    screened_case.refresh_from_db()
    result = screened_case.latest_result
    assert screened_case.overall == Level.URGENT_MEDICAL
    rules = {flag["rule"] for flag in result.result["flags"]}
    assert "BP-01" in rules and "BP-07" not in rules
    assert result.facts["vitals"]["bp_source"] == "measured"
    assert result.facts["patient"]["weight_kg"] == 82.0


def test_a_reading_alone_after_a_measured_weight_keeps_the_weight(clinician_client, screened_case):
    act(clinician_client, screened_case, "vitals", weight_kg="95.5", height_cm="158")
    act(clinician_client, screened_case, "vitals", bp_systolic=124, bp_diastolic=80, bp_date=_today())
    screened_case.refresh_from_db()
    patient = screened_case.latest_result.facts["patient"]
    assert (patient["weight_kg"], patient["height_cm"]) == (95.5, 158.0)
