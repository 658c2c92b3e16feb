"""Flag wording on the case page: inputs in words, never as the spec's field paths; unknowns
read "not answered" or "patient does not know"; unrecognised medicines "Not recognised —
reconcile"; the one-line reason of the most severe flag; which readings fed the result; a
header a clinician can act on; refused actions that open on an error summary."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone

from intake.facts import build_facts
from intake.models import IntakeMedication
from screening.engine import screen
from screening.engine.facts import FIELD_LABELS, field_label
from screening.models import Case, ScreeningTrigger
from screening.presenters import (
    NOT_ANSWERED,
    NOT_RECOGNISED,
    PATIENT_DOES_NOT_KNOW,
    flag_reason,
    flag_view,
    most_severe_reason,
    path_label,
    value_words,
)
from screening.services import screening_run
from tests.factories import PatientFactory, SubmittedIntakeFactory
from tests.review.conftest import act

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 30)
PATH = re.compile(r"\b(?:instruments|medications|patient|vitals|medical|psychiatric|substance|reproductive)[.\[]")


def _screened(patient, **answers) -> Case:
    intake = SubmittedIntakeFactory(patient=PatientFactory(user=patient), **answers)
    screening_run(intake=intake, trigger=ScreeningTrigger.SUBMIT)
    return Case.objects.get(intake=intake)


def _with_medications(patient, *names: tuple[str, str]) -> Case:
    intake = SubmittedIntakeFactory(patient=PatientFactory(user=patient), takes_medications="yes")
    for position, (name, dose) in enumerate(names):
        IntakeMedication.objects.create(intake=intake, position=position, name=name, dose=dose)
    screening_run(intake=intake, trigger=ScreeningTrigger.SUBMIT)
    return Case.objects.get(intake=intake)


@pytest.mark.parametrize(
    ("path", "label"),
    [
        ("instruments.phq9[9]", "PHQ-9 item 9 (thoughts of being better off dead or of self-harm)"),
        ("instruments.gad7[2]", "GAD-7 item 2"),
        ("instruments.cssrs.q4", "C-SSRS Q4 (intent to act, past month)"),
        ("instruments.cssrs.q6_past_3_months", "C-SSRS Q6 timing (within the past 3 months)"),
        ("medications[3].name", "Medication 3: tramadol 50 mg"),
        ("medications[1]", "Medication 1: sertraline 100 mg"),
        ("medical.aneurysm", "Aneurysm"),
        ("vitals.bp_source", "How the blood pressure was taken (measured or self-reported)"),
        ("patient.weight_kg", "Weight (kg)"),
        ("nowhere.made_up_field", "Another answer"),
        ("Zorblatex", "Another answer"),
    ],
)
def test_a_path_reads_in_words(path, label):
    facts = {
        "medications": [
            {"name": "sertraline", "dose": "100 mg"},
            {"name": "lisinopril"},
            {"name": "tramadol", "dose": "50 mg", "frequency": "twice a day"},
        ]
    }
    assert path_label(path, facts) == label


@pytest.mark.parametrize("path", sorted(FIELD_LABELS))
def test_the_case_page_labels_a_field_with_the_engines_label(path):
    """Written once: the words beside each input and missing answer are the flag messages' own."""
    assert path_label(path) == field_label(path) == FIELD_LABELS[path]


@pytest.mark.parametrize(
    ("path", "value", "reason"),
    [
        ("instruments.phq9[9]", 2, "PHQ-9 item 9 answered 2"),
        ("instruments.cssrs.q4", "yes", "C-SSRS Q4 answered yes"),
        ("instruments.cssrs.q6_past_3_months", "unknown", "C-SSRS Q6 timing answered patient does not know"),
    ],
)
def test_the_one_line_reason_cites_an_item_without_its_explanation(path, value, reason):
    assert flag_reason({"rule": "SAF-01", "level": "URGENT_SAFETY", "inputs": {path: value}}) == reason


def test_an_unknown_never_reads_like_a_finding():
    assert value_words(None) == NOT_ANSWERED == "not answered"
    assert value_words("unknown") == PATIENT_DOES_NOT_KNOW == "patient does not know"
    assert value_words("self_reported") == "reported by the patient"
    assert value_words(2) == "2"


def test_an_unrecognised_medicine_is_listed_for_reconciling_not_as_missing(patient):
    case = _with_medications(patient, ("sertraline", "100 mg"), ("Zorblatex", "5 mg"))
    result, facts = case.latest_result.result, case.latest_result.facts
    ddi09 = next(flag for flag in result["flags"] if flag["rule"] == "DDI-09")

    view = flag_view(ddi09, facts)

    assert view.unrecognised == ["Medication 2: Zorblatex 5 mg"]
    assert view.missing == []


def test_a_medication_input_names_the_medicine_and_the_class_it_matched(patient):
    case = _with_medications(patient, ("sertraline", "100 mg"), ("tramadol", "50 mg"))
    result, facts = case.latest_result.result, case.latest_result.facts
    views = [flag_view(flag, facts) for flag in result["flags"]]
    inputs = {(label, value) for view in views for _path, label, value in view.inputs}
    assert ("Medication 2: tramadol 50 mg", "tramadol — CNS depressant") in inputs


def test_the_case_page_shows_no_field_path(clinician_client, patient):
    case = _with_medications(patient, ("sertraline", "100 mg"), ("tramadol", "50 mg"), ("Zorblatex", ""))
    body = clinician_client.get(reverse("review:case", args=[case.pk])).content.decode()
    flags = body.split('id="flags"', 1)[1].split('id="vitals"', 1)[0]
    assert not PATH.search(flags), PATH.search(flags)
    assert "Medication 2: tramadol 50 mg" in flags
    assert f"{NOT_RECOGNISED}:</strong> Medication 3: Zorblatex" in flags
    assert "Missing" not in flags


def test_the_reason_of_a_suicide_risk_flag_names_the_item_and_the_answer(patient):
    intake = SubmittedIntakeFactory(patient=PatientFactory(user=patient), phq9_9=2)
    facts = build_facts(intake, assessment_date=TODAY)
    result = screen(facts)
    assert most_severe_reason(result, facts) == "PHQ-9 item 9 answered 2"


def test_the_reason_of_a_crisis_reading_says_measured_and_when():
    facts = {"vitals": {"bp_systolic": 190, "bp_diastolic": 100, "bp_source": "measured", "bp_date": "2026-11-29"}}
    flag = {"rule": "BP-01", "level": "URGENT_MEDICAL", "inputs": {"vitals.bp_systolic": 190}, "missing": []}
    assert flag_reason(flag, facts) == "Measured BP 190/100 on 29 Nov"
    facts["vitals"]["bp_source"] = "self_reported"
    assert flag_reason(flag, facts) == "Self-reported BP 190/100 on 29 Nov"


def test_calm_and_routine_cases_have_no_reason():
    assert most_severe_reason({"flags": [{"rule": "BP-07", "level": "INCOMPLETE", "inputs": {}}]}) == ""
    assert most_severe_reason(None) == ""


# --- The header and the readings used -----------------------------------------------------------


def test_the_header_holds_the_phone_as_a_link_and_the_urgent_reason(clinician_client, patient):
    case = _screened(patient, phone="+1 (555) 010-2030", phq9_9=2)
    body = clinician_client.get(reverse("review:case", args=[case.pk])).content.decode()
    header = body.split('id="case-status"', 1)[1].split("</header>", 1)[0]
    assert 'href="tel:+15550102030"' in header
    assert "+1 (555) 010-2030" in header
    assert "Why: PHQ-9 item 9 answered 2" in header
    assert "Alice Patient" in header and "years" in header and "Esketamine nasal spray" in header


def test_the_page_says_which_recorded_reading_fed_the_result(clinician_client, clinician, screened_case):
    today = timezone.localdate().isoformat()
    act(clinician_client, screened_case, "vitals", bp_systolic=190, bp_diastolic=100, bp_date=today)
    screened_case.refresh_from_db()
    act(clinician_client, screened_case, "acknowledge", note="Called the patient.")
    act(clinician_client, screened_case, "vitals", weight_kg="82")

    response = clinician_client.get(reverse("review:case", args=[screened_case.pk]))

    used = {reading.kind: reading for reading in response.context["readings_used"]}
    assert used["Blood pressure"].value.startswith("190/100 mmHg, measured by staff")
    assert "recorded" in used["Blood pressure"].source and "Carol Clinician" in used["Blood pressure"].source
    assert used["Blood pressure"].row.weight_kg is None
    assert used["Weight"].value == "82.0 kg" and used["Weight"].row.bp_systolic is None
    assert used["Height"].source == "the patient's own answer"
    assert 'data-testid="readings-used"' in response.content.decode()
    assert screened_case.latest_result.overall == "URGENT_MEDICAL"
    assert response.context["urgent_reason"].startswith("Measured BP 190/100 on ")
    assert Decimal("82") == screened_case.measured_vitals.first().weight_kg


# --- Refused actions open on their errors -------------------------------------------------------


def _summary_links(body: str) -> list[str]:
    summary = body.split('id="error-summary"', 1)[1].split("</div>", 1)[0]
    return re.findall(r'href="#([^"]+)"', summary)


@pytest.mark.parametrize(
    ("action", "data", "anchors", "typed"),
    [
        ("decide", {"outcome": "approved", "reason": "Seen by phone."}, ["id_flag_reason_BP-07"], "Seen by phone"),
        ("decide", {"reason": "No outcome chosen yet"}, ["id_outcome_0"], "No outcome chosen yet"),
        ("note", {"text": ""}, ["id_text"], ""),
        ("vitals", {"bp_systolic": "190", "bp_date": "2026-01-01"}, ["id_bp_diastolic"], "190"),
        ("request_info", {"message": "Tell us about your heart."}, ["id_steps_0"], "Tell us about your heart."),
    ],
)
def test_a_refused_action_opens_on_an_error_summary_linking_each_field(
    clinician_client, screened_case, action, data, anchors, typed
):
    response = act(clinician_client, screened_case, action, **data)

    assert response.status_code == HTTPStatus.OK
    body = response.content.decode()
    links = _summary_links(body)
    assert links == anchors or set(anchors) <= set(links)
    for anchor in links:
        assert f'id="{anchor}"' in body, anchor
    assert typed in body
    # The page is the answer to a form posted to "...#error-summary": the browser opens on it.
    assert f'action="{reverse(f"review:{action}", args=[screened_case.pk])}#error-summary"' in body
    # The summary comes before the case header: nothing to scroll past.
    assert body.index('id="error-summary"') < body.index('id="case-status"')
