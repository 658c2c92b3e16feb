"""Nothing typed is ever lost (issue 12), in Debian's Chromium at 390×844: each way a page's
answers used to vanish, and afterwards every typed answer is in the step's draft (read from
the database). See docs/intake.md, "Nothing typed is lost"."""

from __future__ import annotations

import contextlib
import re
import time
from http import HTTPStatus

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import Error as PlaywrightError

from clinic.models import Role, Session
from intake.models import StepDraft
from intake.services import intake_start, patient_get_or_create
from tests.e2e.accessibility import Tally, axe_source, check_page
from tests.e2e.conftest import PHONE, sign_in
from tests.factories import DEMO_PASSWORD, UserFactory

pytestmark = pytest.mark.browser

EMAIL = "nora@example.org"
PHQ9_FIVE = {"phq9_1": "2", "phq9_2": "1", "phq9_3": "3", "phq9_4": "0", "phq9_5": "2"}
GOALS_TEXT = "Feel like myself again; sleep through the night"
SAVED = "Saved"
OFFLINE = "Not saved yet \u2014 check your connection"


@pytest.fixture
def intake(transactional_db):
    user = UserFactory(email=EMAIL, full_name="Nora Patient", role=Role.PATIENT)
    return intake_start(patient=patient_get_or_create(user=user))


@pytest.fixture
def patient_page(phone_page, intake):
    sign_in(phone_page, EMAIL, DEMO_PASSWORD)
    phone_page.wait_for_url("**/step/about/")
    return phone_page


def step_path(intake, key: str) -> str:
    return f"/intake/{intake.pk}/step/{key}/"


def answer_radios(page, answers: dict[str, str]) -> None:
    for name, value in answers.items():
        page.locator(f'[name="{name}"][value="{value}"]').check()


def draft_of(intake, key: str, expected: dict[str, str], timeout: float = 5.0) -> dict:
    """The step's draft once it holds every expected answer (a background save may land a
    moment after the page is gone); fails naming what is missing."""
    deadline = time.monotonic() + timeout
    data: dict = {}
    while time.monotonic() < deadline:
        draft = StepDraft.objects.filter(intake=intake, step=key).first()
        data = draft.data if draft else {}
        if all(data.get(name) == value for name, value in expected.items()):
            return data
        time.sleep(0.1)
    missing = {name: value for name, value in expected.items() if data.get(name) != value}
    raise AssertionError(f"answers not in the {key} draft: {sorted(missing)} (draft has {sorted(data)})")


def open_menu(page) -> None:
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible() and toggler.get_attribute("aria-expanded") != "true":
        toggler.click()


def block_background_saves(page) -> None:
    """The background save never reaches the server: what is proven is the page's own path."""
    page.route("**/draft/", lambda route: route.abort())


@contextlib.contextmanager
def phq9_half_answered(browser, live_server, intake, *, javascript: bool):
    """A phone signed in as the patient, on the PHQ-9 page with five answers chosen; with
    JavaScript the background save is blocked, so what is proven is the page's own path."""
    context = browser.new_context(
        viewport=PHONE, base_url=live_server.url, is_mobile=True, has_touch=True, java_script_enabled=javascript
    )
    page = context.new_page()
    try:
        sign_in(page, EMAIL, DEMO_PASSWORD)
        page.wait_for_url("**/step/about/")
        if javascript:
            block_background_saves(page)
        page.goto(step_path(intake, "phq9"))
        answer_radios(page, PHQ9_FIVE)
        yield page
    finally:
        context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_sign_out_from_the_menu_mid_page_keeps_the_five_phq9_answers(browser, live_server, intake, javascript):
    with phq9_half_answered(browser, live_server, intake, javascript=javascript) as page:
        if javascript:
            open_menu(page)
            page.get_by_role("button", name="Sign out").click()
        else:
            # Without JavaScript the collapsed menu cannot open: its button is pressed as a
            # keyboard or switch user reaches it (it is in the page, in the form).
            page.locator('button[value="sign-out"]').first.dispatch_event("click")
        page.wait_for_url("**/accounts/login/")
        assert page.get_by_text("You are signed out. Your answers are saved").is_visible()
        assert draft_of(intake, "phq9", PHQ9_FIVE)


def test_idle_expiry_then_save_lands_on_a_page_that_saves_after_signing_in(patient_page, intake, screenshot_dir):
    page = patient_page
    page.goto(step_path(intake, "goals"))
    # The session ends on the server while the page is open (the idle limit passed).
    Session.objects.all().delete()
    page.locator('[name="treatment_goals"]').fill(GOALS_TEXT)
    page.locator('[name="has_ride_home"][value="yes"]').check()
    # The background save is refused: the page says so, and never "Saved".
    status = page.locator("#save-status")
    status.filter(has_text="you have been signed out").wait_for()
    page.get_by_role("button", name="Save and continue").click()

    assert page.get_by_role("heading", name="Your answers are not saved yet").is_visible()
    answers = page.locator(".rescued-answers")
    assert "What would you like treatment to help you with?" in answers.inner_text()
    assert GOALS_TEXT in answers.inner_text()
    assert "?" not in page.url
    page.screenshot(path=str(screenshot_dir / "rescue-after-expiry-390x844.png"), full_page=True)
    page.get_by_label("E-mail address").fill(EMAIL)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in and save my answers").click()

    page.wait_for_url(f"**{step_path(intake, 'goals')}")
    assert page.locator('[name="treatment_goals"]').input_value() == GOALS_TEXT
    assert page.locator('[name="has_ride_home"][value="yes"]').is_checked()
    assert draft_of(intake, "goals", {"treatment_goals": GOALS_TEXT, "has_ride_home": "yes"})


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_leaving_by_a_section_link_saves_the_page_first(browser, live_server, intake, javascript):
    with phq9_half_answered(browser, live_server, intake, javascript=javascript) as page:
        page.locator("summary", has_text="All sections").click()
        page.locator("details").get_by_role("button", name="Other medical history").click()
        page.wait_for_url(f"**{step_path(intake, 'medical')}")
        assert draft_of(intake, "phq9", PHQ9_FIVE)


def test_a_stale_csrf_token_lands_on_a_page_that_saves_with_one_click(patient_page, intake):
    page = patient_page
    page.goto(step_path(intake, "goals"))
    # Signed out and in again in another tab: a new session and a new CSRF token.
    other = page.context.new_page()
    other.goto(f"/intake/{intake.pk}/review/")
    open_menu(other)
    other.get_by_role("button", name="Sign out").click()
    other.wait_for_url("**/accounts/login/")
    sign_in(other, EMAIL, DEMO_PASSWORD)
    other.wait_for_url("**/step/**")
    other.close()

    page.locator('[name="treatment_goals"]').fill(GOALS_TEXT)
    page.locator('[name="has_ride_home"][value="no"]').check()
    page.locator("#save-status").filter(has_text=OFFLINE).wait_for()
    page.get_by_role("button", name="Save and continue").click()

    assert page.get_by_role("heading", name="Your answers are not saved yet").is_visible()
    assert "Forbidden" not in page.content()
    assert GOALS_TEXT in page.locator(".rescued-answers").inner_text()
    page.get_by_role("button", name="Save my answers").click()
    page.wait_for_url(f"**{step_path(intake, 'goals')}")
    assert page.locator('[name="treatment_goals"]').input_value() == GOALS_TEXT
    assert draft_of(intake, "goals", {"treatment_goals": GOALS_TEXT, "has_ride_home": "no"})


def test_the_browser_back_button_saves_the_page_first(patient_page, intake):
    page = patient_page
    page.goto(step_path(intake, "gad7"))
    page.goto(step_path(intake, "phq9"))
    answer_radios(page, PHQ9_FIVE)
    # Straight back, before the background save's pause is over: the page sends its answers
    # as it goes (pagehide).
    page.go_back()
    page.wait_for_url(f"**{step_path(intake, 'gad7')}")
    assert draft_of(intake, "phq9", PHQ9_FIVE)


def test_saved_is_shown_only_after_the_server_has_the_answers(patient_page, intake):
    page = patient_page
    page.goto(step_path(intake, "phq9"))
    status = page.locator("#save-status")
    assert status.get_attribute("role") == "status"
    assert status.get_attribute("aria-live") == "polite"

    # The connection fails: the page says so, never "Saved", and the server has nothing.
    page.route("**/draft/", lambda route: route.abort())
    answer_radios(page, {"phq9_1": "1"})
    status.filter(has_text=OFFLINE).wait_for()
    assert not StepDraft.objects.filter(intake=intake, step="phq9").exists()

    # While a save is on its way the page does not claim it yet: the request is held back.
    held: list = []
    page.unroute("**/draft/")
    page.route("**/draft/", lambda route: held.append(route))
    answer_radios(page, {"phq9_2": "3"})
    page.wait_for_timeout(1_500)
    assert held, "the background save was not sent"
    assert status.text_content() != SAVED
    assert not StepDraft.objects.filter(intake=intake, step="phq9").exists()
    held[0].continue_()
    status.filter(has_text=SAVED).wait_for()
    assert draft_of(intake, "phq9", {"phq9_1": "1", "phq9_2": "3"})


def test_before_the_idle_limit_a_warning_offers_to_stay_signed_in(
    browser, live_server, intake, settings_override, screenshot_dir
):
    context = browser.new_context(viewport=PHONE, base_url=live_server.url, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        sign_in(page, EMAIL, DEMO_PASSWORD)
        page.wait_for_url("**/step/about/")
        dialog = page.get_by_role("dialog", name="Are you still there?")
        dialog.wait_for(timeout=8_000)
        stay = dialog.get_by_role("button", name="Stay signed in")
        assert stay.evaluate("node => node === document.activeElement")
        page.screenshot(path=str(screenshot_dir / "idle-warning-390x844.png"))
        stay.click()
        dialog.wait_for(state="hidden")
        session = Session.objects.get()
        assert session.expire_date > timezone.now() + timezone.timedelta(seconds=settings.SESSION_COOKIE_AGE - 3)
    finally:
        context.close()


@pytest.fixture
def settings_override(settings):
    """A 6-second idle limit: the warning comes after 3 seconds (half the limit, when short)."""
    settings.SESSION_COOKIE_AGE = 6
    return settings


def test_the_warning_the_rescue_pages_and_the_friendly_403_pass_axe(browser, live_server, intake):
    """The accessibility gate (tests/e2e/accessibility.py) on the pages this feature adds."""
    context = browser.new_context(viewport=PHONE, base_url=live_server.url, bypass_csp=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    tally, source = Tally(), axe_source()
    try:
        sign_in(page, EMAIL, DEMO_PASSWORD)
        page.wait_for_url("**/step/about/")
        page.goto(step_path(intake, "goals"))
        page.locator('[name="treatment_goals"]').fill(GOALS_TEXT)
        page.locator("#save-status").filter(has_text=SAVED).wait_for()
        check_page(page, "step with Saved", tally, source=source)
        page.evaluate("document.getElementById('session-dialog').showModal()")
        check_page(page, "idle warning", tally, source=source)
        page.reload()

        Session.objects.all().delete()
        page.get_by_role("button", name="Save and continue").click()
        page.get_by_role("button", name="Sign in and save my answers").wait_for()
        check_page(page, "rescue: sign in and save", tally, source=source)
        page.get_by_label("E-mail address").fill(EMAIL)
        page.get_by_label("Password").fill("not the password")
        page.get_by_role("button", name="Sign in and save my answers").click()
        page.get_by_role("button", name="Sign in and save my answers").wait_for()
        check_page(page, "rescue: wrong password", tally, source=source)
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Sign in and save my answers").click()
        page.wait_for_url(f"**{step_path(intake, 'goals')}")

        # A stale token: the one-button rescue page; any other stale form: the friendly 403.
        page.evaluate("document.querySelector('#step-form [name=csrfmiddlewaretoken]').value = 'x'.repeat(64)")
        page.get_by_role("button", name="Save and continue").click()
        page.get_by_role("button", name="Save my answers").wait_for()
        check_page(page, "rescue: save my answers", tally, source=source)
        page.goto(f"/intake/{intake.pk}/review/")
        page.evaluate("document.querySelector('form[action$=\"/logout/\"] [name=csrfmiddlewaretoken]').value = 'x'")
        open_menu(page)
        page.get_by_role("button", name="Sign out").click()
        page.get_by_role("heading", name="This page was open for too long").wait_for()
        check_page(page, "friendly 403", tally, source=source)
    finally:
        context.close()
    assert len(tally.pages) == 6
    assert not tally.blocking, "serious or critical accessibility violations:\n" + "\n".join(tally.blocking)
    assert not tally.sideways, "pages that scroll sideways:\n" + "\n".join(tally.sideways)


# --- A background save that lands late (draft revisions) -------------------------------------
# A save held back on its way while the patient presses "Add another medicine" or "Save and
# continue" is refused when it finally arrives, and the draft keeps what the page's POST
# saved; pressing a button of the page cancels a pending background save; a page left behind
# by another tab's save never says "Saved".

STALE = "Not saved \u2014 these answers were changed in another tab or window"


def hold_background_saves(page) -> list:
    """Background saves are held on their way (not sent to the server) until released."""
    held: list = []
    page.route("**/draft/", lambda route: held.append(route))
    return held


def wait_for_held(page, held: list, count: int = 1) -> None:
    for _ in range(50):
        if len(held) >= count:
            return
        page.wait_for_timeout(100)
    raise AssertionError("the background save was not sent")


def release(route) -> int:
    """Let a held background save reach the server now; its status."""
    response = route.fetch()
    # The page that sent it may be gone: only the server's answer matters.
    with contextlib.suppress(PlaywrightError):
        route.fulfill(response=response)
    return response.status


@pytest.mark.parametrize(
    "button,lands_on,rows",
    [("Add another medicine", "medications", "2"), ("Save and continue", "goals", "1")],
    ids=["add-a-row", "save-and-continue"],
)
def test_a_background_save_landing_after_the_pages_post_changes_nothing(patient_page, intake, button, lands_on, rows):
    page = patient_page
    page.goto(step_path(intake, "medications"))
    page.locator('[name="takes_medications"][value="yes"]').check()
    page.get_by_role("button", name="Add a medicine").click()
    page.get_by_label("Medicine name").wait_for()

    held = hold_background_saves(page)
    page.get_by_label("Medicine name").fill("Sertraline")
    wait_for_held(page, held)  # on its way: the name, not the dose yet
    page.get_by_label("Dose").fill("50 mg")
    page.get_by_role("button", name=button).click()
    # After "Add" the page opens at the new row (a #row-N fragment).
    page.wait_for_url(re.compile(re.escape(step_path(intake, lands_on)) + r"(#row-\d+)?$"))
    if lands_on == "medications":
        page.get_by_text("Medicine 2", exact=True).wait_for()
    posted = StepDraft.objects.get(intake=intake, step="medications")
    assert posted.data["meds-TOTAL_FORMS"] == rows
    assert posted.data["meds-0-dose"] == "50 mg"

    # The held save (based on the page's older revision) finally reaches the server.
    assert len(held) == 1, "a background save started after the button was pressed"
    assert release(held[0]) == HTTPStatus.CONFLICT

    kept = StepDraft.objects.get(intake=intake, step="medications")
    assert kept.data == posted.data
    assert kept.revision == posted.revision
    if lands_on == "medications":
        # The page shows the POST's answers and the added row; the next save is based on them.
        assert page.get_by_label("Dose").first.input_value() == "50 mg"
        assert page.locator('input[name="draft_revision"]').input_value() == str(posted.revision)


def test_pressing_a_button_cancels_the_pending_background_save(patient_page, intake):
    page = patient_page
    sent: list = []
    page.route("**/draft/", lambda route: (sent.append(route.request.url), route.continue_()))
    page.goto(step_path(intake, "goals"))
    page.get_by_label("What would you like treatment to help you with?").fill("Sleep through the night")
    # Straight away, before the background save's pause is over.
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url(f"**/intake/{intake.pk}/review/")
    page.wait_for_timeout(1_500)
    assert sent == []
    assert StepDraft.objects.get(intake=intake, step="goals").data["treatment_goals"] == "Sleep through the night"


def test_a_page_left_behind_by_another_tabs_save_never_says_saved(patient_page, intake):
    first = patient_page
    second = first.context.new_page()
    first.goto(step_path(intake, "goals"))
    second.goto(step_path(intake, "goals"))
    goals = "What would you like treatment to help you with?"

    second.get_by_label(goals).fill("Written in the second tab")
    second.locator("#save-status").filter(has_text=SAVED).wait_for()

    # The first tab was built from the older draft: its background save is refused, it says
    # so, and it does not try again with its older answers.
    first.get_by_label(goals).fill("Written in the first tab")
    status = first.locator("#save-status")
    status.filter(has_text=STALE).wait_for()
    first.get_by_label(goals).fill("Written in the first tab, then more")
    first.wait_for_timeout(1_500)
    assert status.text_content().startswith(STALE)
    assert StepDraft.objects.get(intake=intake, step="goals").data["treatment_goals"] == "Written in the second tab"

    # Pressing Save on it keeps what it shows: the patient asked for it.
    first.get_by_role("button", name="Save and continue").click()
    first.wait_for_url(f"**/intake/{intake.pk}/review/")
    saved = StepDraft.objects.get(intake=intake, step="goals").data["treatment_goals"]
    assert saved == "Written in the first tab, then more"


def set_visibility(page, state: str) -> None:
    """As when the patient switches to another app and back (the page stays open)."""
    page.evaluate(
        """state => {
            Object.defineProperty(document, "visibilityState", { value: state, configurable: true });
            document.dispatchEvent(new Event("visibilitychange"));
        }""",
        state,
    )


def test_switching_to_another_app_and_back_saves_and_goes_on_saving(patient_page, intake):
    page = patient_page
    page.goto(step_path(intake, "goals"))
    goals = page.get_by_label("What would you like treatment to help you with?")
    status = page.locator("#save-status")
    goals.fill("Sleep")
    # Hidden before the background save's pause is over: the answers go at once.
    set_visibility(page, "hidden")
    assert draft_of(intake, "goals", {"treatment_goals": "Sleep"})
    set_visibility(page, "visible")
    goals.fill("Sleep through the night")
    status.filter(has_text=SAVED).wait_for()
    assert draft_of(intake, "goals", {"treatment_goals": "Sleep through the night"})
    assert not status.text_content().startswith(STALE)
