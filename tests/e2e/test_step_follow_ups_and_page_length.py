"""Short pages on a phone (issue 12): follow-up questions ("If yes: …", the date of an event,
the blood-pressure reading, the rows of medicines) appear only after the answer that needs them
when JavaScript runs (static/js/reveal.js), and are always on the page without it.

At 390×844 with every controlling answer "no", no step is longer than three screens; the
heights are printed and each step's screenshot is saved to test-artifacts/screenshots/.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from clinic.models import Role
from intake.layout import FollowUp
from intake.models import Intake, IntakeMedication
from intake.steps import STEPS
from tests.e2e.conftest import PHONE, sign_in
from tests.factories import DEMO_PASSWORD, UserFactory

pytestmark = pytest.mark.browser

THREE_SCREENS = 3 * PHONE["height"]


def _start(page, email: str) -> Intake:
    UserFactory(email=email, full_name="Fay Followup", role=Role.PATIENT)
    sign_in(page, email, DEMO_PASSWORD)
    page.wait_for_url("**/step/about/")
    return Intake.objects.get(patient__user__email=email)


def _controllers(step) -> list[str]:
    names = [item.controller for item in step.form_class.layout if isinstance(item, FollowUp)]
    return list(dict.fromkeys(names))


def _step(page, intake: Intake, key: str) -> None:
    page.goto(reverse("intake:step", args=[intake.pk, key]))


def _region(page, name: str):
    """The follow-up region that holds the question ``name`` (a date may be several boxes)."""
    return page.locator(f"[data-reveal-controller]:has([name^='{name}'])")


def test_no_step_is_longer_than_three_phone_screens_when_the_answers_are_no(phone_page, screenshot_dir, capsys):
    page = phone_page
    intake = _start(page, "short@example.org")
    heights: dict[str, int] = {}
    for step in STEPS:
        _step(page, intake, step.key)
        for name in _controllers(step):
            page.locator(f'input[name="{name}"][value="no"]').check()
        for region in page.locator("[data-reveal-controller]").all():
            assert region.is_hidden(), f"{step.key}: a follow-up stays on the page after a no"
        heights[step.key] = page.evaluate("document.documentElement.scrollHeight")
        page.screenshot(path=str(screenshot_dir / f"step-{step.key}-390x844.png"), full_page=True)
    with capsys.disabled():
        print("\nStep heights at 390×844, controlling answers no (limit 3 screens, 2532 px):")
        for key, height in heights.items():
            print(f"  {key:<14} {height:>6} px  {height / PHONE['height']:.2f} screens")
    too_long = {key: height for key, height in heights.items() if height > THREE_SCREENS}
    assert not too_long, f"steps longer than three screens: {too_long}"


def test_a_yes_reveals_its_follow_up_in_place_and_the_answers_are_saved(phone_page):
    page = phone_page
    intake = _start(page, "yes@example.org")
    _step(page, intake, "heart")
    event_date = _region(page, "cardiovascular_event_date")
    reading = _region(page, "bp_systolic")
    assert event_date.is_hidden() and reading.is_hidden()
    # The controlling options name the region they show; the reveal is announced politely.
    yes = page.locator('input[name="cardiovascular_event"][value="yes"]')
    assert yes.get_attribute("aria-controls") == event_date.get_attribute("id")
    yes.check()
    assert event_date.is_visible()
    page.locator("#reveal-status").filter(has_text="If yes: when was the most recent one?").wait_for(state="attached")
    assert page.locator("#reveal-status").get_attribute("role") == "status"
    # "I don't know" does not ask for the date; a yes asks again.
    page.locator('input[name="cardiovascular_event"][value="unknown"]').check()
    assert event_date.is_hidden()
    yes.check()
    page.locator('input[name="bp_known"][value="yes"]').check()
    assert reading.is_visible()
    page.get_by_label("Top number (systolic)").fill("128")
    page.get_by_label("Bottom number (diastolic)").fill("82")
    # A follow-up that holds an answer stays on the page whatever the answer above it becomes.
    page.locator('input[name="bp_known"][value="no"]').check()
    assert reading.is_visible()
    page.locator('input[name="bp_known"][value="yes"]').check()
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url("**/step/medical/")
    intake.refresh_from_db()
    assert (intake.cardiovascular_event, intake.bp_known) == ("yes", "yes")
    assert (intake.bp_systolic, intake.bp_diastolic) == (128, 82)

    # Back on the page, the answered follow-ups are shown at once.
    _step(page, intake, "heart")
    assert event_date.is_visible() and reading.is_visible()
    assert page.get_by_label("Top number (systolic)").input_value() == "128"

    # Rows are a follow-up too: a yes shows "Add a medicine", and the added row is saved.
    _step(page, intake, "medications")
    add = page.get_by_role("button", name="Add a medicine")
    assert add.is_hidden()
    page.locator('input[name="takes_medications"][value="yes"]').check()
    add.click()
    page.locator('[name="meds-0-name"]').fill("Sertraline")
    assert page.locator('[name="meds-0-name"]').is_visible()
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url("**/step/goals/")
    assert list(IntakeMedication.objects.filter(intake=intake).values_list("name", flat=True)) == ["Sertraline"]


def test_without_javascript_every_follow_up_is_on_the_page_and_can_be_answered(browser, live_server):
    context = browser.new_context(viewport=PHONE, base_url=live_server.url, java_script_enabled=False)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        intake = _start(page, "nojs@example.org")
        _step(page, intake, "heart")
        regions = page.locator("[data-reveal-controller]")
        assert regions.count() == 3
        for region in regions.all():
            assert region.is_visible()
        page.locator('input[name="hypertension_diagnosed"][value="yes"]').check()
        page.locator('input[name="hypertension_controlled"][value="no"]').check()
        page.get_by_label("Top number (systolic)").fill("150")
        page.get_by_label("Bottom number (diastolic)").fill("95")
        page.get_by_role("button", name="Save and continue").click()
        page.wait_for_url("**/step/medical/")
        intake.refresh_from_db()
        assert intake.hypertension_controlled == "no"
        # Typing a reading answers "Do you know your most recent reading?" (unchanged server rule).
        assert (intake.bp_known, intake.bp_systolic, intake.bp_diastolic) == ("yes", 150, 95)

        _step(page, intake, "medications")
        assert page.get_by_role("button", name="Add a medicine").is_visible()
    finally:
        context.close()


def test_a_follow_up_with_an_error_stays_on_the_page_after_the_server_refuses_it(phone_page):
    page = phone_page
    intake = _start(page, "error@example.org")
    _step(page, intake, "heart")
    page.locator('input[name="bp_known"][value="yes"]').check()
    page.get_by_label("Top number (systolic)").fill("120")
    # "No" after typing a reading: the reading stays on the screen, and the server refuses the
    # pair as it always has; nothing typed is lost.
    page.locator('input[name="bp_known"][value="no"]').check()
    page.get_by_role("button", name="Save and continue").click()
    page.locator("#error-summary").wait_for()
    assert "You typed a reading below: choose Yes, or clear the reading." in page.locator("#error-summary").inner_text()
    assert _region(page, "bp_systolic").is_visible()
    assert page.get_by_label("Top number (systolic)").input_value() == "120"
    intake.refresh_from_db()
    assert intake.bp_known is None and intake.bp_systolic is None
