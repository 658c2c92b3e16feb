"""The clinician queue: order, filters, search, counts per level, pagination, query count."""

from __future__ import annotations

import datetime as dt
import html
import logging
import re
from http import HTTPStatus
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.core import signing
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from intake.models import IntakeStatus
from screening.models import Case, CaseStatus, Level, ScreeningTrigger
from screening.queue_pages import CURSOR_SALT, Cursor, Total, seek
from screening.selectors import QueueFilters, queue_cases
from screening.services import case_record_vitals, screening_run
from screening.views import QUEUE_PAGE_SIZE
from tests.conftest import sign_in_staff
from tests.factories import PatientFactory, SubmittedIntakeFactory, UserFactory, make_case

pytestmark = pytest.mark.django_db

QUEUE = "/review/"


def _order(response) -> list[int]:
    return [case.pk for case in response.context["page"].rows]


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
    counts = {each.level: each.count for each in clinician_client.get(QUEUE).context["level_counts"]}
    assert counts["CAUTION"] == 2
    assert counts["INCOMPLETE"] == 1
    assert counts["URGENT_SAFETY"] == 0


def test_the_counts_ignore_the_level_filter_so_each_stays_choosable(clinician_client):
    make_case(flags=(("BP-03", "CAUTION"),))
    make_case(flags=(("BP-07", "INCOMPLETE"),))
    response = clinician_client.get(QUEUE, {"level": "CAUTION"})
    counts = {each.level: each.count for each in response.context["level_counts"]}
    assert (counts["CAUTION"], counts["INCOMPLETE"]) == (1, 1)


def _link(response, rel: str) -> str | None:
    """The address of the page's "Previous" or "Next" link, as a browser would follow it."""
    found = re.search(rf'rel="{rel}" href="([^"]+)"', response.content.decode())
    return html.unescape(found.group(1)) if found else None


def _walk(client, url: str, rel: str = "next") -> list:
    """Every page from ``url`` on, following the links (bounded)."""
    pages = [client.get(url)]
    for _ in range(50):
        following = _link(pages[-1], rel)
        if following is None:
            break
        pages.append(client.get(following))
    return pages


def test_it_pages_the_queue_with_next_and_previous_links(clinician_client):
    made = [make_case(submitted_at=_at(days)).pk for days in range(2 * QUEUE_PAGE_SIZE + 3, 0, -1)]

    pages = _walk(clinician_client, QUEUE)

    assert [len(_order(page)) for page in pages] == [QUEUE_PAGE_SIZE, QUEUE_PAGE_SIZE, 3]
    assert [pk for page in pages for pk in _order(page)] == made  # oldest first, none twice, none missed
    assert [page.context["page"].number for page in pages] == [1, 2, 3]
    assert "Page 2 of 3" in pages[1].content.decode()
    assert "cursor=" in pages[1].request["QUERY_STRING"]
    assert "page=" not in pages[1].request["QUERY_STRING"]  # no OFFSET page number
    # Back from the last page: the same pages, the first one at the queue's plain address.
    back = _walk(clinician_client, pages[-1].request["PATH_INFO"] + "?" + pages[-1].request["QUERY_STRING"], "prev")
    assert [_order(page) for page in back] == [_order(page) for page in reversed(pages)]
    assert _link(pages[1], "prev").rstrip("?") == QUEUE
    assert _link(pages[0], "prev") is None and _link(pages[-1], "next") is None


def test_the_page_links_are_marked_up_for_assistive_technology(clinician_client):
    for days in range(QUEUE_PAGE_SIZE + 1):
        make_case(submitted_at=_at(days))
    second = clinician_client.get(_link(clinician_client.get(QUEUE), "next"))
    nav = second.content.decode().split('<nav aria-label="Queue pages">', 1)[1].split("</nav>", 1)[0]
    assert '<li class="page-item active" aria-current="page"><span class="page-link">Page 2 of 2</span>' in nav
    assert 'rel="prev"' in nav and 'Previous<span class="visually-hidden"> page</span>' in nav
    assert 'rel="next"' not in nav


def test_the_page_links_keep_the_filters(clinician_client):
    for days in range(QUEUE_PAGE_SIZE + 2):
        make_case(flags=(("BP-03", "CAUTION"),), submitted_at=_at(days))
    make_case(flags=(("BP-07", "INCOMPLETE"),))
    first = clinician_client.get(QUEUE, {"level": "CAUTION", "status": "any"})
    following = _link(first, "next")
    assert "level=CAUTION" in following and "status=any" in following
    second = clinician_client.get(following)
    assert len(_order(second)) == 2
    assert all(case.overall == "CAUTION" for case in second.context["page"].rows)
    # Changing a filter starts again on page 1 (the level links drop the cursor).
    level_links = second.content.decode().split('data-testid="level-counts"')[1].split("</ul>")[0]
    assert "cursor=" not in html.unescape(level_links)


def _cursor_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["cursor"][0]


@pytest.mark.parametrize(
    "bad",
    [
        "abc",
        "",
        "x" * 5000,
        "é",
        signing.dumps([2, 0, 3, "2026-01-01T00:00:00+00:00", 1], salt="another.purpose"),  # not signed for the queue
        signing.dumps([2, 0, 3, "yesterday", 1], salt=CURSOR_SALT),  # signed but not a time
        signing.dumps([2, 0, "3", "2026-01-01T00:00:00+00:00", 1], salt=CURSOR_SALT),  # a tier that is no number
        signing.dumps([2, 0, 3, "2026-01-01T00:00:00", 1], salt=CURSOR_SALT),  # a time without its zone
        signing.dumps({"page": 2}, salt=CURSOR_SALT),
    ],
    # Named, not shown: a signed value carries the time it was made, and pytest-xdist's workers
    # must collect the same test ids.
    ids=["letters", "empty", "very-long", "accented", "other-salt", "no-time", "tier-text", "naive-time", "a-dict"],
)
def test_a_cursor_that_is_not_ours_shows_the_first_page_and_no_500(clinician_client, bad):
    for days in range(QUEUE_PAGE_SIZE + 2):
        make_case(submitted_at=_at(days))
    first = _order(clinician_client.get(QUEUE))

    response = clinician_client.get(QUEUE, {"cursor": bad})

    assert response.status_code == HTTPStatus.OK
    assert _order(response) == first
    assert response.context["page"].number == 1


def test_a_tampered_cursor_and_an_old_page_number_show_the_first_page(clinician_client):
    for days in range(QUEUE_PAGE_SIZE + 2):
        make_case(submitted_at=_at(days))
    first = clinician_client.get(QUEUE)
    cursor = _cursor_of(_link(first, "next"))
    payload, rest = cursor.split(":", 1)
    forged = signing.b64_encode(b'[2,0,3,"2000-01-01T00:00:00+00:00",1]').decode() + ":" + rest
    for address in (f"{QUEUE}?cursor={forged}", f"{QUEUE}?cursor={payload}", f"{QUEUE}?page=2"):
        response = clinician_client.get(address)
        assert response.status_code == HTTPStatus.OK
        assert _order(response) == _order(first)


def test_going_back_after_earlier_cases_were_decided_shows_a_full_first_page(clinician_client):
    made = [make_case(submitted_at=_at(days)).pk for days in range(2 * QUEUE_PAGE_SIZE + 3, 0, -1)]
    third = _walk(clinician_client, QUEUE)[2]
    Case.objects.filter(pk__in=made[: QUEUE_PAGE_SIZE + 5]).update(status=CaseStatus.DECIDED)

    second = clinician_client.get(_link(third, "prev"))

    assert _order(second) == made[QUEUE_PAGE_SIZE + 5 : 2 * QUEUE_PAGE_SIZE + 5]
    assert second.context["page"].number == 1
    assert _link(second, "prev") is None


def test_a_cursor_past_the_last_case_shows_the_first_page(clinician_client):
    made = [make_case(submitted_at=_at(days)).pk for days in range(QUEUE_PAGE_SIZE + 2, 0, -1)]
    second_address = _link(clinician_client.get(QUEUE), "next")
    Case.objects.filter(pk__in=made[QUEUE_PAGE_SIZE:]).update(status=CaseStatus.DECIDED)

    response = clinician_client.get(second_address)

    assert _order(response) == made[:QUEUE_PAGE_SIZE]
    assert response.context["page"].number == 1


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
    # 1. the session, its user and their role groups (one query, clinic/sessions.py), 2. the
    # verified second-factor device, 3. SAVEPOINT (ATOMIC_REQUESTS), 4. the clinicians for the
    # "assigned to" filter, 5. the counts per level (one aggregate; their sum is the total: no
    # separate count), 6. the page of cases with patient, assignee and latest result joined (the
    # result's blood pressure read in the same query, for each row's one-line reason: no query
    # per row), 7. the audit chain's last hash, 8. the audit line for this read of the queue
    # (after the chain's advisory lock on PostgreSQL, +1), 9. RELEASE SAVEPOINT. The session's
    # expiry is not rewritten within a minute of its last renewal (clinic/sessions.py).
    with django_assert_num_queries(9 + (connection.vendor == "postgresql")):
        response = clinician_client.get(QUEUE, {"status": "any"})
    assert len(response.context["page"].rows) == min(cases, QUEUE_PAGE_SIZE)
    assert all(case.reason for case in response.context["page"].rows)


@pytest.mark.parametrize("cases", [3, 30])
def test_a_deep_page_runs_the_same_queries_as_the_first_for_3_and_30_cases(
    clinician_client, cases, monkeypatch, django_assert_num_queries
):
    monkeypatch.setattr("screening.views.QUEUE_PAGE_SIZE", 2)
    for n in range(cases):
        make_case(submitted_at=_at(n))
    pages = _walk(clinician_client, QUEUE)
    assert len(pages) == (cases + 1) // 2
    last = pages[-1].request
    deep = f"{last['PATH_INFO']}?{last['QUERY_STRING']}"  # page 2 of 2, or page 15 of 15
    # 1. the session, its user and their role groups (one query), 2. second-factor device,
    # 3. SAVEPOINT, 4. the staff list, 5. counts per level (and so the total), 6. the page: the
    # rows after the cursor's (tier, waiting_since, id), read from the queue's index with LIMIT
    # size + 1 (no OFFSET, so as cheap deep as on page 1), 7. the audit chain's last hash (+ its
    # advisory lock on PostgreSQL), 8. the audit line, 9. RELEASE.
    for address in (QUEUE, deep):
        with django_assert_num_queries(9 + (connection.vendor == "postgresql")):
            response = clinician_client.get(address)
        assert response.context["page"].rows
    assert response.context["page"].number == len(pages)


def test_a_broad_search_stops_counting_past_the_cap(clinician_client, monkeypatch, django_assert_num_queries):
    monkeypatch.setattr("screening.selectors.SEARCH_COUNT_CAP", 4)
    monkeypatch.setattr("screening.views.QUEUE_PAGE_SIZE", 2)
    for n in range(6):
        _named(f"Robin Broad{'abcdef'[n]}", submitted_at=_at(n))
    _named("Robin Caution", flags=(("BP-03", "CAUTION"),))
    _named("Other Person", flags=(("BP-03", "CAUTION"),))
    searched = _search(clinician_client, "robin")["Location"]

    with CaptureQueriesContext(connection) as queries:
        response = clinician_client.get(searched)

    assert response.context["total"] == Total(4, capped=True)
    body = response.content.decode()
    assert "More than 4 cases matching your search, page 1." in body
    # The counts read at most cap + 1 rows (a LIMIT), never every match: one query for both.
    sql = [q["sql"] for q in queries.captured_queries if '"screening_case"' in q["sql"] and "ORDER BY" not in q["sql"]]
    assert len(sql) == 1 and "LIMIT 5" in sql[0] and "COUNT" not in sql[0].upper()
    counts = {each.level: each for each in response.context["level_counts"]}
    assert all(each.at_least for each in counts.values())
    assert sum(each.count for each in counts.values()) == 5
    shown = counts["INCOMPLETE"].count
    assert f'<span class="visually-hidden">at least </span>{shown}<span aria-hidden="true">+</span>' in body
    # The pages go on without a last page number.
    second = clinician_client.get(_link(response, "next"))
    assert '<span class="page-link">Page 2</span>' in second.content.decode()
    assert len(_order(second)) == 2


def test_a_level_filter_on_a_broad_search_has_its_own_capped_count(
    clinician_client, monkeypatch, django_assert_num_queries
):
    monkeypatch.setattr("screening.selectors.SEARCH_COUNT_CAP", 4)
    for n in range(3):
        _named(f"Robin Broad{'abc'[n]}", flags=(("BP-03", "CAUTION"),))
    for n in range(3):
        _named(f"Robin Other{'abc'[n]}")
    token = _search(clinician_client, "robin")["Location"].split("=", 1)[1]
    clinician_client.get(QUEUE)

    # The 9 (+1) of a search, and one more: the caution matches counted up to cap + 1 (the
    # sample of levels was cut at the cap, so it cannot say how many are cautions).
    with django_assert_num_queries(10 + (connection.vendor == "postgresql")):
        response = clinician_client.get(QUEUE, {"search": token, "level": "CAUTION"})

    assert response.context["total"] == Total(3)
    assert len(_order(response)) == 3


def test_a_narrow_search_counts_exactly(clinician_client):
    _named("Robin Narrow")
    _named("Other Person")
    response = clinician_client.get(_search(clinician_client, "narrow")["Location"])
    assert response.context["total"] == Total(1)
    assert "1 case matching your search." in response.content.decode()
    assert not any(each.at_least for each in response.context["level_counts"])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the plan is PostgreSQL's")
def test_a_deep_page_is_read_from_the_queue_index_on_postgresql(clinician):
    for n in range(5):
        make_case(submitted_at=_at(n))
    cursor = Cursor(number=400, key=(3, timezone.now() - dt.timedelta(days=2), 3))
    cases = queue_cases(filters=QueueFilters(), user=clinician).filter(seek(cursor.key, before=False))
    with connection.cursor() as db:
        # A test database holds a handful of rows, where the planner may prefer scanning or
        # sorting them whatever the indexes; with both discouraged, the plan shows whether the
        # index can serve the seek and the order by itself (at 100,000 cases it is chosen).
        db.execute("SET LOCAL enable_seqscan = off")
        db.execute("SET LOCAL enable_sort = off")
        plan = cases[: QUEUE_PAGE_SIZE + 1].explain()
    assert "case_queue_open_idx" in plan
    # The cursor is the index scan's start (an Index Cond), not a filter over skipped rows.
    start = plan.split("case_queue_open_idx", 1)[1]
    assert "Index Cond: (ROW(tier, waiting_since, id) > ROW(" in start
    assert "Sort" not in plan.split("case_queue_open_idx", 1)[0]


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

    reasons = {case.pk: case.reason for case in response.context["page"].rows}
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
    # The default view (open cases): the same 9 (+1 on PostgreSQL) as with any status above:
    # 1. the session, its user and their role groups (one query), 2. second-factor device,
    # 3. SAVEPOINT, 4. the staff list (role groups' members and superusers, by primary key),
    # 5. counts per level (the total is their sum), 6. the page in queue order (tier and
    # waiting time are indexed columns), 7. the audit chain's last hash (+ its advisory lock on
    # PostgreSQL), 8. the audit line, 9. RELEASE.
    with django_assert_num_queries(9 + (connection.vendor == "postgresql")):
        response = clinician_client.get(QUEUE)
    assert len(response.context["page"].rows) == min(cases, QUEUE_PAGE_SIZE)
    searched = _search(clinician_client, "robin")["Location"]
    # A search: the same queries, each narrowed by the name or e-mail; 5. reads the levels of at
    # most 1,001 matches (a LIMIT) and counts them.
    with django_assert_num_queries(9 + (connection.vendor == "postgresql")):
        response = clinician_client.get(searched)
    assert response.context["total"] == Total(cases)


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
