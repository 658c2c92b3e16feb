"""The rule book in a real browser: from a flag on the case page to its rule on the Rules page."""

from __future__ import annotations

import pytest

from clinic.models import Role
from screening.models import Case, ScreeningTrigger
from screening.services import screening_run
from tests.e2e.conftest import sign_in_staff
from tests.factories import DEMO_PASSWORD, PatientFactory, SubmittedIntakeFactory, UserFactory

pytestmark = pytest.mark.browser


def test_a_clinician_follows_a_flag_to_its_rule(page, screenshot_dir):
    UserFactory(email="carol@example.org", full_name="Carol Clinician", role=Role.CLINICIAN)
    user = UserFactory(email="robin@example.org", full_name="Robin Routine", role=Role.PATIENT)
    intake = SubmittedIntakeFactory(patient=PatientFactory(user=user))
    screening_run(intake=intake, trigger=ScreeningTrigger.SUBMIT)
    case = Case.objects.get(intake=intake)
    rule = case.latest_result.result["flags"][0]["rule"]

    sign_in_staff(page, "carol@example.org", DEMO_PASSWORD)
    page.goto(page.url.split("/review/")[0] + f"/review/cases/{case.pk}/")
    page.locator(f'[data-flag="{rule}"] h4 a').click()
    page.wait_for_url(f"**/review/rules/#{rule}")

    section = page.locator(f"section#{rule}")
    assert section.is_visible()
    assert section.get_by_role("heading", level=2).inner_text().startswith(f"{rule}:")
    assert "Source" in section.inner_text() and "Checks" in section.inner_text()
    page.screenshot(path=str(screenshot_dir / "review-rules.png"), full_page=False)

    page.go_back()
    page.get_by_test_id("rules-link").click()
    page.wait_for_url("**/review/rules/")
    assert page.get_by_test_id("rule-index").get_by_role("link").count() > 60
