"""Browser fixtures: Playwright driving Debian's Chromium (/usr/bin/chromium) against
pytest-django's live server. Playwright's own browser download is never used.

Without Chromium the browser tests are skipped locally with a reason; under CI=true a
missing Chromium fails the run instead.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.reference_data import ensure_reference_data

# Playwright's sync API runs an event loop in this thread; the ORM calls made by the tests
# themselves (setting up data, checking results) are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


def _chromium_available() -> bool:
    return Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is not None


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not _chromium_available():
        if os.environ.get("CI") == "true":
            pytest.fail(f"Chromium not found at {CHROMIUM}: CI must run the browser tests (make browser).")
        pytest.skip(f"Chromium not found at {CHROMIUM}: run `make browser` (Debian's chromium) to run browser tests.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield instance
        instance.close()


@pytest.fixture
def page(browser, live_server) -> Iterator[object]:
    context = browser.new_context(viewport=DESKTOP, base_url=live_server.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def phone_page(browser, live_server) -> Iterator[object]:
    context = browser.new_context(viewport=PHONE, base_url=live_server.url, is_mobile=True, has_touch=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


def sign_in(page, email: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def sign_in_staff(page, email: str, password: str) -> None:
    """A clinician or admin signs in as at the clinic: password, then the 6-digit code their
    authenticator app shows now (computed from the account's real TOTP device)."""
    from clinic.models import User
    from tests.conftest import authenticator_for, current_code

    device = authenticator_for(User.objects.get(email=email))
    sign_in(page, email, password)
    page.wait_for_url("**/accounts/mfa/**")
    code = page.get_by_label("Code")
    assert code.get_attribute("autocomplete") == "one-time-code"
    code.fill(current_code(device))
    page.get_by_role("button", name="Verify").click()


@pytest.fixture(autouse=True)
def role_groups(transactional_db) -> None:
    """The live server's transactional database is flushed after each test, and with it the
    rows that data migrations made: put the roles and the consent text back."""
    ensure_reference_data()


@pytest.fixture
def consent_text(transactional_db) -> object:
    """The consent text 2026.1 that data migration intake/0002 makes (flushed, like the roles)."""
    return ensure_reference_data()


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    """The accessibility gate's totals (pages checked, violations by impact) on CI's log."""
    from tests.e2e.accessibility import SUMMARY_KEY

    # Taken out of the stash: printed once even if this hook is registered twice.
    lines = config.stash.get(SUMMARY_KEY, [])
    config.stash[SUMMARY_KEY] = []
    if lines:
        terminalreporter.section("accessibility (axe-core)")
        for line in lines:
            terminalreporter.write_line(line)
