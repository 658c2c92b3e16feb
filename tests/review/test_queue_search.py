"""The queue's search by name and e-mail reads the case's own copy of both (Case.patient_search,
issue 13): every word in the name or in the e-mail, never across the two; the copy follows the
patient's account; the migration fills it for existing cases; PostgreSQL reads it by index."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from clinic.accounts import user_update
from clinic.models import Role
from screening.models import Case, ScreeningTrigger, patient_search_text
from screening.selectors import STATUS_ANY, QueueFilters, queue_cases, queue_counts
from screening.services import screening_run
from tests.factories import PatientFactory, SubmittedIntakeFactory, UserFactory, make_case

pytestmark = pytest.mark.django_db


def found(clinician, terms: str) -> list[int]:
    return [case.pk for case in queue_cases(filters=QueueFilters(), user=clinician, search=terms)]


@pytest.fixture
def ada():
    return make_case(user=UserFactory(full_name="Ada Lovelace", email="countess@analytical.example"))


@pytest.fixture
def other():
    return make_case(user=UserFactory(full_name="Charles Babbage", email="engine@difference.example"))


def test_a_search_finds_a_case_by_part_of_the_name_or_of_the_email_in_any_case(clinician, ada, other):
    assert found(clinician, "lovel") == [ada.pk]
    assert found(clinician, "LOVELACE") == [ada.pk]
    assert found(clinician, "analytical.ex") == [ada.pk]
    assert found(clinician, "Countess@") == [ada.pk]
    assert found(clinician, "nobody") == []


def test_every_word_must_be_found_in_the_name_or_the_email(clinician, ada, other):
    assert found(clinician, "ada countess") == [ada.pk]
    assert found(clinician, "  lovelace   analytical ") == [ada.pk]
    assert found(clinician, "ada engine") == []
    counts = queue_counts(filters=QueueFilters(), user=clinician, search="ada countess")
    assert counts.total.count == 1


def test_a_word_never_matches_across_the_end_of_the_name_and_the_start_of_the_email(clinician, ada):
    # "…Lovelace" + "countess…": joined without a separator "lovelacecountess" would match.
    assert found(clinician, "lovelacecountess") == []
    assert found(clinician, "ace") == [ada.pk]
    assert found(clinician, "cou") == [ada.pk]


def test_percent_and_underscore_are_typed_text_not_wildcards(clinician, ada):
    assert found(clinician, "ada_lovelace") == []
    assert found(clinician, "a%e") == []


def test_a_case_the_screening_service_creates_is_found_by_its_patient(clinician):
    user = UserFactory(full_name="Grace Hopper", email="cobol@navy.example")
    intake = SubmittedIntakeFactory(patient=PatientFactory(user=user))
    screening_run(intake=intake, trigger=ScreeningTrigger.SUBMIT)
    case = Case.objects.get(intake=intake)
    assert case.patient_search == patient_search_text(full_name="Grace Hopper", email="cobol@navy.example")
    assert found(clinician, "hopper navy") == [case.pk]


def test_after_an_admin_renames_the_patient_the_case_is_found_by_the_new_name_only(clinician, admin_user, ada):
    user = ada.intake.patient.user
    user.full_name = "Augusta King"
    user_update(
        user=user,
        changes={"full_name": {"before": "Ada Lovelace", "after": "Augusta King"}},
        role=Role.PATIENT,
        actor=admin_user,
    )
    assert found(clinician, "augusta king") == [ada.pk]
    assert found(clinician, "lovelace") == []


def test_after_the_email_changes_the_case_is_found_by_the_new_email_only(clinician, ada):
    user = ada.intake.patient.user
    user.email = "augusta@byron.example"
    user.save()
    assert found(clinician, "byron") == [ada.pk]
    assert found(clinician, "analytical") == []
    assert found(clinician, "ada") == [ada.pk]


def test_a_save_of_other_account_fields_leaves_the_cases_untouched(django_assert_num_queries, ada):
    user = ada.intake.patient.user
    with django_assert_num_queries(1):  # the user's own UPDATE, nothing on the cases
        user.save(update_fields=["last_login"])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the plan is PostgreSQL's")
def test_a_selective_search_reads_the_case_trigram_index_on_postgresql(clinician, ada, other):
    # Any status: the open cases' partial index would otherwise serve the status filter.
    cases = queue_cases(filters=QueueFilters(status=STATUS_ANY), user=clinician, search="lovelace").order_by()
    with connection.cursor() as db:
        # A test database holds a handful of rows, where the planner prefers scanning them;
        # with scans discouraged, the plan shows whether the trigram index serves the search
        # (at 100,000 cases it is chosen by itself, with the open cases' index or alone).
        db.execute("SET LOCAL enable_seqscan = off")
        db.execute("SET LOCAL enable_indexscan = off")
        plan = cases.explain()
    assert "case_patient_search_trgm_idx" in plan
    assert "clinic_user" not in plan.split("case_patient_search_trgm_idx", 1)[0]


@pytest.mark.django_db(transaction=True)
def test_the_migration_fills_the_search_column_of_existing_cases(clinician):
    before, after = ("screening", "0005_result_list_order_index"), ("screening", "0006_case_patient_search_column")
    ada = make_case(user=UserFactory(full_name="Ada Lovelace", email="countess@analytical.example"))
    other = make_case(user=UserFactory(full_name="Charles Babbage", email="engine@difference.example"))
    executor = MigrationExecutor(connection)
    executor.migrate([before])  # drops the column: the cases are as an older release left them
    executor = MigrationExecutor(connection)
    executor.migrate([after])
    try:
        assert dict(Case.objects.values_list("pk", "patient_search")) == {
            ada.pk: "Ada Lovelace\ncountess@analytical.example",
            other.pk: "Charles Babbage\nengine@difference.example",
        }
        assert found(clinician, "lovelace countess") == [ada.pk]
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
