"""No text a patient or a member of staff typed ever becomes markup on a staff page.

A patient whose every free-text answer is hostile (a meta refresh to another site, an
attribute break-out into an SVG with an event handler, a closing textarea, template syntax,
a right-to-left override) is rendered on every staff page: the queue, a search, the case
page with every action form (and refused actions that show the typed text again), the
timeline, the admin list and change page of each model, and the CSV export. The HTML is
parsed and must contain no element or attribute that came from what was typed.
"""

from __future__ import annotations

import csv
import io
from html.parser import HTMLParser
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.audit import audit_record
from clinic.models import AuditAction, AuditEvent, ClinicIdentity, Role, User
from intake.models import AntidepressantTrial, ConsentVersion, Intake, IntakeMedication, Patient, StepDraft
from screening import services
from screening.models import Case, CaseNote, Decision, InfoRequest, MeasuredVitals, ScreeningResult, ScreeningTrigger
from screening.notify.models import AlertRecipient, Notification, NotificationKind
from tests.admin.conftest import OWN_MODELS, change_url, changelist_url
from tests.factories import (
    ConsentVersionFactory,
    PatientFactory,
    SubmittedIntakeFactory,
    UserFactory,
)
from tests.review.conftest import act

pytestmark = pytest.mark.django_db

META = '<meta http-equiv=refresh content="1;url=https://evil.example">'
SVG = '"><svg onload=alert(1)>'
RTL = "\u202e"
HOSTILE = META + SVG + "</textarea>{{ 7|add:1 }}{% now 'Y' %}" + RTL + "lave"
NAME = "Eve " + SVG + RTL + "redna"


class Markup(HTMLParser):
    """Every start tag of a page with its attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def assert_no_typed_markup(html: str, where: str) -> None:
    parser = Markup()
    parser.feed(html)
    parser.close()
    for tag, attrs in parser.tags:
        # The admin's own icons are <svg aria-hidden> or the sprite sheet; the typed one is bare.
        assert not (tag == "svg" and not ({"aria-hidden", "class", "xmlns"} & set(attrs))), (
            f"{where}: an <svg> element the patient typed"
        )
        assert not (tag == "meta" and "http-equiv" in attrs), f"{where}: a <meta http-equiv> the patient typed"
        injected = [name for name in attrs if name.startswith("on") or name in {"url", "http-equiv"}]
        assert not injected, f"{where}: attributes {injected} on <{tag}>"


@pytest.fixture
def hostile_case(clinician) -> Case:
    """A submitted intake whose every free-text answer is hostile, acknowledged, with a note,
    measured vitals and an answered request for more information: every action form shows."""
    user = UserFactory(email="eve@example.org", full_name=NAME, role=Role.PATIENT)
    intake = SubmittedIntakeFactory(
        patient=PatientFactory(user=user),
        phone=SVG[:30],
        treatment_goals=HOSTILE,
        consent_signature=NAME,
        takes_medications="yes",
        antidepressants_tried="yes",
        phq9_9=2,
        trials=0,
    )
    IntakeMedication.objects.create(intake=intake, position=0, name="tramadol " + SVG, dose=META[:100], frequency=SVG)
    IntakeMedication.objects.create(intake=intake, position=1, name=HOSTILE, dose=SVG, frequency=SVG)
    AntidepressantTrial.objects.create(intake=intake, position=0, name=HOSTILE, weeks=8, full_dose="yes", helped="no")
    StepDraft.objects.create(intake=intake, step="about", data={"phone": HOSTILE}, is_valid=False)
    services.screening_run(intake=intake, trigger=ScreeningTrigger.SUBMIT)
    case = Case.objects.get(intake=intake)
    return case


def _all_forms_case(case: Case, clinician: User) -> Case:
    case.refresh_from_db()
    services.case_acknowledge(case_id=case.pk, version=case.version, actor=clinician, note=HOSTILE)
    case.refresh_from_db()
    services.case_add_note(case_id=case.pk, version=case.version, actor=clinician, text=HOSTILE)
    case.refresh_from_db()
    services.case_record_vitals(
        case_id=case.pk, version=case.version, actor=clinician, weight_kg=80, bp_systolic=None, bp_diastolic=None
    )
    InfoRequest.objects.create(
        case=case, requested_by=clinician, steps=["about"], message=HOSTILE, resolved_at=timezone.now()
    )
    case.refresh_from_db()
    return case


def test_the_stored_name_has_no_bidirectional_override(hostile_case):
    name = hostile_case.intake.patient.user.full_name
    assert RTL not in name
    assert name.startswith("Eve ")


def test_the_queue_search_and_case_pages_show_typed_text_as_text(clinician_client, clinician, hostile_case):
    before_ack = clinician_client.get(reverse("review:case", args=[hostile_case.pk]))
    assert before_ack.status_code == HTTPStatus.OK
    assert 'name="note"' in before_ack.content.decode()  # the acknowledgement form is there
    assert_no_typed_markup(before_ack.content.decode(), "case page, urgent flag not acknowledged")

    case = _all_forms_case(hostile_case, clinician)
    pages = {
        "queue": clinician_client.get(reverse("review:queue"), {"status": "any"}),
        "search": clinician_client.get(clinician_client.post(reverse("review:search"), {"q": "eve"}).url),
        "case page": clinician_client.get(reverse("review:case", args=[case.pk])),
    }
    for where, response in pages.items():
        assert response.status_code == HTTPStatus.OK, where
        assert_no_typed_markup(response.content.decode(), where)
    body = pages["case page"].content.decode()
    for action in ("assign", "vitals", "request_info", "decide", "note"):
        assert f'data-action="{action}"' in body, action
    assert "&lt;meta http-equiv=refresh" in body  # shown, as text
    assert "{{ 7|add:1 }}{% now &#x27;Y&#x27; %}" in body  # template syntax shown as typed, never run
    assert "Eve" in pages["search"].content.decode()


def test_refused_actions_show_the_typed_text_back_as_text(clinician_client, clinician, hostile_case):
    case = _all_forms_case(hostile_case, clinician)
    refused = {
        # Approving with standing flags and no reason against them: the typed reason comes back.
        "decide": act(clinician_client, case, "decide", outcome="approved", reason=HOSTILE),
        "vitals": act(clinician_client, case, "vitals", weight_kg=SVG, bp_date=HOSTILE),
        "request_info": act(clinician_client, case, "request_info", message=HOSTILE, steps=[HOSTILE]),
        "note": act(clinician_client, case, "note", text=HOSTILE, version=1),  # a stale page: kept text shown
    }
    for where, response in refused.items():
        assert response.status_code in (HTTPStatus.OK, HTTPStatus.CONFLICT), where
        assert_no_typed_markup(response.content.decode(), f"refused {where}")
    assert "&lt;/textarea&gt;" in refused["decide"].content.decode()


def _decided(case: Case, clinician: User) -> Case:
    """The case decided with a hostile reason, and a hostile reason against each flag."""
    case = _all_forms_case(case, clinician)
    flags = services.departing_flags(case.latest_result.result)
    services.case_decide(
        case_id=case.pk,
        version=case.version,
        actor=clinician,
        outcome="not_eligible",
        reason=HOSTILE,
        flag_reasons={str(flag["rule"]): HOSTILE for flag in flags},
    )
    return case


def test_a_decided_case_and_its_timeline_show_typed_text_as_text(clinician_client, clinician, hostile_case):
    case = _decided(hostile_case, clinician)
    response = clinician_client.get(reverse("review:case", args=[case.pk]))
    assert response.status_code == HTTPStatus.OK
    assert 'data-testid="timeline"' in response.content.decode()
    assert_no_typed_markup(response.content.decode(), "decided case page and timeline")


def _records(case: Case) -> dict[type, object]:
    intake = case.intake
    return {
        User: intake.patient.user,
        Patient: intake.patient,
        Intake: intake,
        IntakeMedication: intake.medications.first(),
        AntidepressantTrial: intake.antidepressant_trials.first(),
        StepDraft: StepDraft.objects.get(intake=intake),
        Case: case,
        ScreeningResult: case.latest_result,
        Decision: Decision.objects.filter(case=case).first(),
        CaseNote: CaseNote.objects.filter(case=case).first(),
        MeasuredVitals: MeasuredVitals.objects.filter(case=case).first(),
        InfoRequest: InfoRequest.objects.filter(case=case).first(),
        AuditEvent: AuditEvent.objects.filter(target_id=str(case.pk)).first(),
        ConsentVersion: ConsentVersionFactory(title=HOSTILE[:200], text=HOSTILE),
        Notification: Notification.objects.create(
            kind=NotificationKind.RESUBMITTED,
            key=f"resubmitted:case:{case.pk}:hostile",
            intake=intake,
            case=case,
            next_attempt_at=timezone.now(),
        ),
        AlertRecipient: AlertRecipient.objects.create(email="hostile-alerts@example.org"),
        ClinicIdentity: ClinicIdentity.objects.create(name=HOSTILE[:120], address=HOSTILE[:300], hours=HOSTILE[:300]),
    }


def test_every_admin_list_and_change_page_shows_typed_text_as_text(admin_client_, clinician, hostile_case):
    case = _decided(hostile_case, clinician)
    audit_record(actor=clinician, action=AuditAction.NOTE, target=case, summary=HOSTILE, changes={"note": HOSTILE})
    records = _records(case)
    assert set(OWN_MODELS) <= set(records), set(OWN_MODELS) - set(records)
    for model in OWN_MODELS:
        record = records[model]
        assert record is not None, model
        listing = admin_client_.get(changelist_url(model))
        assert listing.status_code == HTTPStatus.OK, model
        assert_no_typed_markup(listing.content.decode(), f"admin list of {model._meta.label}")
        searched = admin_client_.get(changelist_url(model), {"q": "eve"})
        assert_no_typed_markup(searched.content.decode(), f"admin search of {model._meta.label}")
        change = admin_client_.get(change_url(record))
        assert change.status_code == HTTPStatus.OK, model
        assert_no_typed_markup(change.content.decode(), f"admin change page of {model._meta.label}")


def test_the_csv_export_is_an_attachment_holding_the_text_as_data(admin_client_, hostile_case):
    response = admin_client_.post(
        changelist_url(Intake), {"action": "export_csv", "_selected_action": [hostile_case.intake_id]}
    )
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert any(SVG in cell for row in rows for cell in row)
