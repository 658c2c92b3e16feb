"""Issue 12 in a real browser on a phone (390 × 844): a date typed as day, month and year, an
impossible one refused beside the field with every box as typed; and "Add a medicine" on a
long list opening the page at the new row, its first box focused and on screen (also without
JavaScript, where the browser scrolls to the row)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from clinic.models import Role
from intake.models import Intake, StepDraft
from intake.services import intake_save_step
from intake.steps import STEP_BY_KEY
from tests.e2e.accessibility import Tally, axe_source, check_page
from tests.e2e.conftest import PHONE, sign_in
from tests.factories import DEMO_PASSWORD, UserFactory

pytestmark = pytest.mark.browser

EMAIL = "robin@example.org"
MEDICINES = (
    "Sertraline",
    "Lamotrigine",
    "Lithium",
    "Metformin",
    "Lisinopril",
    "Atorvastatin",
    "Omeprazole",
    "Vitamin D",
)


@pytest.fixture
def phone(browser, live_server):
    """A phone, as conftest's phone_page, that also lets axe-core be injected (CSP bypassed)."""
    context = browser.new_context(
        viewport=PHONE, base_url=live_server.url, is_mobile=True, has_touch=True, bypass_csp=True
    )
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def _passes_axe(page, name: str) -> None:
    """No serious or critical axe-core violation, and no sideways scrolling at 320 px or 200% zoom."""
    tally = Tally()
    check_page(page, name, tally, source=axe_source())
    assert not tally.blocking and not tally.sideways, tally.blocking + tally.sideways


def _signed_in_patient(page) -> Intake:
    UserFactory(email=EMAIL, full_name="Robin Rows", role=Role.PATIENT)
    sign_in(page, EMAIL, DEMO_PASSWORD)
    page.wait_for_url("**/step/about/")
    return Intake.objects.get(patient__user__email=EMAIL)


def _eight_medicines(intake: Intake) -> str:
    rows = {
        f"meds-{index}-{key}": value
        for index, name in enumerate(MEDICINES)
        for key, value in (("name", name), ("dose", "10 mg"), ("frequency", "once a day"))
    }
    data = {"takes_medications": "yes", "meds-TOTAL_FORMS": str(len(MEDICINES)), "meds-INITIAL_FORMS": "0", **rows}
    assert intake_save_step(intake=intake, step=STEP_BY_KEY["medications"], data=data).valid
    return reverse("intake:step", args=[intake.pk, "medications"])


def _on_screen(locator) -> bool:
    box = locator.bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"]


def _comes_on_screen(page, locator) -> bool:
    """Whether ``locator`` is within the phone's screen once the scroll has ended (Bootstrap
    scrolls smoothly to a #fragment unless the patient's system asks for reduced motion)."""
    for _ in range(40):
        if _on_screen(locator):
            return True
        page.wait_for_timeout(100)
    return False


def test_an_impossible_birth_date_is_refused_beside_the_field_and_shown_as_typed(phone, screenshot_dir):
    page = phone
    intake = _signed_in_patient(page)
    born = page.get_by_role("group", name="Date of birth")
    assert born.get_by_text("For example, 27 3 1988").is_visible()
    day, month, year = (born.get_by_label(part) for part in ("Day", "Month", "Year"))
    assert [box.get_attribute("inputmode") for box in (day, month, year)] == ["numeric"] * 3
    assert [box.get_attribute("autocomplete") for box in (day, month, year)] == ["bday-day", "bday-month", "bday-year"]
    day.fill("30")
    month.fill("02")
    year.fill("1988")
    page.get_by_label("Female", exact=True).check()
    page.get_by_label("Height (cm)").fill("168")
    page.get_by_label("Phone number").fill("(555) 010-0199")
    page.get_by_role("button", name="Save and continue").click()

    error = page.locator("#id_date_of_birth_error")
    error.wait_for()
    assert error.inner_text().endswith("Date of birth must be a real date")
    # Beside the field: inside its fieldset, just above its boxes.
    assert born.locator("#id_date_of_birth_error").count() == 1
    assert 0 < day.bounding_box()["y"] - (error.bounding_box()["y"] + error.bounding_box()["height"]) < 80
    # Exactly what was typed, the boxes marked, and nothing else lost.
    assert [day.input_value(), month.input_value(), year.input_value()] == ["30", "02", "1988"]
    assert [box.get_attribute("aria-invalid") for box in (day, month, year)] == ["true"] * 3
    assert page.get_by_label("Female", exact=True).is_checked()
    assert page.get_by_label("Height (cm)").input_value() == "168"
    assert page.get_by_label("Phone number").input_value() == "(555) 010-0199"
    assert page.evaluate("document.body.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(screenshot_dir / "date-of-birth-impossible-phone.png"), full_page=True)
    _passes_axe(page, "about: an impossible date of birth")

    # The summary's link leads to the first box.
    link = page.locator("#error-summary").get_by_role("link", name="Date of birth must be a real date")
    assert link.get_attribute("href") == "#id_date_of_birth_day"
    link.click()
    assert page.evaluate("document.activeElement.id") == "id_date_of_birth_day"

    # The draft on the server holds the three boxes as typed.
    draft = StepDraft.objects.get(intake=intake, step="about")
    assert (draft.data["date_of_birth_day"], draft.data["date_of_birth_month"], draft.data["date_of_birth_year"]) == (
        "30",
        "02",
        "1988",
    )

    # Corrected, it is saved and read back as a date.
    day.fill("28")
    page.get_by_role("button", name="Save and continue").click()
    # The summary link's #id_date_of_birth_day is not carried over to the next page.
    page.wait_for_url("**/step/pregnancy/")
    intake.refresh_from_db()
    assert intake.date_of_birth.isoformat() == "1988-02-28"


def test_adding_a_medicine_to_a_long_list_lands_on_the_new_row_with_the_focus_in_it(phone, screenshot_dir):
    page = phone
    url = _eight_medicines(_signed_in_patient(page))
    page.goto(url)
    add = page.get_by_role("button", name="Add another medicine")
    add.scroll_into_view_if_needed()
    add.click()

    page.wait_for_url("**/step/medications/#row-9")
    new_box = page.locator('[name="meds-8-name"]')
    new_box.wait_for()
    page.wait_for_function("document.activeElement && document.activeElement.name === 'meds-8-name'")
    assert _comes_on_screen(page, new_box)
    assert _on_screen(page.get_by_role("group", name="Medicine 9").locator("legend"))
    # Far down a long page: not the top, where the reload used to leave the patient.
    assert page.evaluate("window.scrollY") > PHONE["height"]
    page.screenshot(path=str(screenshot_dir / "medications-row-added-phone.png"))
    _passes_axe(page, "medications: a row added")
    page.wait_for_function("document.activeElement && document.activeElement.name === 'meds-8-name'")

    # Removing medicine 3 lands where it was: on the row now in its place.
    page.get_by_role("button", name="Remove medicine 3").click()
    page.wait_for_url("**/step/medications/#row-3")
    assert page.locator('[name="meds-2-name"]').input_value() == "Metformin"
    page.wait_for_function("document.activeElement && document.activeElement.name === 'meds-2-name'")
    assert _comes_on_screen(page, page.locator('[name="meds-2-name"]'))

    # Saving goes on to the next step, at its top: the #row-3 stays behind.
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url("**/step/goals/")


def test_without_javascript_adding_a_row_still_works_and_scrolls_to_it(browser, live_server, screenshot_dir):
    context = browser.new_context(viewport=PHONE, base_url=live_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        url = _eight_medicines(_signed_in_patient(page))
        page.goto(url)
        page.get_by_role("button", name="Add another medicine").click()
        page.wait_for_url("**/step/medications/#row-9")
        assert page.locator('[name="meds-8-name"]').count() == 1
        assert _comes_on_screen(page, page.get_by_role("group", name="Medicine 9").locator("legend"))
        assert page.evaluate("window.scrollY") > PHONE["height"]
    finally:
        context.close()
