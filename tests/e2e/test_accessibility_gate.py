"""The accessibility gate (issue 12): axe-core runs on every page a user can reach — each
patient step with and without errors, the review, confirmation and answers pages, the
clinician's queue, case and rules pages, the admin's index, every list and record page, sign-in,
registration, password reset and the second-factor pages — and any serious or critical
violation fails the build. The same sweep measures each page's width at 320 px and at 200%
zoom (no sideways scrolling), saves a 390×844 screenshot of each patient step and prints each
step's page height at 390 px. The totals are printed at the end of the run for CI's log.

One browser context for the whole sweep; a new person signs in after the cookies are cleared.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.contrib import admin
from django.contrib.auth.tokens import default_token_generator
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from clinic.models import Role
from intake.date_input import date_post
from intake.models import Intake
from screening.models import Case, ScreeningTrigger
from screening.services import screening_run
from tests.answers import BASE_FACTS, fill_intake, form_posts_from_facts
from tests.e2e.accessibility import Tally, axe_source, check_page, report
from tests.e2e.conftest import DESKTOP, sign_in, sign_in_staff
from tests.factories import DEMO_PASSWORD, PatientFactory, SubmittedIntakeFactory, UserFactory

pytestmark = pytest.mark.browser

PHONE_SCREEN = {"width": 390, "height": 844}
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="module")
def tally(request) -> Tally:
    """Every page the module checks; the totals are printed once, after its last test."""
    found = Tally()
    yield found
    report(found, request.config, ARTIFACTS)


@pytest.fixture(scope="module")
def axe() -> str:
    return axe_source()


@pytest.fixture
def sweep(browser, live_server):
    """The one browser context of a sweep (desktop-sized; the checks resize it)."""
    context = browser.new_context(viewport=DESKTOP, base_url=live_server.url, bypass_csp=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def _assert_clean(tally: Tally, start: int, blocking_before: int, sideways_before: int) -> None:
    blocking = tally.blocking[blocking_before:]
    sideways = tally.sideways[sideways_before:]
    assert len(tally.pages) > start
    assert not blocking, "serious or critical accessibility violations:\n" + "\n".join(blocking)
    assert not sideways, "pages that scroll sideways:\n" + "\n".join(sideways)


def _marks(tally: Tally) -> tuple[int, int, int]:
    return len(tally.pages), len(tally.blocking), len(tally.sideways)


def _fresh(page) -> None:
    """Sign out by forgetting the session, as a new visitor in the same context."""
    page.context.clear_cookies()


def _make_invalid(page) -> str:
    """Make one answer on a step impossible the way a tampered or broken form would send it:
    the first choice's value becomes one the server does not offer (or, on a step without
    choices, the first box holds text where a number or date belongs)."""
    return page.evaluate(
        """() => {
            const form = document.getElementById('step-form');
            const radio = form.querySelector('input[type=radio]');
            if (radio) { radio.value = 'not-an-option'; radio.checked = true; return radio.name; }
            const box = form.querySelector('input[type=number], input[type=date]');
            if (box) { box.type = 'text'; box.value = 'not a number'; return box.name; }
            const text = form.querySelector('input[type=text], textarea');
            text.value = 'x'.repeat(5000); return text.name;
        }"""
    )


def test_every_patient_page_passes_axe_and_fits_a_phone(sweep, tally, axe, screenshot_dir, consent_text, capsys):
    page = sweep
    marks = _marks(tally)
    posts = form_posts_from_facts(BASE_FACTS)
    posts["heart"].update(date_post("bp_date", timezone.localdate()))

    # A patient with a complete draft: every step shown as filled in, then sent.
    UserFactory(email="pat@example.org", full_name="Pat Patient", role=Role.PATIENT)
    sign_in(page, "pat@example.org", DEMO_PASSWORD)
    page.wait_for_url("**/step/about/")
    intake = Intake.objects.get(patient__user__email="pat@example.org")
    check_page(page, "patient: intake step about (empty)", tally, source=axe)
    fill_intake(intake, posts)
    heights: dict[str, int] = {}
    for key in posts:
        page.goto(reverse("intake:step", args=[intake.pk, key]))
        check_page(page, f"patient: intake step {key}", tally, source=axe)
        page.set_viewport_size(PHONE_SCREEN)
        heights[key] = page.evaluate("document.documentElement.scrollHeight")
        page.screenshot(path=str(screenshot_dir / f"step-{key}-390x844.png"), full_page=True)
        page.set_viewport_size(DESKTOP)
    page.goto(reverse("intake:review", args=[intake.pk]))
    check_page(page, "patient: review", tally, source=axe)
    page.get_by_label("I have read the consent text above and I agree to it.").check()
    page.get_by_role("button", name="Sign and send my answers").click()
    page.locator("#error-summary").wait_for()
    check_page(page, "patient: review with errors", tally, source=axe)
    page.get_by_label("I have read the consent text above and I agree to it.").check()
    page.get_by_label("Type your full name as your signature").fill("Pat Patient")
    page.get_by_role("button", name="Sign and send my answers").click()
    page.wait_for_url(f"**/intake/{intake.pk}/submitted/")
    check_page(page, "patient: confirmation", tally, source=axe)
    page.goto(reverse("intake:detail", args=[intake.pk]))
    check_page(page, "patient: your answers", tally, source=axe)
    page.goto(reverse("intake:home"))
    check_page(page, "patient: my intake", tally, source=axe)

    # Another patient's draft: each step with an error on it.
    _fresh(page)
    UserFactory(email="erin@example.org", full_name="Erin Errors", role=Role.PATIENT)
    sign_in(page, "erin@example.org", DEMO_PASSWORD)
    page.wait_for_url("**/step/about/")
    erin = Intake.objects.get(patient__user__email="erin@example.org")
    for key in posts:
        page.goto(reverse("intake:step", args=[erin.pk, key]))
        field = _make_invalid(page)
        page.get_by_role("button", name="Save and continue").click()
        page.locator("#error-summary").wait_for()
        assert page.locator("#error-summary").get_attribute("role") == "alert", key
        check_page(page, f"patient: intake step {key} with an error ({field})", tally, source=axe)

    # A patient whose PHQ-9 item 9 answer shows the crisis banner: in full, then compact.
    _fresh(page)
    UserFactory(email="casey@example.org", full_name="Casey Crisis", role=Role.PATIENT)
    sign_in(page, "casey@example.org", DEMO_PASSWORD)
    page.wait_for_url("**/step/about/")
    casey = Intake.objects.get(patient__user__email="casey@example.org")
    crisis_posts = {**posts, "phq9": {**posts["phq9"], "phq9_9": "2"}}
    fill_intake(casey, crisis_posts, steps=["about", "pregnancy", "heart", "medical", "mental_health", "phq9"])
    for key, form in [("gad7", "full"), ("cssrs", "compact")]:
        page.goto(reverse("intake:step", args=[casey.pk, key]))
        assert page.locator("#crisis-resources").get_attribute("data-form") == form
        check_page(page, f"patient: intake step {key} with the crisis banner ({form})", tally, source=axe)

    with capsys.disabled():
        print("\nPage height at 390 px wide (CSS px; the screen is 844 px tall):")
        for key, height in heights.items():
            print(f"  {key:<14} {height:>6} px  {height / PHONE_SCREEN['height']:.1f} screens")
    _assert_clean(tally, *marks)


def _submitted_case(name: str, email: str, **answers) -> Case:
    user = UserFactory(email=email, full_name=name, role=Role.PATIENT)
    intake = SubmittedIntakeFactory(
        patient=PatientFactory(user=user), submitted_at=timezone.now() - dt.timedelta(days=1), **answers
    )
    screening_run(intake=intake, trigger=ScreeningTrigger.SUBMIT)
    return Case.objects.get(intake=intake)


def _admin_pages() -> list[tuple[str, str]]:
    """The admin's index, and for every registered model its list, one record and its add page."""
    pages = [("admin: index", reverse("admin:index"))]
    for model in admin.site._registry:
        opts = model._meta
        name = f"{opts.app_label}.{opts.model_name}"
        pages.append((f"admin: {name} list", reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")))
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            try:
                url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[first.pk])
            except NoReverseMatch:
                continue
            pages.append((f"admin: {name} record", url))
        pages.append((f"admin: {name} add", reverse(f"admin:{opts.app_label}_{opts.model_name}_add")))
    return pages


def test_every_staff_and_public_page_passes_axe_and_fits_a_phone(sweep, tally, axe, consent_text):
    page = sweep
    marks = _marks(tally)

    # Signed out: sign-in (and a failed one), registration (and its errors), password reset.
    for name, url in [
        ("public: sign in", reverse("login")),
        ("public: create an account", reverse("register")),
        ("public: password reset", reverse("password_reset")),
        ("public: password reset sent", reverse("password_reset_done")),
        ("public: password reset complete", reverse("password_reset_complete")),
        ("public: registration done", reverse("register_done")),
        ("public: confirmation link invalid", reverse("confirm_email", args=["MQ", "bad-token"])),
        ("public: password reset link invalid", reverse("password_reset_confirm", args=["MQ", "bad-token"])),
    ]:
        page.goto(url)
        check_page(page, name, tally, source=axe)
    page.goto(reverse("register"))
    # The browser's own checks let the server's messages show (as for a browser without them).
    page.evaluate("document.querySelectorAll('form').forEach(form => { form.noValidate = true; })")
    page.get_by_role("button", name="Create my account").click()
    page.locator("#error-summary").wait_for()
    check_page(page, "public: create an account with errors", tally, source=axe)
    page.goto(reverse("login"))
    page.get_by_label("E-mail address").fill("nobody@example.org")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    check_page(page, "public: sign in refused", tally, source=axe)

    # A valid password-reset link: the set-a-new-password page.
    patient = UserFactory(email="reset@example.org", full_name="Rey Reset", role=Role.PATIENT)
    page.goto(
        reverse(
            "password_reset_confirm",
            args=[urlsafe_base64_encode(force_bytes(patient.pk)), default_token_generator.make_token(patient)],
        )
    )
    page.get_by_label(re.compile("New password", re.I)).first.wait_for()
    check_page(page, "public: choose a new password", tally, source=axe)

    # A clinician: the code page, the queue, a case (urgent and routine), the rule book.
    _submitted_case("Riley Pressure", "riley@example.org", bp_systolic=192, bp_diastolic=104)
    routine = _submitted_case("Robin Routine", "robin@example.org")
    UserFactory(email="carol@example.org", full_name="Carol Clinician", role=Role.CLINICIAN)
    from clinic.models import User
    from tests.conftest import authenticator_for, current_code

    device = authenticator_for(User.objects.get(email="carol@example.org"))
    sign_in(page, "carol@example.org", DEMO_PASSWORD)
    page.wait_for_url("**/accounts/mfa/**")
    check_page(page, "staff: second-factor code", tally, source=axe)
    page.get_by_label("Code").fill(current_code(device))
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url("**/review/")
    check_page(page, "clinician: queue", tally, source=axe)
    for case in Case.objects.order_by("pk"):
        page.goto(reverse("review:case", args=[case.pk]))
        check_page(page, f"clinician: case ({case.overall})", tally, source=axe)
    page.goto(reverse("review:rules"))
    check_page(page, "clinician: rule book", tally, source=axe)
    page.goto(reverse("mfa_recovery"))
    check_page(page, "staff: recovery codes", tally, source=axe)
    assert routine.pk

    # A wrong code (another clinician: a failure throttles the device for a while).
    _fresh(page)
    cole = UserFactory(email="cole@example.org", full_name="Cole Clinician", role=Role.CLINICIAN)
    wrong = "000000" if current_code(authenticator_for(cole)) != "000000" else "111111"
    sign_in(page, "cole@example.org", DEMO_PASSWORD)
    page.wait_for_url("**/accounts/mfa/**")
    page.get_by_label("Code").fill(wrong)
    page.get_by_role("button", name="Verify").click()
    page.wait_for_load_state()
    check_page(page, "staff: second-factor code refused", tally, source=axe)

    # A new clinician: setting up the authenticator.
    _fresh(page)
    UserFactory(email="nia@example.org", full_name="Nia New", role=Role.CLINICIAN)
    sign_in(page, "nia@example.org", DEMO_PASSWORD)
    page.wait_for_url("**/accounts/mfa/enrol/**")
    check_page(page, "staff: set up an authenticator", tally, source=axe)

    # An admin: the index, every list, one record of each and each add page.
    _fresh(page)
    UserFactory(email="ada@example.org", full_name="Ada Admin", role=Role.ADMIN)
    sign_in_staff(page, "ada@example.org", DEMO_PASSWORD)
    page.wait_for_load_state()
    for name, url in _admin_pages():
        response = page.goto(url)
        if response.status in (403, 404):
            continue
        assert response.status == 200, (name, response.status)
        check_page(page, name, tally, source=axe)
    _assert_clean(tally, *marks)
