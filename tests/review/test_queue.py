"""The clinician queue: order, filters, search, counts per level, pagination, query count."""

from __future__ import annotations

import datetime as dt
import logging
from http import HTTPStatus

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from intake.models import IntakeStatus
from screening.models import Case, CaseStatus, Level, ScreeningTrigger
from screening.services import case_record_vitals, screening_run
from screening.views import QUEUE_PAGE_SIZE
from tests.conftest import sign_in_staff
from tests.factories import PatientFactory, SubmittedIntakeFactory, UserFactory, make_case

pytestmark = pytest.mark.django_db

QUEUE = "/review/"


def _order(response) -> list[int]:
    return [case.pk for case in response.context["page"].object_list]


def _at(days_ago: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days_ago)


def _named(name: str, **kwargs) -> Case:
    first, last = name.lower().split()
    return make_case(user=UserFactory(full_name=name, email=f"{first}.{last}@example.org"), **kwargs)


def test_it_works(clinician_client, case):
    response = clinician_client.get(QUEUE)
    assert response.status_code == HTTPStatus.OK
    assert "no-store" in response["Cache-Control"]
    assert "Alice Patient" in response.content.decode()


def test_it_puts_unacknowledged_urgent_first_then_safety_review_then_oldest(clinician_client):
    old_caution = make_case(flags=(("BP-03", "CAUTION"),), submitted_at=_at(10))
    newer_incomplete = make_case(flags=(("BP-07", "INCOMPLETE"),), submitted_at=_at(5))
    safety = make_case(flags=(("SAF-05", "SAFETY_REVIEW"),), submitted_at=_at(1))
    medical = make_case(flags=(("BP-01", "URGENT_MEDICAL"),), submitted_at=_at(2))
    suicide = make_case(flags=(("SAF-01", "URGENT_SAFETY"),), submitted_at=_at(0))
    acknowledged = make_case(flags=(("SAF-03", "URGENT_SAFETY"),), submitted_at=_at(3), urgent_acknowledged=True)

    order = _order(clinician_client.get(QUEUE))

    # Acknowledged urgent cases rank with safety reviews (oldest first), above routine cases.
    assert order == [suicide.pk, medical.pk, acknowledged.pk, safety.pk, old_caution.pk, newer_incomplete.pk]


def test_it_places_a_draft_alert_by_the_time_its_alert_was_raised(clinician_client):
    submitted = make_case(flags=(("SAF-01", "URGENT_SAFETY"),), submitted_at=_at(2))
    intake = SubmittedIntakeFactory(status=IntakeStatus.DRAFT, submitted_at=None, submission_count=0)
    draft = Case.objects.create(
        intake=intake,
        status=CaseStatus.ALERT,
        overall=Level.URGENT_SAFETY,
        priority=0,
        urgent_level=Level.URGENT_SAFETY,
        urgent_raised_at=_at(4),
    )

    response = clinician_client.get(QUEUE)

    assert _order(response) == [draft.pk, submitted.pk]
    assert "(draft alert)" in response.content.decode()


def test_it_shows_the_level_in_words(clinician_client):
    make_case(flags=(("PSY-13", "INFO"),))
    body = clinician_client.get(QUEUE).content.decode()
    assert "No automated flags — clinician review required" in body


def test_it_filters_by_level(clinician_client):
    caution = make_case(flags=(("BP-03", "CAUTION"),))
    make_case(flags=(("BP-07", "INCOMPLETE"),))
    assert _order(clinician_client.get(QUEUE, {"level": "CAUTION"})) == [caution.pk]


def test_it_leaves_decided_cases_out_unless_asked(clinician_client):
    open_case = make_case()
    decided = make_case(status=CaseStatus.DECIDED)
    assert _order(clinician_client.get(QUEUE)) == [open_case.pk]
    assert _order(clinician_client.get(QUEUE, {"status": "decided"})) == [decided.pk]
    assert set(_order(clinician_client.get(QUEUE, {"status": "any"}))) == {open_case.pk, decided.pk}


def test_it_filters_by_assigned_clinician(clinician_client, clinician, other_clinician):
    mine = make_case(assigned_to=clinician)
    dans = make_case(assigned_to=other_clinician)
    nobodys = make_case()
    assert _order(clinician_client.get(QUEUE, {"assigned": "me"})) == [mine.pk]
    assert _order(clinician_client.get(QUEUE, {"assigned": "nobody"})) == [nobodys.pk]
    assert _order(clinician_client.get(QUEUE, {"assigned": str(other_clinician.pk)})) == [dans.pk]


def test_it_filters_by_date(clinician_client):
    with time_machine.travel(dt.datetime(2026, 3, 10, 15, tzinfo=dt.UTC), tick=False):
        make_case(submitted_at=timezone.now() - dt.timedelta(days=9))
        middle = make_case(submitted_at=timezone.now() - dt.timedelta(days=5))
        make_case(submitted_at=timezone.now() - dt.timedelta(days=1))
        response = clinician_client.get(QUEUE, {"date_from": "2026-03-04", "date_to": "2026-03-06"})
    assert _order(response) == [middle.pk]


def test_an_invalid_filter_shows_an_error_beside_it_and_no_500(clinician_client, case):
    response = clinician_client.get(QUEUE, {"level": "BOGUS", "date_from": "2026-13-45", "assigned": "x"})
    assert response.status_code == HTTPStatus.OK
    form = response.context["filter_form"]
    assert {"level", "date_from", "assigned"} <= set(form.errors)
    assert _order(response) == [case.pk]


def test_a_start_date_after_the_end_date_is_refused(clinician_client, case):
    response = clinician_client.get(QUEUE, {"date_from": "2026-03-06", "date_to": "2026-03-01"})
    assert "date_to" in response.context["filter_form"].errors
    assert _order(response) == [case.pk]


def test_it_counts_cases_per_level(clinician_client):
    make_case(flags=(("BP-03", "CAUTION"),))
    make_case(flags=(("BP-05", "CAUTION"),))
    make_case(flags=(("BP-07", "INCOMPLETE"),))
    counts = {level: n for level, _label, n in clinician_client.get(QUEUE).context["level_counts"]}
    assert counts["CAUTION"] == 2
    assert counts["INCOMPLETE"] == 1
    assert counts["URGENT_SAFETY"] == 0


def test_the_counts_ignore_the_level_filter_so_each_stays_choosable(clinician_client):
    make_case(flags=(("BP-03", "CAUTION"),))
    make_case(flags=(("BP-07", "INCOMPLETE"),))
    response = clinician_client.get(QUEUE, {"level": "CAUTION"})
    counts = {level: n for level, _label, n in response.context["level_counts"]}
    assert (counts["CAUTION"], counts["INCOMPLETE"]) == (1, 1)


def test_it_pages_the_queue(clinician_client):
    for _ in range(QUEUE_PAGE_SIZE + 2):
        make_case()
    first = clinician_client.get(QUEUE)
    second = clinician_client.get(QUEUE, {"page": "2"})
    assert len(first.context["page"].object_list) == QUEUE_PAGE_SIZE
    assert len(second.context["page"].object_list) == 2
    assert "Next" in first.content.decode()
    # A page number that is not a number is the first page, never an error.
    assert clinician_client.get(QUEUE, {"page": "abc"}).status_code == HTTPStatus.OK


def _search(client, terms: str):
    response = client.post(reverse("review:search"), {"q": terms})
    assert response.status_code == HTTPStatus.FOUND
    return response


def test_a_search_by_name_keeps_the_name_out_of_the_address_bar(clinician_client):
    wanted = _named("Zelda Quartermaine")
    _named("Yusuf Other")

    redirect = _search(clinician_client, "quarter")

    assert "quarter" not in redirect.url.lower()
    assert redirect.url.startswith("/review/?search=")
    response = clinician_client.get(redirect.url)
    assert _order(response) == [wanted.pk]
    assert response.context["searching"]


def test_a_search_finds_by_email_and_by_date_of_birth(clinician_client):
    by_email = _named("Quinn Mail")
    patient = PatientFactory(user=UserFactory(full_name="Rory Born"))
    born = make_case(intake=SubmittedIntakeFactory(patient=patient, date_of_birth=dt.date(1971, 2, 3)))

    assert _order(clinician_client.get(_search(clinician_client, "quinn.mail@example").url)) == [by_email.pk]
    assert _order(clinician_client.get(_search(clinician_client, "1971-02-03").url)) == [born.pk]
    assert _order(clinician_client.get(_search(clinician_client, "02/03/1971").url)) == [born.pk]


def test_a_search_combines_with_the_filters(clinician_client):
    _named("Wanda Caution", flags=(("BP-03", "CAUTION"),))
    incomplete = _named("Wanda Incomplete")
    url = _search(clinician_client, "wanda").url
    token = url.split("=", 1)[1]
    assert _order(clinician_client.get(QUEUE, {"search": token, "level": "INCOMPLETE"})) == [incomplete.pk]


def test_a_search_token_from_another_session_finds_nothing(client, clinician, other_clinician):
    _named("Xavier Secret")
    sign_in_staff(client, clinician)
    url = _search(client, "xavier").url
    sign_in_staff(client, other_clinician)
    response = client.get(url)
    assert not response.context["searching"]
    assert "no longer available" in response.content.decode()


def test_a_search_can_be_cleared(clinician_client):
    _named("Victor Clear")
    url = _search(clinician_client, "victor").url
    clinician_client.post(reverse("review:search"), {"clear": "1"})
    assert not clinician_client.get(url).context["searching"]


def test_an_empty_search_is_refused_with_a_message(clinician_client):
    response = clinician_client.post(reverse("review:search"), {"q": "  "}, follow=True)
    assert "Type a name" in response.content.decode()


def test_the_search_terms_reach_no_log(clinician_client, caplog):
    _named("Ursula Logless")
    with caplog.at_level(logging.DEBUG):
        clinician_client.get(clinician_client.post(reverse("review:search"), {"q": "Logless"}).url)
    assert "logless" not in caplog.text.lower()


def test_the_search_page_takes_no_get(clinician_client):
    assert clinician_client.get(reverse("review:search"), {"q": "x"}).status_code == HTTPStatus.METHOD_NOT_ALLOWED


@pytest.mark.parametrize("cases", [3, 30])
def test_the_queue_runs_the_same_queries_for_3_and_30_cases(
    clinician_client, clinician, other_clinician, cases, django_assert_num_queries
):
    for n in range(cases):
        make_case(
            flags=((("SAF-01", "URGENT_SAFETY"),) if n % 3 == 0 else (("BP-01", "URGENT_MEDICAL"),)),
            assigned_to=clinician if n % 2 else other_clinician,
        )
    clinician_client.get(QUEUE)  # the session is created on the first request
    # 1. the session, 2. the user, 3. the verified second-factor device, 4. SAVEPOINT
    # (ATOMIC_REQUESTS), 5. the user's groups, 6. the clinicians for the "assigned to" filter,
    # 7. the count for the paginator, 8. the counts per level (one aggregate), 9. the page of
    # cases with patient, assignee and latest result joined (the result's blood pressure read
    # in the same query, for each row's one-line reason: no query per row), 10. the audit
    # chain's last hash, 11. the audit line for this read of the queue (after the chain's
    # advisory lock on PostgreSQL, +1), 12. RELEASE SAVEPOINT, 13–15. the session saved
    # (SAVEPOINT, UPDATE, RELEASE) because every request renews its expiry.
    with django_assert_num_queries(15 + (connection.vendor == "postgresql")):
        response = clinician_client.get(QUEUE, {"status": "any"})
    assert len(response.context["page"].object_list) == min(cases, QUEUE_PAGE_SIZE)
    assert all(case.reason for case in response.context["page"].object_list)


def _screened(name: str, **answers) -> Case:
    first, last = name.lower().split()
    user = UserFactory(full_name=name, email=f"{first}.{last}@example.org")
    intake = SubmittedIntakeFactory(patient=PatientFactory(user=user), **answers)
    screening_run(intake=intake, trigger=ScreeningTrigger.SUBMIT)
    return Case.objects.get(intake=intake)


@time_machine.travel(dt.datetime(2026, 11, 30, 15, 0, tzinfo=dt.UTC), tick=False)
def test_each_urgent_or_safety_row_says_why_in_one_line(clinician_client, clinician):
    suicide = _screened("Sam Nine", phq9_9=2)
    crisis = _screened("Pat Pressure")
    case_record_vitals(
        case_id=crisis.pk,
        version=Case.objects.get(pk=crisis.pk).version,
        actor=clinician,
        bp_systolic=190,
        bp_diastolic=100,
        bp_date=dt.date(2026, 11, 29),
    )
    routine = _screened("Robin Routine")

    response = clinician_client.get(QUEUE)

    reasons = {case.pk: case.reason for case in response.context["page"].object_list}
    assert reasons == {
        suicide.pk: "PHQ-9 item 9 answered 2",
        crisis.pk: "Measured BP 190/100 on 29 Nov",
        routine.pk: "",
    }
    body = response.content.decode()
    row = body.split(f'data-case="{suicide.pk}"', 1)[1].split("</tr>", 1)[0]
    assert "PHQ-9 item 9 answered 2" in row
    assert "Urgent: suicide risk</span>" in row  # the outcome badge
    routine_row = body.split(f'data-case="{routine.pk}"', 1)[1].split("</tr>", 1)[0]
    assert 'data-testid="reason"' not in routine_row


def test_a_non_ascii_search_token_in_the_address_is_no_search_not_an_error(clinician_client):
    assert clinician_client.get(QUEUE, {"search": "é"}).status_code == 200


@pytest.mark.parametrize("cases", [3, 30])
def test_the_default_queue_and_a_search_run_the_same_queries_for_3_and_30_cases(
    clinician_client, cases, django_assert_num_queries
):
    for n in range(cases):
        _named(f"Robin Number{n}", submitted_at=_at(n))
    clinician_client.get(QUEUE)  # the session is created on the first request
    # The default view (open cases): the same 15 (+1 on PostgreSQL) as with any status above:
    # 1. session, 2. user, 3. second-factor device, 4. SAVEPOINT, 5. groups, 6. the staff list
    # (role groups' members and superusers, by primary key), 7. count, 8. counts per level,
    # 9. the page in queue order (tier and waiting time are indexed columns), 10. the audit
    # chain's last hash (+ its advisory lock on PostgreSQL), 11. the audit line, 12. RELEASE,
    # 13–15. the session's renewed expiry saved.
    with django_assert_num_queries(15 + (connection.vendor == "postgresql")):
        response = clinician_client.get(QUEUE)
    assert len(response.context["page"].object_list) == min(cases, QUEUE_PAGE_SIZE)
    searched = _search(clinician_client, "robin")["Location"]
    # A search: the same queries, each narrowed by the name or e-mail.
    with django_assert_num_queries(15 + (connection.vendor == "postgresql")):
        response = clinician_client.get(searched)
    assert response.context["total"] == cases


def test_the_queue_reads_only_the_columns_a_row_shows_in_index_order(clinician_client):
    make_case()
    clinician_client.get(QUEUE)
    with CaptureQueriesContext(connection) as queries:
        clinician_client.get(QUEUE)
    [page] = [q["sql"] for q in queries.captured_queries if "ORDER BY" in q["sql"] and "screening_case" in q["sql"]]
    assert page.index('ORDER BY "screening_case"."tier" ASC, "screening_case"."waiting_since" ASC') > 0
    assert "CASE" not in page.split("ORDER BY")[1]
    # No intake answer is read for a row (of the facts document, only its blood pressure).
    assert '"intake_intake"."gad7_1"' not in page
    assert '"intake_intake"."date_of_birth"' in page
