"""Deciding a case: an outcome with a reason; approving despite standing exclusion, incomplete
or safety flags needs a written reason against each of them."""

from __future__ import annotations

from http import HTTPStatus

import pytest

from clinic.models import AuditAction, AuditEvent
from screening.models import CaseStatus, Decision
from screening.services import STALE_MESSAGE
from tests.factories import make_case
from tests.review.conftest import act

pytestmark = pytest.mark.django_db


@pytest.fixture
def excluded_case(patient):
    return make_case(
        user=patient, flags=(("PRG-02", "EXCLUDE_PENDING_REVIEW"), ("BP-07", "INCOMPLETE"), ("BP-03", "CAUTION"))
    )


def test_it_records_the_decision_on_the_latest_result(clinician_client, clinician, excluded_case):
    response = act(clinician_client, excluded_case, "decide", outcome="not_eligible", reason="Breastfeeding now.")

    assert response.status_code == HTTPStatus.FOUND
    decision = Decision.objects.get(case=excluded_case)
    assert (decision.outcome, decision.reason, decision.decided_by) == ("not_eligible", "Breastfeeding now.", clinician)
    assert decision.result == excluded_case.latest_result
    assert decision.flag_reasons == {}
    excluded_case.refresh_from_db()
    assert excluded_case.status == CaseStatus.DECIDED
    page = clinician_client.get(response.url).content.decode()
    assert "Decision: Not eligible" in page


def test_a_referral_needs_no_flag_reasons(clinician_client, excluded_case):
    act(clinician_client, excluded_case, "decide", outcome="referred", reason="Referred to perinatal psychiatry.")
    assert Decision.objects.get().outcome == "referred"


def test_approving_despite_standing_flags_needs_a_reason_against_each(clinician_client, excluded_case):
    response = act(clinician_client, excluded_case, "decide", outcome="approved", reason="Benefit outweighs risk.")

    assert response.status_code == HTTPStatus.OK
    errors = response.context["forms"]["decide"].errors
    assert {"flag_reason_PRG-02", "flag_reason_BP-07"} <= set(errors)
    # A CAUTION flag is for the clinician to weigh: it needs no separate reason.
    assert "flag_reason_BP-03" not in response.context["forms"]["decide"].fields
    assert "Benefit outweighs risk." in response.content.decode()
    assert not Decision.objects.exists()


def test_approving_with_a_reason_against_each_flag_stores_them(clinician_client, excluded_case):
    act(
        clinician_client,
        excluded_case,
        "decide",
        outcome="approved",
        reason="Benefit outweighs risk.",
        **{"flag_reason_PRG-02": "Stopped breastfeeding last week.", "flag_reason_BP-07": "BP measured at visit."},
    )
    decision = Decision.objects.get()
    assert decision.flag_reasons == {"PRG-02": "Stopped breastfeeding last week.", "BP-07": "BP measured at visit."}


def test_one_missing_flag_reason_is_shown_beside_that_flag_and_the_others_are_kept(clinician_client, excluded_case):
    response = act(
        clinician_client,
        excluded_case,
        "decide",
        outcome="approved",
        reason="Benefit outweighs risk.",
        **{"flag_reason_PRG-02": "Stopped breastfeeding last week."},
    )
    errors = response.context["forms"]["decide"].errors
    assert "flag_reason_BP-07" in errors and "flag_reason_PRG-02" not in errors
    assert "Stopped breastfeeding last week." in response.content.decode()


def test_approving_a_case_with_no_standing_flags_needs_only_the_reason(clinician_client, patient):
    calm = make_case(user=patient, flags=(("PSY-13", "INFO"), ("BP-03", "CAUTION")))
    assert act(clinician_client, calm, "decide", outcome="approved", reason="Good candidate.").status_code == 302
    assert Decision.objects.get().outcome == "approved"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"outcome": "approved", "reason": "  "}, "reason"),
        ({"outcome": "admitted", "reason": "Yes"}, "outcome"),
        ({"reason": "No outcome chosen"}, "outcome"),
    ],
)
def test_invalid_decisions_are_refused_beside_the_field(clinician_client, excluded_case, data, field):
    response = act(clinician_client, excluded_case, "decide", **data)
    assert response.status_code == HTTPStatus.OK
    assert field in response.context["forms"]["decide"].errors
    assert not Decision.objects.exists()


def test_a_decided_case_is_not_decided_again(clinician_client, excluded_case):
    act(clinician_client, excluded_case, "decide", outcome="not_eligible", reason="Breastfeeding now.")
    response = act(clinician_client, excluded_case, "decide", outcome="referred", reason="Changed my mind.")
    assert response.status_code == HTTPStatus.CONFLICT
    assert Decision.objects.get().outcome == "not_eligible"


def test_a_decision_on_a_changed_case_is_refused_and_the_reason_kept(clinician_client, other_clinician, excluded_case):
    seen = excluded_case.version
    # Meanwhile Dan assigns the case to himself: the version moves on.
    excluded_case.assigned_to = other_clinician
    excluded_case.version += 1
    excluded_case.save()

    response = act(
        clinician_client, excluded_case, "decide", outcome="not_eligible", reason="My long reason.", version=seen
    )

    assert response.status_code == HTTPStatus.CONFLICT
    body = response.content.decode()
    assert "This case changed since you opened it" in body
    assert STALE_MESSAGE.rsplit(":", 1)[1].strip() in body
    assert "My long reason." in body
    assert not Decision.objects.exists()


def test_the_trail_holds_the_decision_and_the_status_change(clinician_client, excluded_case):
    act(clinician_client, excluded_case, "decide", outcome="not_eligible", reason="Breastfeeding now.")
    event = AuditEvent.objects.get(action=AuditAction.DECIDE)
    assert event.changes["status"] == {"before": "new", "after": "decided"}
    assert event.changes["decision"]["after"]["outcome"] == "not_eligible"
    assert "Breastfeeding" not in event.summary


def test_a_refused_decision_shows_the_typed_reason_back(clinician_client, excluded_case):
    act(clinician_client, excluded_case, "decide", outcome="not_eligible", reason="Breastfeeding now.")
    response = act(clinician_client, excluded_case, "decide", outcome="referred", reason="My second thoughts.")
    kept = response.content.decode().split('data-testid="kept-text"', 1)[1]
    assert "My second thoughts." in kept
