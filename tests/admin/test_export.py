"""The CSV export of intakes: content, quoting, spreadsheet-formula neutralising, audit."""

from __future__ import annotations

import csv
import datetime as dt
import io
from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clinic.models import AuditAction, AuditEvent
from intake.models import Intake
from screening.exports import COLUMNS, csv_cell
from screening.models import Level, ScreeningResult
from tests.admin.conftest import changelist_url
from tests.conftest import sign_in_staff
from tests.factories import DecisionFactory, DraftIntakeFactory, UserFactory, canned_result, make_case

TRICKY_NAMES = ["Smith, Ann", 'Ann "Annie" Smith', "=1+1", "+44 Pat", "-Lee", "@SUM(A1)", "\tTabby", "Zoë Ünal"]


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("\n=1", "'\n=1"),
        ("Smith, Ann", "Smith, Ann"),
        ("Ann = 1", "Ann = 1"),
        ("", ""),
        (None, ""),
        (42, "42"),
        (dt.date(1980, 5, 1), "1980-05-01"),
    ],
)
def test_a_cell_a_spreadsheet_would_evaluate_is_prefixed_with_a_quote(value, cell):
    assert csv_cell(value) == cell


def test_a_datetime_cell_is_in_the_clinic_time_zone_without_microseconds():
    moment = dt.datetime(2026, 3, 1, 15, 30, 12, 345678, tzinfo=dt.UTC)
    assert csv_cell(moment) == "2026-03-01T10:30:12-05:00"


def _export(client, intakes):
    return client.post(
        changelist_url(Intake), {"action": "export_csv", "_selected_action": [intake.pk for intake in intakes]}
    )


def _content(response) -> bytes:
    """The whole body of the streamed export."""
    return b"".join(response.streaming_content)


def _rows(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(_content(response).decode("utf-8-sig"))))


@pytest.mark.django_db
def test_the_export_is_a_csv_attachment_that_is_never_cached(admin_client_):
    response = _export(admin_client_, [make_case().intake])
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="intakes-')
    assert response["Content-Disposition"].endswith('.csv"')
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


@pytest.mark.django_db
def test_the_export_has_one_row_per_selected_intake_with_its_latest_outcome(admin_client_):
    case = make_case(flags=(("BP-07", "INCOMPLETE"),))
    ScreeningResult.objects.create(
        intake=case.intake,
        trigger="admin",
        ruleset="2026.2",
        overall=Level.CAUTION,
        facts={},
        result=canned_result(("BP-02", "CAUTION")),
        created_at=timezone.now() + dt.timedelta(minutes=5),
    )
    decision = DecisionFactory(case=case, outcome="referred")
    unselected = make_case()
    draft = DraftIntakeFactory()

    rows = _rows(_export(admin_client_, [case.intake, draft]))

    assert [row["intake_id"] for row in rows] == sorted([str(case.intake.pk), str(draft.pk)])
    assert str(unselected.intake.pk) not in {row["intake_id"] for row in rows}
    by_id = {row["intake_id"]: row for row in rows}
    screened = by_id[str(case.intake.pk)]
    assert screened["patient_name"] == case.intake.patient.user.full_name
    assert screened["patient_email"] == case.intake.patient.user.email
    assert screened["date_of_birth"] == "1980-05-01"
    assert screened["status"] == "submitted"
    assert screened["latest_outcome"] == "CAUTION"
    assert screened["ruleset"] == "2026.2"
    assert screened["latest_decision"] == "referred"
    assert screened["decided_at"] == csv_cell(decision.decided_at)
    unscreened = by_id[str(draft.pk)]
    assert (unscreened["status"], unscreened["latest_outcome"], unscreened["submitted_at"]) == ("draft", "", "")
    assert list(rows[0]) == [header for header, _ in COLUMNS]


@pytest.mark.django_db
def test_names_with_commas_quotes_and_formulas_survive_and_are_neutralised(admin_client_):
    intakes = [make_case(user=UserFactory(full_name=name)).intake for name in TRICKY_NAMES]
    response = _export(admin_client_, intakes)
    content = _content(response)
    names = [row["patient_name"] for row in csv.DictReader(io.StringIO(content.decode("utf-8-sig")))]
    assert names == [
        "Smith, Ann",
        'Ann "Annie" Smith',
        "'=1+1",
        "'+44 Pat",
        "'-Lee",
        "'@SUM(A1)",
        "'\tTabby",
        "Zoë Ünal",
    ]
    text = content.decode("utf-8-sig")
    assert '"Smith, Ann"' in text
    assert '"Ann ""Annie"" Smith"' in text
    assert '"\'=1+1"' in text
    assert ',"=1+1"' not in text
    assert content.startswith(b"\xef\xbb\xbf")


@pytest.mark.django_db
def test_the_export_is_audited_with_the_filter_and_count_but_no_ids_or_health_values(admin_client_, admin_user):
    cases = [
        make_case(user=UserFactory(full_name=f"Patient {n}"), flags=(("SAF-01", "URGENT_SAFETY"),)) for n in (1, 2)
    ]
    admin_client_.post(
        changelist_url(Intake) + "?status__exact=submitted&q=Patient&o=2",
        {"action": "export_csv", "_selected_action": [case.intake.pk for case in cases]},
    )
    [event] = AuditEvent.objects.filter(action=AuditAction.EXPORT)
    assert event.actor == admin_user
    assert event.changes == {
        "filters": {"status__exact": "submitted"},
        "searching": True,
        "selected": "2 ticked on the page",
        "count": 2,
    }
    assert event.summary == "Exported 2 intake(s) to CSV (2 ticked on the page)"
    assert "URGENT" not in event.summary
    assert "Patient" not in str(event.changes) + event.summary


@pytest.mark.django_db
def test_an_export_of_everything_matching_records_the_selection_not_each_id(admin_client_):
    intakes = [make_case().intake for _ in range(3)]
    response = admin_client_.post(
        changelist_url(Intake), {"action": "export_csv", "select_across": "1", "_selected_action": [intakes[0].pk]}
    )
    assert len(_rows(response)) == 3
    [event] = AuditEvent.objects.filter(action=AuditAction.EXPORT)
    assert event.changes == {
        "filters": {},
        "searching": False,
        "selected": "all matching the list's filters",
        "count": 3,
    }
    assert event.summary == "Exported 3 intake(s) to CSV (all matching the list's filters)"


@pytest.mark.django_db
def test_the_export_streams_in_chunks_of_rows(admin_client_, monkeypatch):
    monkeypatch.setattr("screening.exports.ROWS_PER_CHUNK", 2)
    intakes = [make_case().intake for _ in range(5)]
    response = _export(admin_client_, intakes)
    assert response.streaming
    chunks = list(response.streaming_content)
    # The header, then rows two by two: 2, 2, 1.
    assert [chunk.count(b"\r\n") for chunk in chunks] == [1, 2, 2, 1]


@pytest.mark.django_db
def test_the_export_query_count_does_not_grow_with_intakes(admin_client_):
    def queries_for(intakes) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = _export(admin_client_, intakes)
            assert response.status_code == HTTPStatus.OK
            _content(response)
        return len(queries)

    intakes = [make_case().intake for _ in range(3)]
    with_3 = queries_for(intakes)
    intakes += [make_case().intake for _ in range(27)]
    assert queries_for(intakes) == with_3


@pytest.mark.django_db
def test_a_clinician_cannot_export(client, clinician):
    intake = make_case().intake
    sign_in_staff(client, clinician)
    response = _export(client, [intake])
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith("/admin/login/")
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("order", ["-6", "7", "2"])
def test_the_export_works_from_a_sorted_and_filtered_list(admin_client_, order):
    intakes = [make_case(flags=(("BP-02", "CAUTION"),)).intake, make_case().intake]
    response = admin_client_.post(
        changelist_url(Intake) + f"?o={order}&status__exact=submitted",
        {"action": "export_csv", "_selected_action": [intake.pk for intake in intakes]},
    )
    assert sorted(row["intake_id"] for row in _rows(response)) == sorted(str(intake.pk) for intake in intakes)


@pytest.mark.django_db
def test_selecting_every_intake_across_pages_exports_them_all(admin_client_):
    intakes = [make_case().intake for _ in range(3)]
    response = admin_client_.post(
        changelist_url(Intake), {"action": "export_csv", "select_across": "1", "_selected_action": [intakes[0].pk]}
    )
    assert len(_rows(response)) == 3
