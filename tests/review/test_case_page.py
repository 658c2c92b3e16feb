"""The case page: who, the outcome in clinician wording, every flag explained, scores, answers,
medications, the timeline; an audit line for every view; a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from http import HTTPStatus

import pytest
from django.db import connection
from django.urls import reverse

from clinic.models import AuditAction, AuditEvent
from intake.models import IntakeMedication
from screening.models import CaseNote, MeasuredVitals, ScreeningResult
from screening.selectors import reopenable_step_keys
from tests.factories import PatientFactory, SubmittedIntakeFactory, canned_result, make_case

pytestmark = pytest.mark.django_db


def _get(client, case):
    return client.get(reverse("review:case", args=[case.pk]))


def test_it_works(clinician_client, screened_case):
    response = _get(clinician_client, screened_case)
    assert response.status_code == HTTPStatus.OK
    assert "no-store" in response["Cache-Control"]


def test_it_shows_who_the_patient_is(clinician_client, screened_case):
    body = _get(clinician_client, screened_case).content.decode()
    assert "Alice Patient" in body
    assert "born 1980-05-01" in body
    assert "Esketamine nasal spray (Spravato)" in body
    context_age = _get(clinician_client, screened_case).context["age"]
    assert isinstance(context_age, int) and context_age >= 45


def test_no_flags_raised_reads_as_a_call_for_clinician_review(clinician_client, patient):
    case = make_case(user=patient, flags=(("PSY-13", "INFO"),))
    response = _get(clinician_client, case)
    overall = response.content.decode().split('data-testid="overall">', 1)[1].split("</span>", 1)[0]
    assert "No automated flags — clinician review required" in overall


def test_it_explains_every_flag_grouped_by_level(clinician_client, screened_case):
    response = _get(clinician_client, screened_case)
    groups = response.context["flag_groups"]
    levels = [group["level"] for group in groups]
    assert levels == sorted(levels, key=["INCOMPLETE", "INFO"].index)
    bp07 = next(flag for group in groups for flag in group["flags"] if flag.rule == "BP-07")
    body = response.content.decode()
    assert bp07.message in body
    assert bp07.source in body
    # The answers that triggered it, in words: the self-reported source of the reading.
    assert "How the blood pressure was taken (measured or self-reported): reported by the patient" in body
    assert "self_reported" not in body.split('id="flags"', 1)[1].split('id="vitals"', 1)[0]


def test_it_shows_the_scores_with_their_bands(clinician_client, screened_case):
    rows = {row["name"]: row for row in _get(clinician_client, screened_case).context["scores"]}
    assert rows["PHQ-9"] == {"name": "PHQ-9", "score": "11", "band": "moderate"}
    assert rows["GAD-7"]["band"] == "mild"
    assert rows["C-SSRS risk"]["band"] == "none"


def test_it_shows_every_answer_by_section(clinician_client, screened_case):
    response = _get(clinician_client, screened_case)
    sections = {section["key"]: section for section in response.context["answers"]}
    assert list(sections) == list(reopenable_step_keys())
    about = [answer["value"] for answer in sections["about"]["answers"]]
    assert any("1980" in value for value in about)
    heart = [answer["value"] for answer in sections["heart"]["answers"]]
    assert len(heart) >= 14
    assert heart.count("No") >= 10
    assert any("122" in value for value in heart)
    trials = next(answer for answer in sections["mental_health"]["answers"] if answer["rows"])
    assert any("sertraline" in row for row in trials["rows"])
    assert "escitalopram" in response.content.decode()


def test_it_marks_unmatched_medications_for_reconciliation(clinician_client, patient):
    intake = SubmittedIntakeFactory(patient=PatientFactory(user=patient), takes_medications="yes")
    IntakeMedication.objects.create(intake=intake, position=0, name="Xanax 0.5 mg")
    IntakeMedication.objects.create(intake=intake, position=1, name="Frobnitol 10 mg")
    case = make_case(intake=intake)

    response = _get(clinician_client, case)

    rows = {row["medication"].name: row for row in response.context["medications"]}
    assert rows["Xanax 0.5 mg"]["parts"][0]["drug_class"] == "cns_depressant"
    assert not rows["Xanax 0.5 mg"]["needs_reconciliation"]
    assert rows["Frobnitol 10 mg"]["needs_reconciliation"]
    assert "Not recognised — reconcile" in response.content.decode()


def test_it_shows_what_changed_between_the_last_two_results(clinician_client, case):
    newer = canned_result(("BP-01", "URGENT_MEDICAL"))
    result = ScreeningResult.objects.create(
        intake=case.intake,
        trigger="vitals",
        ruleset="2026.1",
        overall=newer["overall"],
        facts={},
        result=newer,
        created_at=case.latest_result.created_at + dt.timedelta(minutes=5),
    )
    case.latest_result = result
    case.overall = result.overall
    case.save()

    response = _get(clinician_client, case)

    changes = response.context["changes"]
    assert (changes["overall_before"], changes["overall_after"]) == ("INCOMPLETE", "URGENT_MEDICAL")
    assert [flag.rule for flag in changes["added"]] == ["BP-01"]
    assert [flag.rule for flag in changes["removed"]] == ["BP-07"]
    assert "What changed at the latest screening" in response.content.decode()


def test_each_view_is_written_to_the_audit_trail(clinician_client, clinician, case):
    _get(clinician_client, case)
    _get(clinician_client, case)
    views = AuditEvent.objects.filter(action=AuditAction.VIEW, target_type="screening.case", target_id=str(case.pk))
    assert views.count() == 2
    assert {event.actor for event in views} == {clinician}


def test_the_timeline_shows_views_screenings_and_notes_with_who_and_when(clinician_client, clinician, screened_case):
    CaseNote.objects.create(case=screened_case, author=clinician, text="Spoke to GP.")
    _get(clinician_client, screened_case)

    response = _get(clinician_client, screened_case)

    kinds = [entry.kind for entry in response.context["timeline"]]
    # The two reads in a row by the same clinician are one line that says so.
    assert kinds.count("view") == 1
    assert [entry.views for entry in response.context["timeline"] if entry.kind == "view"] == [2]
    assert "screen" in kinds
    assert "note" in kinds
    assert "Spoke to GP." in response.content.decode()


def test_a_case_that_does_not_exist_is_404(clinician_client):
    assert clinician_client.get(reverse("review:case", args=[999999])).status_code == HTTPStatus.NOT_FOUND


def _grow(case, clinician, n: int) -> None:
    """Give the case n of everything the page lists."""
    for i in range(n):
        CaseNote.objects.create(case=case, author=clinician, text=f"note {i}")
        MeasuredVitals.objects.create(case=case, recorded_by=clinician, weight_kg=70 + i)
        IntakeMedication.objects.create(intake=case.intake, position=i, name=f"sertraline {i}")
        ScreeningResult.objects.create(
            intake=case.intake,
            trigger="admin",
            ruleset="2026.1",
            overall="INCOMPLETE",
            facts={},
            result=canned_result(("BP-07", "INCOMPLETE")),
        )


@pytest.mark.parametrize("items", [1, 12])
def test_the_case_page_runs_the_same_queries_however_much_the_case_holds(
    clinician_client, clinician, case, items, django_assert_num_queries
):
    _grow(case, clinician, items)
    _get(clinician_client, case)  # the session is created on the first request
    # 1. the session, its user and their role groups (one query, clinic/sessions.py), 2. the
    # verified second-factor device, 3. SAVEPOINT (ATOMIC_REQUESTS), 4. the case with intake,
    # patient, assignee and latest result joined, 5. the audit chain's last hash (after its
    # advisory lock on PostgreSQL, +1), 6. the audit line for this view, 7. the screening
    # results, 8. notes, 9. decisions, 10. requests for information, 11. measured vitals,
    # 12. antidepressant trials, 13. the audit trail of case and intake (one query), 14. the
    # e-mails about the case (alert delivered?), 15. medications, 16. the clinicians for the
    # assign form, 17. RELEASE SAVEPOINT. The session's expiry is not rewritten within a minute
    # of its last renewal (clinic/sessions.py).
    with django_assert_num_queries(17 + (connection.vendor == "postgresql")):
        response = _get(clinician_client, case)
    assert len(response.context["notes"]) == items
