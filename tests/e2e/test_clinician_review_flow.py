"""A clinician's review in a real browser: the urgent case first, acknowledged, a measured
blood pressure that changes the outcome, and a decision with a reason."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from clinic.models import Role
from screening.models import Case, Decision, Level, ScreeningTrigger
from screening.services import screening_run
from tests.e2e.conftest import sign_in_staff
from tests.factories import DEMO_PASSWORD, PatientFactory, SubmittedIntakeFactory, UserFactory, make_case

pytestmark = pytest.mark.browser


def _submitted(name: str, email: str, days_ago: int, **answers) -> Case:
    user = UserFactory(email=email, full_name=name, role=Role.PATIENT)
    intake = SubmittedIntakeFactory(
        patient=PatientFactory(user=user), submitted_at=timezone.now() - dt.timedelta(days=days_ago), **answers
    )
    screening_run(intake=intake, trigger=ScreeningTrigger.SUBMIT)
    return Case.objects.get(intake=intake)


def test_a_clinician_acknowledges_measures_and_decides(page, screenshot_dir):
    UserFactory(email="carol@example.org", full_name="Carol Clinician", role=Role.CLINICIAN)
    routine = _submitted("Robin Routine", "robin@example.org", days_ago=6)
    # A self-reported crisis reading: urgent at once, though submitted after the routine case.
    urgent = _submitted("Riley Pressure", "riley@example.org", days_ago=1, bp_systolic=192, bp_diastolic=104)
    assert urgent.overall == Level.URGENT_MEDICAL and urgent.needs_acknowledgement
    assert routine.overall == Level.INCOMPLETE

    sign_in_staff(page, "carol@example.org", DEMO_PASSWORD)

    page.wait_for_url("**/review/")
    rows = page.locator('[data-testid="queue"] tbody tr')
    assert rows.count() == 2
    first = rows.nth(0).inner_text()
    assert "Riley Pressure" in first
    assert "Urgent: medical — not acknowledged" in first
    assert "Robin Routine" in rows.nth(1).inner_text()

    page.get_by_role("link", name="Riley Pressure").click()
    page.wait_for_url(f"**/review/cases/{urgent.pk}/")
    assert "Urgent: medical" in page.get_by_test_id("overall").inner_text()
    # Nothing else can be done before the urgent flag is acknowledged.
    assert page.get_by_role("button", name="Record decision").count() == 0
    page.screenshot(path=str(screenshot_dir / "review-case-urgent.png"), full_page=True)

    page.get_by_label("What did you do about the urgent flag?").fill(
        "Phoned the patient: no symptoms. Booked a measured reading today."
    )
    page.get_by_role("button", name="Acknowledge urgent flag").click()
    page.get_by_text("Urgent flag acknowledged.").wait_for()

    page.get_by_label("Systolic (mmHg)").fill("128")
    page.get_by_label("Diastolic (mmHg)").fill("82")
    page.get_by_label("Date measured").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Record and re-screen").click()
    page.get_by_text("Measured vitals recorded and the case re-screened").wait_for()

    changed = page.get_by_test_id("what-changed").inner_text()
    assert "Urgent: medical" in changed
    assert "No automated flags — clinician review required" in changed
    assert "BP-01" in page.get_by_test_id("flags-removed").inner_text()
    assert "No automated flags — clinician review required" in page.get_by_test_id("overall").inner_text()
    page.screenshot(path=str(screenshot_dir / "review-case-after-vitals.png"), full_page=True)

    page.get_by_label("Approved for initial assessment").check()
    page.get_by_label("Reason", exact=False).first.fill("Measured BP normal; no contraindication on review.")
    page.get_by_role("button", name="Record decision").click()
    page.get_by_text("Decision recorded.").wait_for()

    assert "Decision: Approved for initial assessment" in page.get_by_test_id("decision").inner_text()
    assert "Decided" in page.get_by_test_id("case-status").inner_text()
    decision = Decision.objects.get(case=urgent)
    assert decision.reason == "Measured BP normal; no contraindication on review."
    assert decision.result.overall == Level.NO_FLAGS_RAISED
    page.screenshot(path=str(screenshot_dir / "review-case-decided.png"), full_page=True)
    page.goto("/review/")
    page.screenshot(path=str(screenshot_dir / "review-queue.png"), full_page=True)


def test_approving_despite_standing_flags_asks_for_a_reason_beside_each_flag(page):
    UserFactory(email="carol@example.org", full_name="Carol Clinician", role=Role.CLINICIAN)
    patient = UserFactory(email="sam@example.org", full_name="Sam Exclude", role=Role.PATIENT)
    case = make_case(user=patient, flags=(("PRG-02", "EXCLUDE_PENDING_REVIEW"), ("BP-07", "INCOMPLETE")))

    sign_in_staff(page, "carol@example.org", DEMO_PASSWORD)
    page.wait_for_url("**/review/")
    page.goto(f"/review/cases/{case.pk}/")

    prg = page.get_by_label("Reason for approving despite PRG-02", exact=False)
    page.get_by_label("Not eligible").check()
    assert not prg.is_visible()
    page.get_by_label("Approved for initial assessment").check()
    assert prg.is_visible()

    page.locator("#id_reason").fill("Benefit outweighs the risks here.")
    prg.fill("Stopped breastfeeding last week.")
    page.get_by_role("button", name="Record decision").click()

    bp07 = page.get_by_label("Reason for approving despite BP-07", exact=False)
    assert bp07.get_attribute("aria-invalid") == "true" or "is-invalid" in (bp07.get_attribute("class") or "")
    assert page.get_by_text("Approving despite this flag needs a written reason.").count() == 1
    assert page.locator("#id_reason").input_value() == "Benefit outweighs the risks here."
    assert prg.input_value() == "Stopped breastfeeding last week."
    assert not Decision.objects.exists()
