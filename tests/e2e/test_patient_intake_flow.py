"""A patient's intake in a real browser: register, fill in every step, trip a validation
error, leave, log back in, resume where they stopped, submit. Screenshots of phone-sized and
desktop-sized pages go to test-artifacts/screenshots/ (see docs/intake.md)."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.utils import timezone

from intake.date_input import date_post
from intake.models import Intake, IntakeStatus
from screening.models import ScreeningResult
from tests.answers import BASE_FACTS, form_posts_from_facts
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.browser

EMAIL = "dana@example.org"
NAME = "Dana Newpatient"
PASSWORD = "a-long-and-unusual-passphrase-91"
ROW_BUTTONS = {
    "trials": ("Add an antidepressant", "Add another antidepressant"),
    "meds": ("Add a medicine", "Add another medicine"),
}


def choose_or_fill(page, name: str, value: str) -> None:
    # A follow-up its controlling answer does not ask ("If yes: …" after a no) is not on the
    # screen, so a patient cannot answer it (the facts may hold an answer for it all the same).
    if page.locator(f'[data-reveal-controller][hidden] [name="{name}"]').count():
        return
    field = page.locator(f'[name="{name}"]')
    if field.first.get_attribute("type") == "radio":
        page.locator(f'[name="{name}"][value="{value}"]').check()
    else:
        field.fill(value)


def fill_step(page, data: dict) -> None:
    """Answer a step as a patient would: radios clicked, boxes typed into, rows added."""
    rows: dict[str, int] = {}
    for name, value in data.items():
        if name == "shown" or value == "":
            continue
        match = re.fullmatch(r"(trials|meds)-(TOTAL_FORMS|INITIAL_FORMS|\d+-\w+)", name)
        if match:
            if match.group(2) == "TOTAL_FORMS":
                rows[match.group(1)] = int(value)
            continue
        choose_or_fill(page, name, value)
    for prefix, count in rows.items():
        for index in range(count):
            first, another = ROW_BUTTONS[prefix]
            # "Add" saves the page on the server and shows it again with one more row.
            page.get_by_role("button", name=another if index else first).click()
            page.locator(f'[name="{prefix}-{index}-name"]').wait_for()
            for name, value in data.items():
                if name.startswith(f"{prefix}-{index}-") and value != "":
                    choose_or_fill(page, name, value)


def save_and_continue(page, expected_next: str) -> None:
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url(f"**{expected_next}")


def test_a_patient_registers_fills_in_leaves_resumes_and_submits(page, phone_page, screenshot_dir, consent_text):
    posts = form_posts_from_facts(BASE_FACTS)
    posts["heart"].update(date_post("bp_date", timezone.localdate()))

    # Register: the intake starts at its first step.
    page.goto("/accounts/register/")
    page.locator("#id_full_name").fill(NAME)
    page.locator("#id_email").fill(EMAIL)
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="Create my account").click()
    # The intake opens once the address is confirmed with the link e-mailed to it.
    page.wait_for_url("**/accounts/register/done/")
    link = re.search(r"https?://\S+", mail.outbox[-1].body).group(0)
    page.goto(link)
    page.wait_for_url("**/step/about/")
    intake = Intake.objects.get(patient__user__email=EMAIL)
    assert page.locator("#progress-label").inner_text() == "Step 1 of 12"

    # A validation error: the summary on top, the message by the field, nothing lost.
    born = page.get_by_role("group", name="Date of birth")
    born.get_by_label("Day").fill("1")
    born.get_by_label("Month").fill("1")
    born.get_by_label("Year").fill("2999")
    page.get_by_label("Female", exact=True).check()
    page.get_by_label("Height (cm)").fill("168")
    page.get_by_role("button", name="Save and continue").click()
    summary = page.locator("#error-summary")
    summary.wait_for()
    assert "Your date of birth cannot be in the future." in summary.inner_text()
    assert page.locator("#id_date_of_birth_error").is_visible()
    assert page.get_by_label("Height (cm)").input_value() == "168"
    assert page.get_by_label("Female", exact=True).is_checked()
    assert page.evaluate("document.activeElement.id") == "error-summary"
    page.screenshot(path=str(screenshot_dir / "intake-error-desktop.png"), full_page=True)

    # The same page on a phone, signed in on another device: the draft kept what was typed.
    sign_in(phone_page, EMAIL, PASSWORD)
    phone_page.wait_for_url("**/step/about/")
    assert phone_page.get_by_label("Height (cm)").input_value() == "168"
    assert phone_page.locator("#error-summary").is_visible()
    phone_page.screenshot(path=str(screenshot_dir / "intake-error-phone.png"), full_page=True)

    fill_step(page, posts["about"])
    save_and_continue(page, "/step/pregnancy/")
    fill_step(page, posts["pregnancy"])
    save_and_continue(page, "/step/heart/")
    fill_step(page, posts["heart"])
    save_and_continue(page, "/step/medical/")

    # Leave, and come back: the intake resumes where the patient stopped.
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/accounts/login/**")
    sign_in(page, EMAIL, PASSWORD)
    page.wait_for_url("**/step/medical/")
    assert page.locator("#progress-label").inner_text() == "Step 4 of 12"

    for key, following in [
        ("medical", "/step/mental_health/"),
        ("mental_health", "/step/phq9/"),
        ("phq9", "/step/gad7/"),
        ("gad7", "/step/cssrs/"),
        ("cssrs", "/step/substances/"),
        ("substances", "/step/medications/"),
        ("medications", "/step/goals/"),
        ("goals", "/review/"),
    ]:
        assert page.url.endswith(f"/step/{key}/"), page.url
        fill_step(page, posts[key])
        if key == "phq9":
            page.screenshot(path=str(screenshot_dir / "intake-phq9-desktop.png"), full_page=True)
            phone_page.goto(page.url)
            phone_page.screenshot(path=str(screenshot_dir / "intake-phq9-phone.png"), full_page=True)
        save_and_continue(page, following)

    # Review: every answer, nothing missing, the consent text; then sign and send.
    assert page.get_by_text("Every question is answered").is_visible()
    assert page.get_by_text("Sertraline 100 mg").is_visible()
    page.screenshot(path=str(screenshot_dir / "intake-review-desktop.png"), full_page=True)
    phone_page.goto(page.url)
    phone_page.screenshot(path=str(screenshot_dir / "intake-review-phone.png"))
    phone_page.locator("section", has=phone_page.locator("#consent-title")).screenshot(
        path=str(screenshot_dir / "intake-consent-phone.png")
    )
    page.get_by_label("I have read the consent text above and I agree to it.").check()
    page.get_by_label("Type your full name as your signature").fill(NAME)
    page.get_by_role("button", name="Sign and send my answers").click()
    page.wait_for_url(f"**/intake/{intake.pk}/submitted/")
    assert page.get_by_role("heading", name="What happens next").is_visible()
    page.screenshot(path=str(screenshot_dir / "intake-confirmation-desktop.png"), full_page=True)

    # Sending again from the stale review page on the phone changes nothing.
    phone_page.get_by_label("I have read the consent text above and I agree to it.").check()
    phone_page.get_by_label("Type your full name as your signature").fill(NAME)
    phone_page.get_by_role("button", name="Sign and send my answers").click()
    phone_page.wait_for_url(f"**/intake/{intake.pk}/submitted/")
    phone_page.screenshot(path=str(screenshot_dir / "intake-confirmation-phone.png"), full_page=True)

    intake.refresh_from_db()
    assert intake.status == IntakeStatus.SUBMITTED
    assert intake.submission_count == 1
    results = ScreeningResult.objects.filter(intake=intake)
    assert results.count() == 1
    # The golden base patient, but with a self-reported blood pressure: only BP-07 stands out.
    flags = {f"{flag['rule']}:{flag['level']}" for flag in results.get().result["flags"]}
    assert flags == {"BP-07:INCOMPLETE", "IND-01:INFO", "IND-03:INFO", "LOG-02:INFO", "PSY-13:INFO"}


def test_a_risky_answer_on_a_phone_shows_crisis_resources_first(phone_page, screenshot_dir, consent_text):
    from clinic.models import Role
    from screening.models import Case
    from tests.factories import DEMO_PASSWORD, UserFactory

    UserFactory(email="alice@example.org", full_name="Alice Patient", role=Role.PATIENT)
    sign_in(phone_page, "alice@example.org", DEMO_PASSWORD)
    phone_page.wait_for_url("**/step/about/")
    intake = Intake.objects.get(patient__user__email="alice@example.org")
    phone_page.goto(f"/intake/{intake.pk}/step/phq9/")
    for name, value in {**{f"phq9_{n}": "1" for n in range(1, 9)}, "phq9_9": "2"}.items():
        choose_or_fill(phone_page, name, value)
    save_and_continue(phone_page, "/step/gad7/")

    banner = phone_page.locator("#crisis-resources")
    assert banner.is_visible()
    assert "call or text 988" in banner.inner_text()
    assert banner.get_by_role("link", name="Call 988").get_attribute("href") == "tel:988"
    # The banner is the first thing under the header: above the progress indicator and the page.
    assert banner.bounding_box()["y"] < phone_page.locator("#progress-label").bounding_box()["y"]
    phone_page.screenshot(path=str(screenshot_dir / "intake-crisis-phone.png"))
    assert Case.objects.get(intake=intake).urgent_level == "URGENT_SAFETY"
