"""The case timeline links each audit line to the record it wrote by the key the line keeps
(``clinic.audit.record_key``), never by time: records written within the same second, by the
same clinician, each sit inside their own line; a record with no line stands on its own."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from clinic.audit import RECORD_KEY, audit_chain_problems
from clinic.models import AuditAction
from screening import services
from screening.models import CaseNote, InfoRequest
from screening.selectors import case_page

pytestmark = pytest.mark.django_db

# Every write below happens at this very instant: no clock can tell them apart.
SAME_INSTANT = dt.datetime(2026, 11, 30, 10, 0, 0, tzinfo=dt.UTC)


def _timeline(case, kind):
    case.refresh_from_db()
    return [entry for entry in case_page(case)["timeline"] if entry.kind == kind]


def _note(case, clinician, text):
    case.refresh_from_db()
    return services.case_add_note(case_id=case.pk, version=case.version, actor=clinician, text=text)


def test_notes_written_in_the_same_instant_each_sit_in_their_own_line(clinician, case):
    with time_machine.travel(SAME_INSTANT, tick=False):
        # One note made behind the services' back (no audit line), first, at the same instant.
        CaseNote.objects.create(case=case, author=clinician, text="Made outside the app.")
        first = _note(case, clinician, "First call: no answer.")
        second = _note(case, clinician, "Second call: spoke to the patient.")

    entries = _timeline(case, AuditAction.NOTE)

    by_line = {entry.event.pk: entry.note for entry in entries if entry.event is not None}
    assert sorted(note.text for note in by_line.values()) == [first.text, second.text]
    for entry in entries:
        if entry.event is not None:
            assert entry.event.changes["note"]["after"] == entry.note.text
            assert entry.event.changes[RECORD_KEY] == {"type": "screening.casenote", "id": entry.note.pk}
    alone = [entry for entry in entries if entry.event is None]
    assert [entry.note.text for entry in alone] == ["Made outside the app."]
    assert len(entries) == 3


def test_vitals_and_their_screenings_in_the_same_instant_each_sit_in_their_own_line(clinician, case):
    with time_machine.travel(SAME_INSTANT, tick=False):
        for systolic in (150, 124):
            case.refresh_from_db()
            services.case_record_vitals(
                case_id=case.pk,
                version=case.version,
                actor=clinician,
                bp_systolic=systolic,
                bp_diastolic=80,
                bp_date=SAME_INSTANT.date(),
            )

    vitals_lines = _timeline(case, AuditAction.VITALS)
    assert len(vitals_lines) == 2
    for entry in vitals_lines:
        assert entry.vitals is not None
        assert ("Systolic (mmHg)", "—", str(entry.vitals.bp_systolic)) in entry.changes
    assert {entry.vitals.bp_systolic for entry in vitals_lines} == {150, 124}

    screen_lines = [entry for entry in _timeline(case, AuditAction.SCREEN) if entry.event is not None]
    by_systolic = {entry.result.facts["vitals"]["bp_systolic"]: entry for entry in screen_lines if entry.result}
    # Each re-screening line holds the result computed on its own reading.
    assert set(by_systolic) == {150, 124}
    for systolic, entry in by_systolic.items():
        assert entry.event.changes["overall"]["after"] == entry.result.overall
        assert entry.event.changes[RECORD_KEY]["id"] == entry.result.pk
    # The record key is how a line is linked, never shown as a change.
    assert all(label != "record" for entry in vitals_lines + screen_lines for label, _b, _a in entry.changes)
    assert list(audit_chain_problems()) == []


def test_a_request_for_information_line_holds_its_request_and_says_whether_it_was_answered(
    clinician_client, clinician, case
):
    with time_machine.travel(SAME_INSTANT, tick=False):
        case.refresh_from_db()
        asked = services.case_request_info(
            case_id=case.pk, version=case.version, actor=clinician, steps=["heart"], message="Your BP, please."
        )
        # A second request, made behind the services' back at the same instant, stands alone.
        InfoRequest.objects.create(case=case, requested_by=clinician, steps=["goals"], message="Made outside the app.")

    entries = _timeline(case, AuditAction.REQUEST_INFO)
    linked = next(entry for entry in entries if entry.event is not None)
    alone = next(entry for entry in entries if entry.event is None)
    assert linked.info_request == asked
    assert alone.info_request.message == "Made outside the app."
    assert ("Message to the patient", "", "Made outside the app.") in alone.changes

    body = clinician_client.get(reverse("review:case", args=[case.pk])).content.decode()
    timeline = body.split('id="timeline"', 1)[1]
    assert timeline.count("Not answered yet") == 2

    InfoRequest.objects.filter(pk=asked.pk).update(resolved_at=SAME_INSTANT + dt.timedelta(days=1))
    body = clinician_client.get(reverse("review:case", args=[case.pk])).content.decode()
    timeline = body.split('id="timeline"', 1)[1]
    assert timeline.count("Not answered yet") == 1
    assert "Answered by the patient: <time" in timeline


def test_each_line_shows_its_time_in_the_clinics_time_zone(clinician_client, clinician, case):
    # 10:00 UTC on 30 November is 05:00 in New York (the clinic's zone in the test settings).
    with time_machine.travel(SAME_INSTANT, tick=False):
        _note(case, clinician, "Called the patient.")

    html = clinician_client.get(reverse("review:case", args=[case.pk])).content.decode()

    assert '<time datetime="2026-11-30T05:00:00-05:00">2026-11-30 05:00:00</time>' in html


def test_views_in_a_row_by_one_person_are_one_line_and_every_view_stays_audited(
    clinician_client, clinician, other_clinician, case
):
    from clinic.audit import audit_record
    from clinic.models import AuditEvent

    start = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)
    for minute in range(3):  # the clinician reads the case three times …
        with time_machine.travel(start + dt.timedelta(minutes=minute), tick=False):
            audit_record(actor=clinician, action=AuditAction.VIEW, target=case)
    with time_machine.travel(start + dt.timedelta(minutes=5), tick=False):
        audit_record(actor=other_clinician, action=AuditAction.VIEW, target=case)  # … a colleague once …
    with time_machine.travel(start + dt.timedelta(minutes=6), tick=False):
        _note(case, clinician, "Called the patient.")  # … a note between …
    for minute in (7, 8):
        with time_machine.travel(start + dt.timedelta(minutes=minute), tick=False):
            audit_record(actor=clinician, action=AuditAction.VIEW, target=case)  # … and two more reads.

    views = [(entry.actor, entry.views, entry.first_at) for entry in _timeline(case, AuditAction.VIEW)]

    assert views == [
        (clinician, 2, start + dt.timedelta(minutes=7)),
        (other_clinician, 1, None),
        (clinician, 3, start),
    ]
    # Nothing is left out of the audit trail itself, only folded on the page.
    assert AuditEvent.objects.filter(action=AuditAction.VIEW, target_id=str(case.pk)).count() == 6
    with time_machine.travel(start + dt.timedelta(minutes=9), tick=False):
        html = clinician_client.get(reverse("review:case", args=[case.pk])).content.decode()
    timeline = html.split('id="timeline"', 1)[1]
    assert "<strong>Viewed 3 times</strong>" in timeline
    assert '<time datetime="2026-11-30T04:00:00-05:00">2026-11-30 04:00:00</time> to ' in timeline
