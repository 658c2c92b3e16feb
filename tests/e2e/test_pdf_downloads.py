"""The PDF copies in a real browser: the patient downloads their copy from the confirmation
page, a clinician downloads the chart copy and the FHIR Bundle from the case page. Page 1 of
each PDF is rendered with pdftoppm (poppler-utils) to test-artifacts/screenshots/."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from clinic.models import Role
from screening.models import Case, ScreeningResult, ScreeningTrigger
from screening.services import screening_run
from tests.e2e.conftest import sign_in, sign_in_staff
from tests.factories import DEMO_PASSWORD, PatientFactory, SubmittedIntakeFactory, UserFactory

pytestmark = pytest.mark.browser


def page_one_png(pdf: Path, png: Path) -> None:
    """Render page 1 of ``pdf`` to ``png`` with poppler's pdftoppm."""
    if shutil.which("pdftoppm") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("pdftoppm not found: CI must render the PDFs (make browser installs poppler-utils).")
        pytest.skip("pdftoppm not found: run `make browser` (Debian's poppler-utils) to render the PDFs.")
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(png.with_suffix(""))],
        check=True,
        timeout=60,
    )
    assert png.exists() and png.stat().st_size > 1000


def text_of(path: Path) -> str:
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def _screened(name: str, email: str) -> Case:
    user = UserFactory(email=email, full_name=name, role=Role.PATIENT)
    intake = SubmittedIntakeFactory(patient=PatientFactory(user=user))
    screening_run(intake=intake, trigger=ScreeningTrigger.SUBMIT)
    return Case.objects.get(intake=intake)


def test_a_patient_downloads_a_copy_of_their_answers(page, screenshot_dir, tmp_path):
    case = _screened("Zoë Ünal", "zoe@example.org")
    flags = [flag["rule"] for flag in ScreeningResult.objects.get(intake=case.intake).result["flags"]]
    sign_in(page, "zoe@example.org", DEMO_PASSWORD)
    page.goto(f"/intake/{case.intake_id}/submitted/")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download a copy of your answers (PDF)").click()
    saved = tmp_path / "patient.pdf"
    download_info.value.save_as(saved)

    text = text_of(saved)
    assert "Your intake answers" in text
    assert "Zoë Ünal" in text
    assert flags and not any(rule in text for rule in flags)
    page_one_png(saved, screenshot_dir / "pdf-patient-copy-page1.png")


def test_a_clinician_downloads_the_chart_pdf_and_the_fhir_bundle(page, screenshot_dir, tmp_path):
    UserFactory(email="carol@example.org", full_name="Carol Clinician", role=Role.CLINICIAN)
    case = _screened("Robin Routine", "robin@example.org")
    flags = [flag["rule"] for flag in ScreeningResult.objects.get(intake=case.intake).result["flags"]]
    sign_in_staff(page, "carol@example.org", DEMO_PASSWORD)
    page.wait_for_url("**/review/")
    page.goto(f"/review/cases/{case.pk}/")

    with page.expect_download() as pdf_download:
        page.get_by_role("link", name="PDF for the chart").click()
    saved = tmp_path / "case.pdf"
    pdf_download.value.save_as(saved)
    with page.expect_download() as fhir_download:
        page.get_by_role("link", name="FHIR R4 Bundle (JSON)").click()
    bundle = json.loads(Path(fhir_download.value.path()).read_text())

    text = text_of(saved)
    assert "Robin Routine" in text
    assert flags and all(rule in text for rule in flags)
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "collection"
    page_one_png(saved, screenshot_dir / "pdf-staff-case-page1.png")
