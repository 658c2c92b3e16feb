"""Draft revisions: a background save that arrives late (after a Save of the page, "Add a
row", "Remove", or a save from another tab) never overwrites newer answers. Every draft write
takes a new revision under the intake's row lock; a background save names the revision it is
based on and is refused (409, nothing written) when the stored draft is newer."""

from __future__ import annotations

import re
import threading
from http import HTTPStatus

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from clinic.models import AuditAction, AuditEvent, Role
from intake import steps
from intake.models import StepDraft
from intake.services import StaleDraft, intake_save_draft, intake_save_step, intake_start, patient_get_or_create
from tests.factories import DEMO_PASSWORD, UserFactory
from tests.intake.conftest import post_step, step_url

ONE_MEDICINE = {
    "takes_medications": "yes",
    "meds-TOTAL_FORMS": "1",
    "meds-INITIAL_FORMS": "0",
    "meds-0-name": "Sertraline",
    "meds-0-dose": "50 mg",
    "meds-0-frequency": "daily",
}


def autosave(client, intake, key: str, data: dict, revision) -> object:
    body = dict(data)
    if revision is not None:
        body["draft_revision"] = str(revision)
    return client.post(reverse("intake:autosave", args=[intake.pk, key]), body)


def page_revision(client, intake, key: str) -> int:
    body = client.get(step_url(intake, key)).content.decode()
    [value] = re.findall(r'<input type="hidden" name="draft_revision" value="(\d+)">', body)
    return int(value)


def draft(intake, key: str) -> StepDraft:
    return StepDraft.objects.get(intake=intake, step=key)


def draft_audit_lines(intake) -> int:
    return AuditEvent.objects.filter(
        action=AuditAction.CHANGE, target_id=str(intake.pk), summary__startswith="Draft of step"
    ).count()


def test_a_background_save_landing_after_add_a_row_is_refused_and_the_added_row_stays(patient_client, intake):
    built_from = page_revision(patient_client, intake, "medications")
    # The patient typed the first medicine (a background save of it is on its way), then
    # pressed "Add another medicine": the page is saved with a second, empty row.
    response = post_step(patient_client, intake, "medications", ONE_MEDICINE, action="add-row")
    assert response.status_code == HTTPStatus.FOUND
    after_post = draft(intake, "medications")
    assert after_post.data["meds-TOTAL_FORMS"] == "2"
    assert after_post.revision > built_from

    late = autosave(patient_client, intake, "medications", {**ONE_MEDICINE, "meds-0-dose": "25 mg"}, built_from)

    assert late.status_code == HTTPStatus.CONFLICT
    assert late.json() == {"saved": False, "stale": True}
    kept = draft(intake, "medications")
    assert kept.data == after_post.data  # the added row and the dose as posted
    assert kept.data["meds-0-dose"] == "50 mg"
    assert kept.revision == after_post.revision
    assert page_revision(patient_client, intake, "medications") == after_post.revision


def test_a_background_save_landing_after_save_and_continue_does_not_revert_an_answer(patient_client, intake):
    built_from = page_revision(patient_client, intake, "goals")
    post_step(patient_client, intake, "goals", {"treatment_goals": "Sleep through the night"})
    late = autosave(patient_client, intake, "goals", {"treatment_goals": "Sleep"}, built_from)
    assert late.status_code == HTTPStatus.CONFLICT
    assert draft(intake, "goals").data["treatment_goals"] == "Sleep through the night"
    intake.refresh_from_db()
    assert intake.treatment_goals == "Sleep through the night"


def test_a_refused_background_save_writes_no_audit_line(patient_client, intake):
    built_from = page_revision(patient_client, intake, "goals")
    post_step(patient_client, intake, "goals", {"treatment_goals": "Sleep"})
    before = draft_audit_lines(intake)
    autosave(patient_client, intake, "goals", {"treatment_goals": "S"}, built_from)
    assert draft_audit_lines(intake) == before


def test_background_saves_each_based_on_the_last_one_all_apply(patient_client, intake):
    revision = page_revision(patient_client, intake, "goals")
    seen = [revision]
    for text in ["S", "Sle", "Sleep", "Sleep well"]:
        response = autosave(patient_client, intake, "goals", {"treatment_goals": text}, revision)
        assert response.status_code == HTTPStatus.OK
        body = response.json()
        assert body["saved"] is True
        revision = body["revision"]
        seen.append(revision)
        assert draft(intake, "goals").data["treatment_goals"] == text
    assert seen == sorted(set(seen))  # strictly increasing
    assert draft(intake, "goals").revision == revision
    assert page_revision(patient_client, intake, "goals") == revision


def test_the_page_shown_again_with_errors_carries_the_revision_its_save_took(patient_client, intake):
    response = post_step(
        patient_client, intake, "heart", {"bp_known": "yes", "bp_systolic": "80", "bp_diastolic": "120"}
    )
    assert response.status_code == HTTPStatus.OK
    stored = draft(intake, "heart").revision
    assert stored > 0
    assert f'name="draft_revision" value="{stored}"' in response.content.decode()
    # So the page's next background save is based on it, and is accepted.
    assert autosave(patient_client, intake, "heart", {"bp_known": "no"}, stored).status_code == HTTPStatus.OK


def test_a_save_of_another_step_does_not_make_this_page_stale(patient_client, intake):
    built_from = page_revision(patient_client, intake, "goals")
    autosave(patient_client, intake, "goals", {"treatment_goals": "Sleep"}, built_from)
    built_from = page_revision(patient_client, intake, "goals")
    post_step(patient_client, intake, "medical", {"seizure_recent": "no"})
    response = autosave(patient_client, intake, "goals", {"treatment_goals": "Sleep well"}, built_from)
    assert response.status_code == HTTPStatus.OK
    assert draft(intake, "goals").data["treatment_goals"] == "Sleep well"


def test_a_save_of_the_page_always_wins_even_from_an_older_page(patient_client, intake):
    # Another tab saved in the background meanwhile; pressing Save on this page still keeps
    # what this page shows (the patient asked for it), with a newer revision.
    old_page = page_revision(patient_client, intake, "goals")
    tab = autosave(patient_client, intake, "goals", {"treatment_goals": "From the other tab"}, old_page).json()
    post_step(patient_client, intake, "goals", {"treatment_goals": "From this page", "draft_revision": str(old_page)})
    stored = draft(intake, "goals")
    assert stored.data == {"treatment_goals": "From this page"}  # the revision is not an answer
    assert stored.revision > tab["revision"]


def test_a_background_save_based_on_a_newer_revision_than_stored_is_kept(patient_client, intake):
    # Not older than the stored draft: kept, and the server gives the next revision itself.
    response = autosave(patient_client, intake, "goals", {"treatment_goals": "Sleep"}, 500)
    assert response.status_code == HTTPStatus.OK
    assert response.json()["revision"] == draft(intake, "goals").revision == 1


@pytest.mark.parametrize(
    "revision",
    [None, "", " ", "abc", "-1", "1.5", "1e3", "0x10", "\x00", "2147483648", "9" * 400, "١"],
    ids=[
        "missing",
        "empty",
        "blank",
        "word",
        "negative",
        "decimal",
        "exponent",
        "hex",
        "nul",
        "too-big",
        "huge",
        "arabic-digit",
    ],
)
def test_a_missing_or_garbled_revision_is_400_and_nothing_is_written(patient_client, intake, revision):
    autosave(patient_client, intake, "goals", {"treatment_goals": "Sleep"}, 0)
    before = draft(intake, "goals")
    audits = draft_audit_lines(intake)
    response = autosave(patient_client, intake, "goals", {"treatment_goals": "Changed"}, revision)
    if revision == "١":
        # Django reads an Arabic-Indic digit as the number 1: a valid (and current) revision.
        assert response.status_code == HTTPStatus.OK
        return
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["saved"] is False
    after = draft(intake, "goals")
    assert (after.data, after.revision, after.updated_at) == (before.data, before.revision, before.updated_at)
    assert draft_audit_lines(intake) == audits


# --- The service, on SQLite and PostgreSQL --------------------------------------------------


def test_the_service_refuses_a_stale_base_and_writes_nothing(intake, patient):
    goals = steps.STEP_BY_KEY["goals"]
    first = intake_save_draft(
        intake=intake, step=goals, data={"treatment_goals": "A"}, actor=patient, how="saved as typed", based_on=0
    )
    saved = intake_save_step(intake=intake, step=goals, data={"treatment_goals": "B", "action": "next"})
    assert saved.revision > first
    with pytest.raises(StaleDraft) as refused:
        intake_save_draft(
            intake=intake,
            step=goals,
            data={"treatment_goals": "A2"},
            actor=patient,
            how="saved as typed",
            based_on=first,
        )
    assert refused.value.current == saved.revision
    stored = draft(intake, "goals")
    assert (stored.data, stored.revision) == ({"treatment_goals": "B"}, saved.revision)
    intake.refresh_from_db()
    assert intake.draft_revision == saved.revision


def test_the_service_chains_revisions_and_a_carried_save_always_writes(intake, patient):
    goals = steps.STEP_BY_KEY["goals"]
    revision = 0
    for text in ["a", "ab", "abc"]:
        revision = intake_save_draft(
            intake=intake,
            step=goals,
            data={"treatment_goals": text},
            actor=patient,
            how="saved as typed",
            based_on=revision,
        )
    assert draft(intake, "goals").data == {"treatment_goals": "abc"}
    carried = intake_save_draft(
        intake=intake,
        step=goals,
        data={"treatment_goals": "kept"},
        actor=patient,
        how="carried through sign-in",
        based_on=None,
    )
    assert carried == revision + 1
    assert draft(intake, "goals").data == {"treatment_goals": "kept"}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_background_saves_racing_from_one_revision_apply_once():
    """Four saves based on the same revision reach four workers at once: the compare and the
    write happen under the intake's row lock, so exactly one applies and the others are
    refused (PostgreSQL; SQLite runs one writer at a time anyway)."""
    if connection.vendor != "postgresql":
        pytest.skip("SELECT ... FOR UPDATE needs PostgreSQL")
    user = UserFactory(email="alice@example.org", full_name="Alice Patient", role=Role.PATIENT)
    intake = intake_start(patient=patient_get_or_create(user=user))
    goals = steps.STEP_BY_KEY["goals"]
    barrier = threading.Barrier(4)
    outcomes: list[object] = []

    def save(text: str) -> None:
        try:
            barrier.wait(timeout=10)
            outcomes.append(
                intake_save_draft(
                    intake=intake,
                    step=goals,
                    data={"treatment_goals": text},
                    actor=user,
                    how="saved as typed",
                    based_on=0,
                )
            )
        except BaseException as error:  # StaleDraft is expected; anything else is reported below
            outcomes.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(f"tab {n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    applied = [outcome for outcome in outcomes if isinstance(outcome, int)]
    refused = [outcome for outcome in outcomes if isinstance(outcome, StaleDraft)]
    assert (len(applied), len(refused)) == (1, 3), outcomes
    stored = StepDraft.objects.get(intake=intake, step="goals")
    assert stored.revision == applied[0] == 1
    assert all(error.current == 1 for error in refused)


def test_the_rescue_page_does_not_carry_the_revision_and_its_save_is_newer_than_any_page(
    patient, intake, patient_client
):
    client = Client()  # the browser whose session ended
    # The session ended while the page (built from revision 0) was open; meanwhile the
    # patient saved in the background from another page.
    late = autosave(patient_client, intake, "goals", {"treatment_goals": "Other page"}, 0).json()["revision"]
    rescue = client.post(step_url(intake, "goals"), {"treatment_goals": "Rescued", "draft_revision": "0"})
    assert rescue.status_code == HTTPStatus.OK
    assert "draft_revision" not in rescue.content.decode()
    # Pressing "Sign in and save my answers" keeps them, like a Save of the page.
    client.post(
        reverse("intake:rescue", args=[intake.pk, "goals"]),
        {"answer-treatment_goals": "Rescued", "username": patient.email, "password": DEMO_PASSWORD},
    )
    stored = draft(intake, "goals")
    assert stored.data == {"treatment_goals": "Rescued"}
    assert stored.revision > late


def test_a_background_save_runs_a_fixed_number_of_queries(patient_client, intake, django_assert_num_queries):
    patient_client.get(step_url(intake, "goals"))  # warm the session
    with django_assert_num_queries(10):
        # 1 the session, its user and their role groups (one query, clinic/sessions.py; for
        # patient_required), 2 the intake (access check), 3 savepoint (intake_save_draft's
        # transaction), 4 the intake again, locked, 5 the draft's revision (compared under the
        # lock), 6 the draft (INSERT ... ON CONFLICT UPDATE) and 7 UPDATE intake (draft_revision
        # only), 8-9 the audit line (the chain's last hash, INSERT), 10 release savepoint. On
        # PostgreSQL the draft and the UPDATE are one round trip (one entry in the log) and the
        # audit line takes the chain's advisory lock first. The session's expiry is not
        # rewritten within a minute of its last renewal.
        response = autosave(patient_client, intake, "goals", {"treatment_goals": "x"}, 0)
    assert response.status_code == HTTPStatus.OK
    with django_assert_num_queries(7):
        # A stale one stops after 5, writes nothing: 6 rollback to and 7 release the savepoint.
        response = autosave(patient_client, intake, "goals", {"treatment_goals": "y"}, 0)
    assert response.status_code == HTTPStatus.CONFLICT
