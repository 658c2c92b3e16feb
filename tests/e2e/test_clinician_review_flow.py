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
    # Once beside the field, once in the error summary the page opens on (which links to it).
    decide_form = page.locator('form[data-action="decide"]')
    assert decide_form.get_by_text("Approving despite this flag needs a written reason.").count() == 1
    assert page.get_by_test_id("error-summary").get_by_role("link", name="BP-07", exact=False).count() == 1
    assert page.locator("#id_reason").input_value() == "Benefit outweighs the risks here."
    assert prg.input_value() == "Stopped breastfeeding last week."
    assert not Decision.objects.exists()


# --- Issue 9: measured vitals that never drop a flag, a queue and a case read at a glance ------

QUEUE_ROWS = '[data-testid="queue"] tbody tr'
NARROW = ({"width": 320, "height": 800}, {"width": 683, "height": 450})  # a phone; 1366×900 at 200% zoom


def _rows_in_view(page) -> int:
    return page.evaluate(
        """(selector) => Array.from(document.querySelectorAll(selector))
            .filter((row) => {
                const box = row.getBoundingClientRect();
                return box.top >= 0 && box.bottom <= window.innerHeight;
            })
            .length""",
        QUEUE_ROWS,
    )


def _sideways(page) -> tuple[int, int]:
    return page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")


def _bottom(locator) -> float:
    box = locator.bounding_box()
    assert box is not None
    return box["y"] + box["height"]


def test_a_weight_after_a_measured_crisis_reading_keeps_the_case_urgent(page, screenshot_dir):
    UserFactory(email="carol@example.org", full_name="Carol Clinician", role=Role.CLINICIAN)
    # More cases than fit on a screen: 18 routine, 3 urgent (whose rows carry a reason line).
    for n in range(18):
        _submitted(f"Routine Patient{n:02d}", f"routine{n}@example.org", days_ago=30 - n)
    _submitted("Sam Nine", "sam@example.org", days_ago=2, phq9_9=2, phone="+1 555 010 7777")
    _submitted("Ola Item", "ola@example.org", days_ago=3, phq9_9=1)
    _submitted("Kim Crisis", "kim@example.org", days_ago=4, bp_systolic=192, bp_diastolic=104)
    urgent = _submitted(
        "Riley Pressure", "riley@example.org", days_ago=1, bp_systolic=150, bp_diastolic=95, phone="+1 (555) 010-2030"
    )

    sign_in_staff(page, "carol@example.org", DEMO_PASSWORD)
    page.wait_for_url("**/review/")

    # The queue at 1366×900: at least 12 rows without scrolling, each urgent row saying why.
    assert page.locator(QUEUE_ROWS).count() == 22
    page.screenshot(path=str(screenshot_dir / "review-queue-1366x900.png"))
    visible = _rows_in_view(page)
    print(f"queue rows visible at 1366x900: {visible}")
    assert visible >= 12
    assert "PHQ-9 item 9 answered 2" in page.locator(QUEUE_ROWS, has_text="Sam Nine").inner_text()
    assert "Self-reported BP 192/104 on " in page.locator(QUEUE_ROWS, has_text="Kim Crisis").inner_text()
    assert "not acknowledged" in page.locator(QUEUE_ROWS).nth(0).inner_text()

    # Nothing scrolls sideways on a phone or at 200% zoom.
    for size in NARROW:
        page.set_viewport_size(size)
        scroll_width, width = _sideways(page)
        print(f"queue at {size['width']}x{size['height']}: scrollWidth {scroll_width}, viewport {width}")
        assert scroll_width <= width, size
    page.screenshot(path=str(screenshot_dir / "review-queue-683x450.png"))
    page.set_viewport_size({"width": 1366, "height": 900})

    # Riley reported 150/95 (not urgent): a measured reading is taken at the clinic.
    page.goto(f"/review/cases/{urgent.pk}/")
    assert urgent.overall != Level.URGENT_MEDICAL

    # A measured crisis reading: URGENT_MEDICAL with BP-01, acknowledged again.
    today = timezone.localdate().isoformat()
    page.get_by_label("Systolic (mmHg)").fill("190")
    page.get_by_label("Diastolic (mmHg)").fill("100")
    page.get_by_label("Date measured").fill(today)
    page.get_by_role("button", name="Record and re-screen").click()
    page.get_by_text("Measured vitals recorded and the case re-screened").wait_for()
    assert "Urgent: medical" in page.get_by_test_id("overall").inner_text()
    page.get_by_label("What did you do about the urgent flag?").fill("Sent to the emergency department.")
    page.get_by_role("button", name="Acknowledge urgent flag").click()
    page.get_by_text("Urgent flag acknowledged.").wait_for()

    # Then a weight alone: the measured crisis reading still stands.
    page.get_by_label("Weight (kg)").fill("82")
    page.get_by_role("button", name="Record and re-screen").click()
    page.get_by_text("Measured vitals recorded and the case re-screened").wait_for()
    urgent.refresh_from_db()
    assert urgent.overall == Level.URGENT_MEDICAL
    assert urgent.latest_result.trigger == ScreeningTrigger.VITALS
    assert "Urgent: medical" in page.get_by_test_id("overall").inner_text()
    assert page.locator('[data-flag="BP-01"]').count() == 1
    assert page.locator('[data-flag="BP-07"]').count() == 0
    used = page.get_by_test_id("readings-used").inner_text()
    assert "190/100 mmHg, measured by staff" in used and "82.0 kg" in used

    # The header, above the fold: name, phone as a link, the reason of the urgent flag.
    page.evaluate("() => window.scrollTo(0, 0)")
    phone = page.get_by_test_id("phone")
    assert phone.get_attribute("href") == "tel:+15550102030"
    reason = page.get_by_test_id("urgent-reason")
    assert reason.inner_text().startswith("Why: Measured BP 190/100 on ")
    for locator in (page.get_by_test_id("patient-name"), phone, reason, page.get_by_test_id("overall")):
        assert _bottom(locator) <= 900
    page.screenshot(path=str(screenshot_dir / "review-case-desktop.png"))

    # A refused decision opens on its error summary, links to the field, keeps the typed text.
    page.get_by_label("Approved for initial assessment").check()
    page.locator("#id_reason").fill("Reviewed with the GP.")
    page.get_by_role("button", name="Record decision").click()
    summary = page.get_by_test_id("error-summary")
    summary.wait_for()
    box = summary.bounding_box()
    assert box is not None and 0 <= box["y"] < 900
    assert page.evaluate("() => document.activeElement && document.activeElement.id") == "error-summary"
    assert page.locator("#id_reason").input_value() == "Reviewed with the GP."
    page.screenshot(path=str(screenshot_dir / "review-case-refused-decision.png"))
    summary.get_by_role("link").first.click()
    assert page.evaluate("() => location.hash").startswith("#id_flag_reason_")
    # Bootstrap scrolls smoothly: wait until the linked field is on the screen.
    page.wait_for_function(
        """() => { const box = document.querySelector(location.hash).getBoundingClientRect();
                   return box.top >= 0 && box.bottom <= window.innerHeight; }"""
    )
    assert not Decision.objects.exists()


def test_the_case_page_on_a_phone(phone_page, screenshot_dir):
    page = phone_page
    UserFactory(email="carol@example.org", full_name="Carol Clinician", role=Role.CLINICIAN)
    case = _submitted("Sam Nine", "sam@example.org", days_ago=2, phq9_9=2, phone="+1 555 010 7777")

    sign_in_staff(page, "carol@example.org", DEMO_PASSWORD)
    page.wait_for_url("**/review/")
    scroll_width, width = _sideways(page)
    assert scroll_width <= width
    page.goto(f"/review/cases/{case.pk}/")

    assert page.get_by_test_id("phone").get_attribute("href") == "tel:+15550107777"
    assert "PHQ-9 item 9 answered 2" in page.get_by_test_id("urgent-reason").inner_text()
    for locator in (
        page.get_by_test_id("patient-name"),
        page.get_by_test_id("phone"),
        page.get_by_test_id("urgent-reason"),
    ):
        assert _bottom(locator) <= 844
    scroll_width, width = _sideways(page)
    print(f"case page at 390x844: scrollWidth {scroll_width}, viewport {width}")
    assert scroll_width <= width
    page.screenshot(path=str(screenshot_dir / "review-case-phone-390x844.png"))
    page.screenshot(path=str(screenshot_dir / "review-case-phone-390x844-full.png"), full_page=True)
