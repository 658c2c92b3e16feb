"""Issue 12, part A, in a real browser: the crisis banner in full the first time and as a
compact bar afterwards (announced once); the clinic's identity, set by an admin, on the
patient's header, footer and confirmation page; a step used with the keyboard only."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.models import AuditAction, AuditEvent, ClinicIdentity, Role
from intake.date_input import date_post
from intake.models import Intake
from tests.answers import BASE_FACTS, fill_intake, form_posts_from_facts
from tests.e2e.conftest import PHONE, sign_in, sign_in_staff
from tests.factories import DEMO_PASSWORD, UserFactory

pytestmark = pytest.mark.browser

BEFORE_PHQ9 = ["about", "pregnancy", "heart", "medical", "mental_health", "phq9"]


def _posts() -> dict:
    posts = form_posts_from_facts(BASE_FACTS)
    posts["heart"].update(date_post("bp_date", timezone.localdate()))
    return posts


def test_the_crisis_banner_is_full_and_announced_once_then_a_compact_bar(phone_page, screenshot_dir, consent_text):
    page = phone_page
    UserFactory(email="casey@example.org", full_name="Casey Crisis", role=Role.PATIENT)
    sign_in(page, "casey@example.org", DEMO_PASSWORD)
    page.wait_for_url("**/step/about/")
    intake = Intake.objects.get(patient__user__email="casey@example.org")
    posts = _posts()
    fill_intake(intake, {**posts, "phq9": {**posts["phq9"], "phq9_9": "2"}}, steps=BEFORE_PHQ9)

    # First showing: the full banner, an alert (read out once by screen readers).
    page.goto(reverse("intake:step", args=[intake.pk, "gad7"]))
    banner = page.locator("#crisis-resources")
    assert banner.get_attribute("data-form") == "full"
    assert banner.get_attribute("role") == "alert"
    assert "call or text 988" in banner.inner_text()
    full_height = banner.bounding_box()["height"]
    page.screenshot(path=str(screenshot_dir / "crisis-banner-first-phone.png"))

    # Every later page: a compact bar, a labelled region that is not announced again, with the
    # three numbers one tap away.
    for key in ("gad7", "cssrs", "substances"):
        page.goto(reverse("intake:step", args=[intake.pk, key]))
        bar = page.locator("#crisis-resources")
        assert bar.get_attribute("data-form") == "compact", key
        assert bar.get_attribute("role") is None
        assert bar.get_attribute("aria-live") is None
        assert page.locator("[role=alert], [aria-live]").filter(has_text="988").count() == 0
        assert page.get_by_role("region", name="In crisis? Call or text 988. Emergency: 911.").is_visible()
        links = {name: bar.get_by_role("link", name=name) for name in ("Call 988", "Text 988", "Call 911")}
        assert links["Call 988"].get_attribute("href") == "tel:988"
        assert links["Text 988"].get_attribute("href") == "sms:988"
        assert links["Call 911"].get_attribute("href") == "tel:911"
        for link in links.values():
            box = link.bounding_box()
            # One tap away: a 44 px target on the first screen.
            assert box["height"] >= 44 and box["y"] + box["height"] <= PHONE["height"]
    compact_height = page.locator("#crisis-resources").bounding_box()["height"]
    assert compact_height < full_height / 2
    assert compact_height < PHONE["height"] * 0.2
    page.screenshot(path=str(screenshot_dir / "crisis-bar-later-phone.png"))


def test_an_admin_sets_the_clinic_identity_and_patients_see_it(page, phone_page, screenshot_dir, consent_text):
    UserFactory(email="ada@example.org", full_name="Ada Admin", role=Role.ADMIN)
    sign_in_staff(page, "ada@example.org", DEMO_PASSWORD)
    page.wait_for_load_state()
    page.goto(reverse("admin:clinic_clinicidentity_add"))
    page.get_by_label("Clinic name").fill("Riverside Ketamine Clinic")
    page.get_by_label("Phone number").fill("+1 555 010 0199")
    page.get_by_label("Address").fill("12 River Road\nSpringfield, IL 62701")
    page.get_by_label("Opening hours").fill("Monday–Friday 8 am–6 pm")
    page.get_by_label("Review time frame (business days)").fill("3")
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("was added successfully").wait_for()
    assert ClinicIdentity.objects.get().name == "Riverside Ketamine Clinic"
    line = AuditEvent.objects.get(action=AuditAction.CREATE, target_type="clinic.clinicidentity")
    assert line.actor.email == "ada@example.org"
    assert line.changes["phone"] == {"before": None, "after": "+1 555 010 0199"}

    # A patient, on a phone: the clinic's name and phone in the header, all of it in the footer.
    UserFactory(email="pat@example.org", full_name="Pat Patient", role=Role.PATIENT)
    sign_in(phone_page, "pat@example.org", DEMO_PASSWORD)
    phone_page.wait_for_url("**/step/about/")
    header = phone_page.locator("header")
    assert "Riverside Ketamine Clinic" in header.inner_text()
    phone = header.get_by_role("link", name="Call the clinic: +1 555 010 0199")
    assert phone.get_attribute("href") == "tel:+15550100199"
    footer = phone_page.get_by_test_id("clinic-contact").inner_text()
    for text in ("Riverside Ketamine Clinic", "+1 555 010 0199", "12 River Road", "Springfield, IL 62701", "8 am–6 pm"):
        assert text in footer

    # The confirmation page: what happens next and by when, with the number to call.
    intake = Intake.objects.get(patient__user__email="pat@example.org")
    fill_intake(intake, _posts())
    phone_page.goto(reverse("intake:review", args=[intake.pk]))
    phone_page.get_by_label("I have read the consent text above and I agree to it.").check()
    phone_page.get_by_label("Type your full name as your signature").fill("Pat Patient")
    phone_page.get_by_role("button", name="Sign and send my answers").click()
    phone_page.wait_for_url(f"**/intake/{intake.pk}/submitted/")
    promise = phone_page.get_by_test_id("contact-promise").inner_text()
    assert "Within 3 business days" in promise and "Riverside Ketamine Clinic" in promise
    call = phone_page.get_by_test_id("call-the-clinic")
    assert call.get_by_role("link", name="+1 555 010 0199").get_attribute("href") == "tel:+15550100199"
    assert "Monday–Friday 8 am–6 pm" in call.inner_text()
    phone_page.screenshot(path=str(screenshot_dir / "confirmation-with-clinic-identity-phone.png"), full_page=True)


def test_a_step_works_with_the_keyboard_alone(page, consent_text):
    UserFactory(email="kim@example.org", full_name="Kim Keyboard", role=Role.PATIENT)
    sign_in(page, "kim@example.org", DEMO_PASSWORD)
    page.wait_for_url("**/step/about/")

    # Transitions off (as the patient's system may ask): the focus ring is read at once.
    page.emulate_media(reduced_motion="reduce")
    # Tab from the top: the skip link first, and every stop of the form in the page's order,
    # each with a visible focus indicator.
    page.goto(page.url)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    stops = []
    for _ in range(60):
        page.keyboard.press("Tab")
        stop = page.evaluate(
            """() => {
                const el = document.activeElement;
                const style = getComputedStyle(el);
                const form = document.getElementById('step-form');
                const all = [...document.querySelectorAll('a, button, input, select, textarea, summary')];
                return {inForm: form.contains(el), index: all.indexOf(el), name: el.name || el.textContent.trim(),
                        how: `${style.outlineStyle} ${style.outlineWidth} ${el.className}`,
                        ring: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2};
            }"""
        )
        stops.append(stop)
        # The section links and Sign out are buttons of the step form too (they save first):
        # the walk ends at the form's own first button.
        if stop["inForm"] and stop["name"] == "action":
            break
    in_form = [stop for stop in stops if stop["inForm"]]
    assert in_form and in_form[-1]["name"] == "action", "Save and continue is reached by Tab"
    # The tab order is the page's order.
    assert [stop["index"] for stop in in_form] == sorted(stop["index"] for stop in in_form)
    assert all(stop["ring"] for stop in stops), [(stop["name"], stop["how"]) for stop in stops if not stop["ring"]]

    # An answer refused: Enter in a field sends the page; the error summary takes the focus and
    # is an alert, its links lead to the fields.
    born = page.get_by_role("group", name="Date of birth")
    born.get_by_label("Day").fill("1")
    born.get_by_label("Month").fill("1")
    born.get_by_label("Year").focus()
    page.keyboard.type("2999")
    page.keyboard.press("Enter")
    summary = page.locator("#error-summary")
    summary.wait_for()
    assert summary.get_attribute("role") == "alert"
    assert page.evaluate("document.activeElement.id") == "error-summary"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')").startswith("#id_date_of_birth")
    page.keyboard.press("Enter")
    # A date in the future is wrong as a whole: its first box.
    assert page.evaluate("document.activeElement.id") == "id_date_of_birth_day"
