"""In a real browser: the case page tells the clinician whether the urgent alert e-mail went out."""

from __future__ import annotations

import pytest

from clinic.models import Role
from screening.models import Case, ScreeningTrigger
from screening.notify.models import AlertRecipient
from screening.services import screening_run
from tests.conftest import _run_queued_tasks
from tests.e2e.conftest import sign_in_staff
from tests.factories import DEMO_PASSWORD, PatientFactory, SubmittedIntakeFactory, UserFactory

pytestmark = pytest.mark.browser


def test_the_case_page_shows_that_the_urgent_alert_was_delivered(page, phone_page, screenshot_dir):
    UserFactory(email="carol@example.org", full_name="Carol Clinician", role=Role.CLINICIAN)
    AlertRecipient.objects.create(email="oncall@clinic.example")
    patient = UserFactory(email="riley@example.org", full_name="Riley Pressure", role=Role.PATIENT)
    intake = SubmittedIntakeFactory(patient=PatientFactory(user=patient), bp_systolic=192, bp_diastolic=104)
    screening_run(intake=intake, trigger=ScreeningTrigger.SUBMIT)  # commits: the alert is queued
    case = Case.objects.get(intake=intake)
    assert _run_queued_tasks() == ["sent"]

    sign_in_staff(page, "carol@example.org", DEMO_PASSWORD)
    page.wait_for_url("**/review/")
    # The phone carries the same signed-in session (a code is good once: no second sign-in).
    phone_page.context.add_cookies(page.context.cookies())
    for browser_page, name in ((page, "desktop"), (phone_page, "phone")):
        browser_page.goto(f"/review/cases/{case.pk}/")
        line = browser_page.get_by_test_id("notification-sent")
        assert "E-mail delivered" in line.inner_text()
        assert "Urgent alert to the clinic (Urgent: medical)" in line.inner_text()
        assert "to 1 address" in line.inner_text()
        browser_page.screenshot(path=str(screenshot_dir / f"case-alert-delivered-{name}.png"), full_page=True)
