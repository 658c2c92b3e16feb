"""A new clinician's first sign-in in a real browser: password, then set up the authenticator
from the secret on the page, confirm with its code, keep the recovery codes, reach the queue."""

from __future__ import annotations

import base64

import pytest
from django_otp.oath import totp

from clinic.models import Role
from tests.factories import DEMO_PASSWORD, UserFactory

pytestmark = pytest.mark.browser


def test_a_new_clinician_enrols_an_authenticator_and_reaches_the_queue(page, screenshot_dir):
    UserFactory(email="carol@example.org", full_name="Carol Clinician", role=Role.CLINICIAN)
    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill("carol@example.org")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/accounts/mfa/enrol/**")
    secret = page.get_by_test_id("totp-secret").inner_text()
    assert page.locator("img[alt^='QR code']").is_visible()
    page.screenshot(path=str(screenshot_dir / "staff-mfa-enrol.png"), full_page=True)

    # What an authenticator app does with the secret typed into it.
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    code = page.get_by_label("Code")
    assert code.get_attribute("autocomplete") == "one-time-code"
    code.fill(f"{totp(key):06d}")
    page.get_by_role("button", name="Confirm").click()
    codes = page.get_by_test_id("recovery-codes").locator("li")
    codes.first.wait_for()
    assert codes.count() == 10
    page.get_by_role("link", name="Continue").click()
    page.wait_for_url("**/review/")
    assert page.get_by_role("heading", level=1).first.is_visible()
