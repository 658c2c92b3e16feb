"""The case's copies for the EHR and the chart: the FHIR Bundle and the staff PDF.

Clinicians and admins get them; anyone else gets a 404. Each download is audited and never
cached. The PDF is read back with pypdf: its text is what a screen reader or a search finds.
"""

from __future__ import annotations

import io
import json
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle
from pypdf import PdfReader

from clinic.models import AuditAction, AuditEvent
from screening import fhir
from screening.models import Case, ScreeningTrigger
from screening.selectors import answers_by_section, scores_table
from screening.services import case_acknowledge, case_record_vitals, screening_run
from tests.factories import DraftIntakeFactory, PatientFactory, SubmittedIntakeFactory, make_case
from tests.review.conftest import act


def fhir_url(case: Case) -> str:
    return reverse("review:case_fhir", args=[case.pk])


def pdf_url(case: Case) -> str:
    return reverse("review:case_pdf", args=[case.pk])


def pdf_text(content: bytes) -> str:
    """The PDF's text in reading order, with line breaks and runs of spaces made single spaces."""
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def words(text: str) -> str:
    return " ".join(str(text).split())


def observations(bundle: dict) -> list[dict]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Observation"]


def loinc(concept: dict) -> str | None:
    return next((c["code"] for c in concept.get("coding", []) if c["system"] == "http://loinc.org"), None)


def method(observation: dict) -> str:
    return observation["method"]["coding"][0]["code"]


# --- FHIR --------------------------------------------------------------------------------------


def test_a_clinician_downloads_the_case_as_a_fhir_bundle_never_cached(clinician_client, screened_case):
    response = clinician_client.get(fhir_url(screened_case))

    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "application/fhir+json"
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Disposition"] == f'attachment; filename="case-{screened_case.pk}.fhir.json"'
    bundle = Bundle.model_validate_json(response.content)
    assert bundle.type == "collection"
    types = [entry.resource.get_resource_type() for entry in bundle.entry]
    for expected in ("Questionnaire", "Patient", "QuestionnaireResponse", "RiskAssessment", "Provenance"):
        assert expected in types


def test_an_admin_downloads_the_fhir_bundle_too(admin_client_, screened_case):
    assert admin_client_.get(fhir_url(screened_case)).status_code == HTTPStatus.OK


def test_the_instrument_totals_carry_their_loinc_codes(clinician_client, screened_case):
    bundle = json.loads(clinician_client.get(fhir_url(screened_case)).content)
    scores = screened_case.latest_result.result["scores"]

    totals = {loinc(o["code"]): o.get("valueInteger") for o in observations(bundle) if loinc(o["code"])}
    assert totals["44261-6"] == scores["phq9"]["total"]
    assert totals["70274-6"] == scores["gad7"]["total"]
    assert totals["75626-2"] == scores["auditc"]["total"]


def test_the_self_reported_blood_pressure_is_the_loinc_panel_marked_self_reported(clinician_client, screened_case):
    intake = screened_case.intake
    bundle = json.loads(clinician_client.get(fhir_url(screened_case)).content)

    [panel] = [o for o in observations(bundle) if loinc(o["code"]) == "85354-9"]
    assert method(panel) == "self_reported"
    components = {loinc(c["code"]): c["valueQuantity"] for c in panel["component"]}
    assert components["8480-6"] == {
        "value": intake.bp_systolic,
        "unit": "mm[Hg]",
        "system": "http://unitsofmeasure.org",
        "code": "mm[Hg]",
    }
    assert components["8462-4"]["value"] == intake.bp_diastolic
    height = next(o for o in observations(bundle) if loinc(o["code"]) == "8302-2")
    assert float(height["valueQuantity"]["value"]) == float(intake.height_cm)
    weight = next(o for o in observations(bundle) if loinc(o["code"]) == "29463-7")
    assert method(weight) == "self_reported"


def test_a_measured_reading_stands_beside_the_self_reported_one_and_the_bundle_reads_back_to_the_facts(
    clinician, clinician_client, screened_case
):
    case_record_vitals(
        case_id=screened_case.pk,
        version=screened_case.version,
        actor=clinician,
        bp_systolic=131,
        bp_diastolic=84,
        bp_date=timezone.localdate(),
        weight_kg=None,
    )
    screened_case.refresh_from_db()

    bundle = json.loads(clinician_client.get(fhir_url(screened_case)).content)

    panels = {method(o): o for o in observations(bundle) if loinc(o["code"]) == "85354-9"}
    assert set(panels) == {"measured", "self_reported"}
    measured = {loinc(c["code"]): c["valueQuantity"]["value"] for c in panels["measured"]["component"]}
    assert measured == {"8480-6": 131, "8462-4": 84}
    assert fhir.facts_from_bundle(bundle) == screened_case.latest_result.facts
    assert fhir.facts_from_bundle(bundle)["vitals"]["bp_source"] == "measured"


def test_a_weight_measured_after_a_blood_pressure_keeps_the_measured_pressure_in_the_bundle(
    clinician, clinician_client, screened_case
):
    def version() -> int:
        return Case.objects.get(pk=screened_case.pk).version

    crisis = {"bp_systolic": 190, "bp_diastolic": 100, "bp_date": timezone.localdate()}
    case_record_vitals(case_id=screened_case.pk, version=version(), actor=clinician, **crisis)
    case_acknowledge(case_id=screened_case.pk, version=version(), actor=clinician, note="Called the patient.")
    case_record_vitals(case_id=screened_case.pk, version=version(), actor=clinician, weight_kg=82)
    screened_case.refresh_from_db()

    bundle = json.loads(clinician_client.get(fhir_url(screened_case)).content)

    measured = {loinc(o["code"]): o for o in observations(bundle) if "method" in o and method(o) == "measured"}
    assert set(measured) == {"85354-9", "29463-7"}
    assert {loinc(c["code"]): c["valueQuantity"]["value"] for c in measured["85354-9"]["component"]} == {
        "8480-6": 190,
        "8462-4": 100,
    }
    assert measured["29463-7"]["valueQuantity"]["value"] == 82
    assert fhir.facts_from_bundle(bundle) == screened_case.latest_result.facts
    assert screened_case.latest_result.result["overall"] == "URGENT_MEDICAL"


def test_the_risk_assessment_reads_the_stored_messages_and_sources(clinician_client, patient):
    case = make_case(user=patient, flags=(("SAF-01", "URGENT_SAFETY"), ("BP-07", "INCOMPLETE")))
    bundle = json.loads(clinician_client.get(fhir_url(case)).content)

    [risk] = [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "RiskAssessment"]
    assert [(p["outcome"]["coding"][0]["code"], p["rationale"]) for p in risk["prediction"]] == [
        ("SAF-01", "SAF-01 message"),
        ("BP-07", "BP-07 message"),
    ]
    sources = [e["valueString"] for p in risk["prediction"] for e in p["extension"] if e["url"].endswith("-source")]
    assert sources == ["SAF-01 source", "BP-07 source"]
    [provenance] = [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Provenance"]
    assert provenance["policy"][0].endswith("/ruleset/2026.1")


def test_an_unknown_answer_is_exported_as_its_code_not_left_out(clinician_client, patient):
    intake = SubmittedIntakeFactory(patient=PatientFactory(user=patient), aneurysm="unknown")
    screening_run(intake=intake, trigger=ScreeningTrigger.SUBMIT)
    bundle = json.loads(clinician_client.get(fhir_url(intake.case)).content)

    [response] = [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "QuestionnaireResponse"]
    heart = next(item for item in response["item"] if item["linkId"] == "heart")
    aneurysm = next(item for item in heart["item"] if item["linkId"] == "aneurysm")
    assert aneurysm["answer"][0]["valueCoding"]["code"] == "unknown"


def test_downloading_the_fhir_bundle_is_audited(clinician, clinician_client, screened_case):
    clinician_client.get(fhir_url(screened_case))

    event = AuditEvent.objects.get(action=AuditAction.EXPORT, target_type="screening.case")
    assert event.target_id == str(screened_case.pk)
    assert event.actor == clinician
    assert event.summary == "FHIR Bundle exported"


# --- The staff PDF ---------------------------------------------------------------------------


def test_the_staff_pdf_holds_every_answer_score_and_flag_of_the_case(clinician_client, screened_case):
    response = clinician_client.get(pdf_url(screened_case))

    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    text = pdf_text(response.content)
    intake = screened_case.intake
    assert intake.patient.user.full_name in text
    assert intake.patient.user.email in text
    for section in answers_by_section(intake):
        assert words(section["title"]) in text
        for answer in section["answers"]:
            assert words(answer["label"]) in text
            for value in answer["rows"] or [answer["value"]]:
                assert words(value) in text, (answer["label"], value)
    result = screened_case.latest_result.result
    for flag in result["flags"]:
        assert flag["rule"] in text
        assert words(flag["message"]) in text
        assert words(flag["source"]) in text
    for row in scores_table(result):
        shown = " · ".join(part for part in (row["score"], row["band"]) if part)
        assert f"{row['name']} {shown}" in text
    assert f"PHQ-9 {result['scores']['phq9']['total']} · moderate" in text


def test_the_staff_pdf_has_a_title_and_the_decision(clinician, clinician_client, patient):
    case = make_case(user=patient, flags=(("IND-03", "INFO"),))
    act(clinician_client, case, "decide", outcome="approved", reason="Reviewed: fine for the first appointment.")

    response = clinician_client.get(pdf_url(case))

    reader = PdfReader(io.BytesIO(response.content))
    assert reader.metadata.title == f"Initial assessment — Alice Patient — case {case.pk}"
    text = pdf_text(response.content)
    assert "Approved for initial assessment" in text
    assert "Reviewed: fine for the first appointment." in text
    assert "Decided (Carol Clinician)" in text


def test_downloading_the_staff_pdf_is_audited(clinician, clinician_client, screened_case):
    clinician_client.get(pdf_url(screened_case))

    event = AuditEvent.objects.get(action=AuditAction.EXPORT, target_type="screening.case")
    assert (event.actor, event.summary) == (clinician, "Staff PDF exported")


def test_an_accented_name_prints_as_written(clinician_client, patient):
    patient.full_name = "Zoë Ünal-Łukasiewicz Ørsted"
    patient.save()
    case = make_case(user=patient)

    text = pdf_text(clinician_client.get(pdf_url(case)).content)

    assert "Zoë Ünal-Łukasiewicz Ørsted" in text


# --- Access ------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [fhir_url, pdf_url], ids=["fhir", "pdf"])
def test_the_patient_themselves_gets_a_404(patient_client, screened_case, url):
    assert patient_client.get(url(screened_case)).status_code == HTTPStatus.NOT_FOUND
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


@pytest.mark.parametrize("url", [fhir_url, pdf_url], ids=["fhir", "pdf"])
def test_another_patient_gets_a_404(client, other_patient, screened_case, url):
    client.force_login(other_patient)
    assert client.get(url(screened_case)).status_code == HTTPStatus.NOT_FOUND


@pytest.mark.parametrize("url", [fhir_url, pdf_url], ids=["fhir", "pdf"])
def test_the_copies_require_login(client, screened_case, url):
    response = client.get(url(screened_case))
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", ["review:case_fhir", "review:case_pdf"])
def test_a_case_that_does_not_exist_is_a_404(clinician_client, name):
    assert clinician_client.get(reverse(name, args=[999999])).status_code == HTTPStatus.NOT_FOUND


def test_an_alert_case_from_a_draft_exports_its_answers_so_far(clinician, clinician_client, other_patient):
    intake = DraftIntakeFactory(patient=PatientFactory(user=other_patient), phq9_9=2)
    case = Case.objects.create(
        intake=intake, status="alert", urgent_level="URGENT_SAFETY", urgent_raised_at=timezone.now()
    )

    bundle = json.loads(clinician_client.get(fhir_url(case)).content)
    text = pdf_text(clinician_client.get(pdf_url(case)).content)

    [response] = [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "QuestionnaireResponse"]
    assert response["status"] == "in-progress"
    assert not [e for e in bundle["entry"] if e["resource"]["resourceType"] == "RiskAssessment"]
    assert "Not screened yet" in text
