"""The step view: one form per page, every post saved as a draft, errors beside their fields."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.db import connection
from django.urls import reverse

from intake.date_input import date_post
from intake.models import IntakeMedication, StepDraft
from intake.steps import STEP_BY_KEY, STEP_KEYS
from tests.factories import StepDraftFactory
from tests.intake.conftest import post_step, step_url


def test_it_shows_a_step(patient_client, intake):
    response = patient_client.get(step_url(intake, "heart"))
    assert response.status_code == HTTPStatus.OK
    body = response.content.decode()
    assert "Heart and circulation" in body
    assert "Step 3 of 12" in body
    assert 'aria-current="step"' in body


def test_every_step_page_loads(patient_client, intake):
    for key in (
        "about",
        "pregnancy",
        "heart",
        "medical",
        "mental_health",
        "phq9",
        "gad7",
        "cssrs",
        "substances",
        "medications",
        "goals",
    ):
        assert patient_client.get(step_url(intake, key)).status_code == HTTPStatus.OK, key


def test_an_unknown_step_is_404(patient_client, intake):
    assert patient_client.get(step_url(intake, "horoscope")).status_code == HTTPStatus.NOT_FOUND
    assert post_step(patient_client, intake, "horoscope", {}).status_code == HTTPStatus.NOT_FOUND


def test_a_valid_post_saves_the_answers_and_goes_to_the_next_step(patient_client, intake):
    response = post_step(patient_client, intake, "pregnancy", {"pregnancy_possible": "no", "breastfeeding": "unknown"})
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == step_url(intake, "heart")
    intake.refresh_from_db()
    assert intake.pregnancy_possible == "no"
    assert intake.breastfeeding == "unknown"
    assert intake.pregnant is None
    assert intake.current_step == "heart"
    draft = StepDraft.objects.get(intake=intake, step="pregnancy")
    assert draft.is_valid
    assert draft.data == {"pregnancy_possible": "no", "breastfeeding": "unknown"}


def test_save_and_go_back_saves_and_goes_to_the_previous_step(patient_client, intake):
    response = post_step(patient_client, intake, "heart", {"aneurysm": "no"}, action="back")
    assert response["Location"] == step_url(intake, "pregnancy")
    intake.refresh_from_db()
    assert intake.aneurysm == "no"


def test_the_last_step_leads_to_the_review_page(patient_client, intake):
    response = post_step(patient_client, intake, "goals", {"has_ride_home": "yes"})
    assert response["Location"] == reverse("intake:review", args=[intake.pk])


def test_invalid_input_is_kept_as_a_draft_and_shown_again_with_its_errors(patient_client, intake):
    intake.height_cm = 170
    intake.save()
    data = {
        **date_post("date_of_birth", "2999-01-01"),
        "height_cm": "500",
        "weight_lb": "150",
        "sex_at_birth": "female",
        "phone": "(555) 010-0199",
    }
    response = post_step(patient_client, intake, "about", data)

    assert response.status_code == HTTPStatus.OK
    body = response.content.decode()
    # Every typed value is on the page again...
    assert 'name="date_of_birth_year" value="2999"' in body
    assert 'value="500"' in body
    assert 'value="150"' in body
    assert 'value="female" checked' in body
    # ...and stored on the server, marked invalid.
    draft = StepDraft.objects.get(intake=intake, step="about")
    assert draft.data == data
    assert not draft.is_valid
    # The answers themselves are untouched until the page is valid.
    intake.refresh_from_db()
    assert intake.date_of_birth is None
    assert intake.height_cm == 170
    assert intake.current_step == "about"


def test_errors_are_summarised_at_the_top_and_tied_to_their_fields(patient_client, intake):
    response = post_step(
        patient_client, intake, "about", {**date_post("date_of_birth", "2999-01-01"), "sex_at_birth": "robot"}
    )
    body = response.content.decode()
    assert 'id="error-summary"' in body
    assert body.index('id="error-summary"') < body.index('id="step-form"')
    assert '<a href="#id_date_of_birth_day">' in body
    assert '<a href="#id_sex_at_birth_0">' in body
    assert 'aria-describedby="id_date_of_birth_helptext id_date_of_birth_error"' in body
    assert 'id="id_date_of_birth_error"' in body
    assert 'aria-invalid="true"' in body
    # A radio group is a fieldset with a legend, described by its error.
    assert (
        '<fieldset class="question" id="id_sex_at_birth" '
        'aria-describedby="id_sex_at_birth_helptext id_sex_at_birth_error">' in body
    )
    assert '<legend class="question-legend">Sex assigned at birth</legend>' in body
    assert "Select a valid choice" in body


def test_a_draft_is_shown_when_the_patient_comes_back_to_the_step(patient_client, intake):
    post_step(patient_client, intake, "heart", {"bp_known": "yes", "bp_systolic": "80", "bp_diastolic": "120"})
    response = patient_client.get(step_url(intake, "heart"))
    body = response.content.decode()
    assert 'value="80"' in body and 'value="120"' in body
    assert "must be lower than the top number" in body


def test_a_draft_saved_on_an_earlier_visit_is_what_the_page_shows(patient_client, intake):
    StepDraftFactory(
        intake=intake,
        step="goals",
        data={"treatment_goals": "Walk the dog again", "has_ride_home": "bogus"},
        is_valid=False,
    )
    body = patient_client.get(step_url(intake, "goals")).content.decode()
    assert "Walk the dog again</textarea>" in body
    assert "Select a valid choice" in body


def test_a_nul_byte_is_removed_and_reported_and_nothing_else_is_lost(patient_client, intake):
    response = post_step(
        patient_client, intake, "goals", {"treatment_goals": "Sleep\x00 better", "has_ride_home": "yes"}
    )
    assert response.status_code == HTTPStatus.OK
    assert "null byte" in response.content.decode()
    draft = StepDraft.objects.get(intake=intake, step="goals")
    assert draft.data["treatment_goals"] == "Sleep better"
    assert draft.data["has_ride_home"] == "yes"
    intake.refresh_from_db()
    assert intake.treatment_goals == ""
    # Saving again, now clean, goes through.
    response = post_step(patient_client, intake, "goals", draft.data)
    assert response.status_code == HTTPStatus.FOUND


def test_over_long_text_is_refused_and_kept(patient_client, intake):
    text = "a" * 4100
    response = post_step(patient_client, intake, "goals", {"treatment_goals": text})
    assert response.status_code == HTTPStatus.OK
    assert "at most 4000 characters" in response.content.decode()
    assert StepDraft.objects.get(intake=intake, step="goals").data["treatment_goals"] == text


def test_a_forged_choice_is_refused_and_the_draft_still_stored(patient_client, intake):
    response = post_step(patient_client, intake, "medical", {"glaucoma": "maybe", "delirium": "no"})
    assert response.status_code == HTTPStatus.OK
    assert "Select a valid choice" in response.content.decode()
    assert StepDraft.objects.get(intake=intake, step="medical").data == {"glaucoma": "maybe", "delirium": "no"}
    intake.refresh_from_db()
    assert intake.glaucoma is None and intake.delirium is None


def test_a_step_may_be_posted_out_of_order(patient_client, intake):
    """Patients may skip ahead; the skipped steps stay unanswered and listed as missing."""
    response = post_step(patient_client, intake, "goals", {"route_preference": "ketamine"})
    assert response.status_code == HTTPStatus.FOUND
    intake.refresh_from_db()
    assert intake.route_preference == "ketamine"
    assert intake.date_of_birth is None
    review = patient_client.get(reverse("intake:review", args=[intake.pk])).content.decode()
    assert "Date of birth" in review and "Still unanswered" in review


def test_a_post_with_a_tampered_row_count_is_an_error_not_a_crash(patient_client, intake):
    response = post_step(
        patient_client, intake, "medications", {"takes_medications": "yes", "meds-TOTAL_FORMS": "lots"}
    )
    assert response.status_code == HTTPStatus.OK
    assert StepDraft.objects.filter(intake=intake, step="medications").exists()


def test_add_another_row_saves_and_shows_a_new_row(patient_client, intake):
    data = {
        "takes_medications": "yes",
        "meds-TOTAL_FORMS": "1",
        "meds-INITIAL_FORMS": "0",
        "meds-0-name": "Sertraline",
        "meds-0-dose": "50 mg",
        "meds-0-frequency": "daily",
    }
    response = post_step(patient_client, intake, "medications", data, action="add-row")
    # The page opens at the new row (row 2), not at the top.
    assert response["Location"] == step_url(intake, "medications") + "#row-2"
    assert list(IntakeMedication.objects.filter(intake=intake).values_list("name", flat=True)) == ["Sertraline"]
    body = patient_client.get(step_url(intake, "medications")).content.decode()
    assert 'name="meds-1-name"' in body
    assert 'value="Sertraline"' in body


def test_remove_a_row_renumbers_the_rest(patient_client, intake):
    data = {
        "takes_medications": "yes",
        "meds-TOTAL_FORMS": "3",
        "meds-INITIAL_FORMS": "0",
        "meds-0-name": "Sertraline",
        "meds-1-name": "Xanax",
        "meds-2-name": "Lamotrigine",
    }
    response = post_step(patient_client, intake, "medications", data, action="remove-row-1")
    # The page opens where the removed row was: at the row now in its place.
    assert response["Location"] == step_url(intake, "medications") + "#row-2"
    assert list(IntakeMedication.objects.filter(intake=intake).values_list("name", flat=True)) == [
        "Sertraline",
        "Lamotrigine",
    ]
    draft = StepDraft.objects.get(intake=intake, step="medications")
    assert draft.data["meds-TOTAL_FORMS"] == "2"
    assert draft.data["meds-1-name"] == "Lamotrigine"


def meds(*names):
    rows = {f"meds-{index}-name": name for index, name in enumerate(names)}
    return {"takes_medications": "yes", "meds-TOTAL_FORMS": str(len(names)), "meds-INITIAL_FORMS": "0", **rows}


@pytest.mark.parametrize(
    ("names", "action", "anchor"),
    [
        ((), "add-row", "#row-1"),
        (("A", "B", "C", "D", "E", "F", "G", "H"), "add-row", "#row-9"),
        (("A", "B", "C"), "remove-row-0", "#row-1"),
        (("A", "B", "C"), "remove-row-2", "#row-2"),
        (("A",), "remove-row-0", "#rows"),
        (("A", "B"), "remove-row-7", ""),
        (("A", "B"), "next", ""),
    ],
    ids=["first", "ninth", "remove-first", "remove-last", "remove-only", "remove-missing", "save"],
)
def test_adding_or_removing_a_row_opens_the_page_at_the_row(patient_client, intake, names, action, anchor):
    response = post_step(patient_client, intake, "medications", meds(*names), action=action)
    following = "medications" if action != "next" else "goals"
    assert response["Location"] == step_url(intake, following) + anchor


def test_the_rows_carry_the_ids_the_page_opens_at(patient_client, intake):
    post_step(patient_client, intake, "mental_health", {"antidepressants_tried": "yes"}, action="add-row")
    post_step(
        patient_client, intake, "mental_health", {"trials-TOTAL_FORMS": "1", "trials-INITIAL_FORMS": "0"}, "add-row"
    )
    body = patient_client.get(step_url(intake, "mental_health")).content.decode()
    assert '<fieldset class="card mb-3 row-card" id="row-1">' in body
    assert '<fieldset class="card mb-3 row-card" id="row-2">' in body
    assert '<script src="/static/js/rows.js" defer></script>' in body
    # The page posts to its own address without the #row: the next page opens at its top.
    assert f'<form method="post" action="{step_url(intake, "mental_health")}" id="step-form"' in body


def test_adding_a_row_to_a_page_with_an_error_shows_the_error_first(patient_client, intake):
    response = post_step(patient_client, intake, "medications", {**meds("A"), "takes_medications": "no"}, "add-row")
    assert response.status_code == HTTPStatus.OK
    body = response.content.decode()
    assert 'id="error-summary"' in body and 'name="meds-1-name"' in body


def test_i_take_none_clears_listed_medications(patient_client, intake):
    post_step(
        patient_client,
        intake,
        "medications",
        {"takes_medications": "yes", "meds-TOTAL_FORMS": "1", "meds-INITIAL_FORMS": "0", "meds-0-name": "Sertraline"},
    )
    post_step(
        patient_client,
        intake,
        "medications",
        {"takes_medications": "no", "meds-TOTAL_FORMS": "0", "meds-INITIAL_FORMS": "0"},
    )
    intake.refresh_from_db()
    assert intake.takes_medications == "no"
    assert not IntakeMedication.objects.filter(intake=intake).exists()


def test_antidepressant_rows_are_saved_in_order(patient_client, intake):
    data = {
        "antidepressants_tried": "yes",
        "trials-TOTAL_FORMS": "2",
        "trials-INITIAL_FORMS": "0",
        "trials-0-name": "Sertraline",
        "trials-0-weeks": "8",
        "trials-0-full_dose": "yes",
        "trials-0-helped": "no",
        "trials-1-name": "Escitalopram",
        "trials-1-weeks": "4",
        "trials-1-full_dose": "unknown",
        "trials-1-helped": "no",
    }
    assert post_step(patient_client, intake, "mental_health", data).status_code == HTTPStatus.FOUND
    trials = list(intake.antidepressant_trials.values_list("name", "weeks", "full_dose", "helped"))
    assert trials == [("Sertraline", 8, "yes", "no"), ("Escitalopram", 4, "unknown", "no")]


def test_cssrs_asks_the_follow_up_questions_after_q2_is_yes(patient_client, intake):
    body = patient_client.get(step_url(intake, "cssrs")).content.decode()
    assert "cssrs_q3" not in body and "cssrs_q6_past_3_months" not in body

    response = post_step(patient_client, intake, "cssrs", {"cssrs_q1": "yes", "cssrs_q2": "yes", "cssrs_q6": "no"})
    # Saved, and the same page again with questions 3 to 5.
    assert response["Location"] == step_url(intake, "cssrs")
    body = patient_client.get(step_url(intake, "cssrs")).content.decode()
    assert 'name="cssrs_q3"' in body and 'name="cssrs_q5"' in body
    assert "cssrs_q6_past_3_months" not in body
    assert "Please answer the follow-up questions" in body

    response = post_step(
        patient_client,
        intake,
        "cssrs",
        {
            "cssrs_q1": "yes",
            "cssrs_q2": "yes",
            "cssrs_q3": "no",
            "cssrs_q4": "no",
            "cssrs_q5": "no",
            "cssrs_q6": "no",
            "shown": "q3_q5",
        },
    )
    assert response["Location"] == step_url(intake, "substances")


def test_cssrs_asks_about_the_past_3_months_after_q6_is_yes(patient_client, intake):
    response = post_step(patient_client, intake, "cssrs", {"cssrs_q1": "no", "cssrs_q2": "no", "cssrs_q6": "yes"})
    assert response["Location"] == step_url(intake, "cssrs")
    assert 'name="cssrs_q6_past_3_months"' in patient_client.get(step_url(intake, "cssrs")).content.decode()


def test_the_progress_indicator_marks_completed_steps(patient_client, intake):
    post_step(patient_client, intake, "pregnancy", {"pregnancy_possible": "no", "breastfeeding": "no"})
    body = patient_client.get(step_url(intake, "heart")).content.decode()
    assert body.count("Done</span>") == 2  # once in the phone list, once in the desktop list


def test_step_get_runs_a_fixed_number_of_queries(patient_client, intake, django_assert_num_queries):
    patient_client.get(step_url(intake, "about"))  # warm the session
    with django_assert_num_queries(5):
        # 1 the session, its user and their role groups (one query, clinic/sessions.py; for
        # patient_required), 2 the intake with its patient, 3 its medications and 4 its
        # antidepressant trials (prefetched once for the progress indicator and the safety
        # notice), 5 the step's draft. The session's expiry is not rewritten within a minute of the last renewal
        # (clinic/sessions.py). No request-wide savepoint: the step view is non-atomic (the save
        # service is the transaction). Nothing grows with the rows.
        response = patient_client.get(step_url(intake, "mental_health"))
    assert response.status_code == HTTPStatus.OK

    for position in range(12):
        IntakeMedication.objects.create(intake=intake, position=position, name=f"medicine {position}")
        intake.antidepressant_trials.create(position=position, name=f"trial {position}", weeks=8)
    with django_assert_num_queries(5):
        patient_client.get(step_url(intake, "mental_health"))


@pytest.mark.parametrize("key", ["about", "cssrs", "medications"])
def test_step_pages_are_never_cached(patient_client, intake, key):
    response = patient_client.get(step_url(intake, key))
    assert "no-store" in response["Cache-Control"]


# The queries every step post runs before and after the save itself: 1 the session, its user
# and their role groups (one query, clinic/sessions.py; for patient_required), 2 savepoint (the
# save service's transaction), 3 the intake, locked (SELECT ... FOR UPDATE OF the intake),
# which is also the access check (the patient's own intake, else a 404: no separate read
# before the save, issue 13), then the step's rows if it has any, then 4 the draft (one
# INSERT ... ON CONFLICT UPDATE) and 5 the UPDATE of the intake, its step's columns only, then
# 6 release savepoint. On PostgreSQL the draft and the UPDATE go in one round trip, one entry
# in the query log (clinic/prepared.py), so 5 in all there. The session's expiry is not
# rewritten within a minute of its last renewal (clinic/sessions.py). No constraint is
# re-validated in Python (the database enforces them).
STEP_POST_QUERIES = 6 - (connection.vendor == "postgresql")


@pytest.mark.parametrize(
    "key,data,extra",
    [
        # The UPDATE writes the step's columns, current_step, draft_revision and updated_at;
        # the draft's new revision costs no query of its own.
        ("medical", {"seizure_recent": "no"}, 0),
        # DELETE the medicines, INSERT the new ones (one statement for all), before the draft.
        (
            "medications",
            {
                "takes_medications": "yes",
                "meds-TOTAL_FORMS": "2",
                "meds-INITIAL_FORMS": "0",
                "meds-0-name": "sertraline",
                "meds-1-name": "lisinopril",
            },
            2,
        ),
        # After the UPDATE, its antidepressant trials and its medicines (the draft safety
        # check screens the whole facts document; it adds no savepoint of its own).
        ("phq9", {f"phq9_{n}": "0" for n in range(1, 10)}, 2),
    ],
)
def test_a_step_post_runs_a_fixed_number_of_queries(
    patient_client, intake, django_assert_num_queries, key, data, extra
):
    patient_client.get(step_url(intake, "about"))  # warm the session
    with django_assert_num_queries(STEP_POST_QUERIES + extra):
        response = post_step(patient_client, intake, key, data)
    assert response.status_code == HTTPStatus.FOUND


@pytest.mark.parametrize("key", STEP_KEYS)
def test_a_save_of_any_step_reads_the_intake_once_and_only_what_it_needs(patient_client, intake, key, settings):
    """A save reads the step's own columns and its bookkeeping under the lock (issue 13), and
    every column when it runs the safety check; never a column afterwards (a deferred column
    read later would be one more query each). (The statements are logged as written, not as
    the EXECUTE of a PostgreSQL prepared statement.)"""
    settings.CLINIC_PREPARED_STATEMENTS = False
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from screening.demo import as_post, calm_answers

    patient_client.get(step_url(intake, "about"))  # warm the session
    with CaptureQueriesContext(connection) as queries:
        response = post_step(patient_client, intake, key, as_post(key, calm_answers()[key]))
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] != step_url(intake, key)  # saved and moved on
    reads = [q["sql"] for q in queries.captured_queries if q["sql"].startswith('SELECT "intake_intake"."id"')]
    assert len(reads) == 1, reads
    assert not [q["sql"] for q in queries.captured_queries if q["sql"].startswith('SELECT "intake_intake"."')][1:]
    step = STEP_BY_KEY[key]
    for column in step.form_class.columns:
        assert f'"intake_intake"."{column}"' in reads[0]
    reads_everything = '"intake_intake"."treatment_goals"' in reads[0] and '"intake_intake"."phq9_9"' in reads[0]
    assert reads_everything == step.safety_check
    intake.refresh_from_db()
    assert intake.current_step != key


def test_a_step_post_reads_the_intake_once_under_its_lock_as_its_access_check(patient_client, intake, settings):
    """No read of the intake before the save: the locked read is the access check (issue 13)."""
    settings.CLINIC_PREPARED_STATEMENTS = False  # the statements logged as written
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    patient_client.get(step_url(intake, "about"))  # warm the session
    with CaptureQueriesContext(connection) as queries:
        response = post_step(patient_client, intake, "medical", {"seizure_recent": "no"})
    assert response.status_code == HTTPStatus.FOUND
    reads = [q["sql"] for q in queries.captured_queries if q["sql"].startswith('SELECT "intake_intake"."id"')]
    assert len(reads) == 1
    assert '"intake_intake"."seizure_recent"' in reads[0]
    assert '"intake_patient"."user_id"' in reads[0]  # only the patient's own intake


@pytest.mark.parametrize(
    "status,reopened_steps,message",
    [
        ("submitted", [], "This intake has been sent to the clinic"),
        ("reopened", ["heart"], "The clinic asked about other sections; this one can no longer be changed."),
    ],
)
def test_a_post_to_a_closed_step_says_why_and_saves_nothing(patient_client, intake, status, reopened_steps, message):
    from django.utils import timezone

    intake.status, intake.reopened_steps, intake.submitted_at = status, reopened_steps, timezone.now()
    intake.save()
    response = post_step(patient_client, intake, "medical", {"seizure_recent": "no"}, action="sign-out")
    assert response["Location"] == reverse("intake:detail", args=[intake.pk])
    assert message in patient_client.get(response["Location"]).content.decode()
    assert not StepDraft.objects.filter(intake=intake, step="medical").exists()
    intake.refresh_from_db()
    assert intake.seizure_recent is None


@pytest.mark.parametrize("key", [*STEP_KEYS, "review"])
def test_a_page_address_is_the_one_reverse_gives_under_any_script_prefix(intake, key):
    from django.urls import get_script_prefix, set_script_prefix

    from intake.views import _page_url

    name, args = ("intake:review", [intake.pk]) if key == "review" else ("intake:step", [intake.pk, key])
    assert _page_url(intake, key) == reverse(name, args=args)
    before = get_script_prefix()
    set_script_prefix("/clinic/")
    try:
        assert _page_url(intake, key) == reverse(name, args=args)
        assert _page_url(intake, key).startswith(f"/clinic/intake/{intake.pk}/")
    finally:
        set_script_prefix(before)
