"""The clinic's optional logo (issue 12): an admin uploads a PNG, JPEG or WebP image (checked by
its content, at most 512 KB, never SVG), kept in the database and served by a cached view with
its content type; shown in the header of every page with the clinic's name as its text, with no
query on a page once the identity is cached."""

from __future__ import annotations

import io
import random
from http import HTTPStatus

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from PIL import Image

from clinic import logo as logo_module
from clinic.identity import clinic_identity, forget_cached_identity
from clinic.logo import MAX_BYTES, SVG_REFUSED, WRONG_KIND, validate_logo
from clinic.models import AuditEvent, ClinicIdentity

pytestmark = pytest.mark.django_db

ADD = "admin:clinic_clinicidentity_add"
FIELDS = {"name": "Riverside Clinic", "phone": "", "address": "", "hours": "", "review_business_days": ""}
SVG = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def image(kind: str, size: tuple[int, int] = (40, 20)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (20, 90, 160)).save(out, format=kind)
    return out.getvalue()


@pytest.fixture(autouse=True)
def fresh_identity():
    forget_cached_identity()
    logo_module._environment_logo.cache_clear()
    yield
    forget_cached_identity()
    logo_module._environment_logo.cache_clear()


def upload(client, data: bytes, name: str = "logo.png", content_type: str = "image/png", **fields):
    file = SimpleUploadedFile(name, data, content_type=content_type)
    return client.post(reverse(ADD), {**FIELDS, **fields, "logo_upload": file})


@pytest.mark.parametrize(
    ("kind", "content_type"), [("PNG", "image/png"), ("JPEG", "image/jpeg"), ("WEBP", "image/webp")]
)
def test_an_admin_uploads_a_logo_and_it_is_served_with_its_content_type(admin_client_, kind, content_type):
    data = image(kind)
    client = Client()  # anyone: the logo is the clinic's, shown on the sign-in page too
    response = upload(admin_client_, data, name=f"logo.{kind.lower()}", content_type="application/octet-stream")
    assert response.status_code == HTTPStatus.FOUND

    identity = clinic_identity()
    assert identity.logo_url == f"/clinic/logo/{identity.logo_version}/"
    served = client.get(identity.logo_url)
    assert served.status_code == HTTPStatus.OK
    assert served.content == data
    assert served["Content-Type"] == content_type
    assert served["X-Content-Type-Options"] == "nosniff"
    assert served["Cache-Control"] == "public, max-age=31536000, immutable"
    assert served["ETag"] == f'"{identity.logo_version}"'


def test_the_upload_is_audited_by_its_version(admin_client_, admin_user):
    upload(admin_client_, image("PNG"))
    [event] = AuditEvent.objects.filter(target_type="clinic.clinicidentity")
    assert event.changes["logo_version"] == {"before": None, "after": clinic_identity().logo_version}


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (SVG, "logo.svg", SVG_REFUSED),
        (SVG, "logo.png", SVG_REFUSED),  # renamed: the content decides
        (b"Just some text, not an image at all.\n" * 10, "logo.png", WRONG_KIND),
        (b"GIF89a" + b"\x00" * 64, "logo.gif", WRONG_KIND),
        (image("PNG")[:60], "cut.png", WRONG_KIND),  # a PNG's signature, then nothing
    ],
    ids=["svg", "svg renamed png", "text renamed png", "gif", "truncated png"],
)
def test_a_wrong_file_is_refused_next_to_the_field_and_the_logo_kept(admin_client_, data, name, message):
    upload(admin_client_, image("PNG"))
    kept = clinic_identity().logo_version

    response = upload(admin_client_, data, name=name, name_field="x")

    assert response.status_code == HTTPStatus.OK
    form = response.context["adminform"].form
    assert form.errors["logo_upload"] == [message]
    body = response.content.decode()
    assert message.split(":")[0].replace("'", "&#x27;") in body
    assert ClinicIdentity.objects.get().logo_version == kept
    # What the admin typed in the other fields is still there.
    assert form["name"].value() == "Riverside Clinic"


def test_a_file_over_512_kb_is_refused(admin_client_):
    noise = io.BytesIO()
    Image.frombytes("RGB", (600, 600), random.Random(12).randbytes(600 * 600 * 3)).save(noise, format="PNG")
    big = noise.getvalue()
    assert len(big) > MAX_BYTES
    response = upload(admin_client_, big)
    assert "a logo may be at most 512 KB" in response.context["adminform"].form.errors["logo_upload"][0]
    assert not ClinicIdentity.objects.exists()


def test_without_pillow_the_first_bytes_decide(monkeypatch):
    monkeypatch.setattr(logo_module, "_pillow_installed", lambda: False)
    assert validate_logo(image("JPEG")).content_type == "image/jpeg"
    assert validate_logo(image("WEBP")).content_type == "image/webp"
    for wrong in (SVG, b"%PDF-1.7 not an image"):
        with pytest.raises(ValidationError):
            validate_logo(wrong)


def test_the_logo_shows_in_the_header_of_every_page_with_the_clinic_name_as_its_text(admin_client_):
    upload(admin_client_, image("PNG"))
    client = Client()
    url = clinic_identity().logo_url
    for page in (reverse("login"), reverse("register")):
        body = client.get(page).content.decode()
        header = body.split('class="navbar-brand"', 1)[1].split("</a>", 1)[0]
        assert f'<img class="site-logo" src="{url}" alt="Riverside Clinic" height="40">' in header


def test_without_a_logo_the_header_shows_the_name_and_the_address_answers_404():
    client = Client()
    header = client.get(reverse("login")).content.decode().split('class="navbar-brand"', 1)[1].split("</a>", 1)[0]
    assert "<img" not in header
    assert client.get(reverse("clinic_logo", args=["0123456789abcdef"])).status_code == HTTPStatus.NOT_FOUND


def test_a_page_asks_the_database_nothing_for_the_logo_and_a_revalidation_nothing_at_all(admin_client_):
    upload(admin_client_, image("PNG"))
    client = Client()
    client.get(reverse("login"))
    logo_url, version = clinic_identity().logo_url, clinic_identity().logo_version
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("login"))
        not_modified = client.get(logo_url, HTTP_IF_NONE_MATCH=f'"{version}"')
    assert not [query for query in queries.captured_queries if "clinic_clinicidentity" in query["sql"]]
    assert not_modified.status_code == HTTPStatus.NOT_MODIFIED


def test_an_old_logo_address_leads_to_the_current_logo(admin_client_):
    upload(admin_client_, image("PNG"))
    client = Client()
    old = clinic_identity().logo_url
    upload(admin_client_, image("JPEG"))
    response = client.get(old)
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == clinic_identity().logo_url != old


def test_the_logo_can_be_removed(admin_client_):
    upload(admin_client_, image("PNG"))
    client = Client()
    url = clinic_identity().logo_url
    admin_client_.post(reverse(ADD), {**FIELDS, "remove_logo": "on"})
    assert clinic_identity().logo_url == ""
    assert client.get(url).status_code == HTTPStatus.NOT_FOUND


def test_the_environment_may_name_a_logo_file(tmp_path):
    client = Client()
    path = tmp_path / "logo.webp"
    path.write_bytes(image("WEBP"))
    with override_settings(CLINIC_LOGO_FILE=str(path)):
        forget_cached_identity()
        identity = clinic_identity()
        served = client.get(identity.logo_url)
    assert served.status_code == HTTPStatus.OK
    assert served["Content-Type"] == "image/webp"


def test_an_environment_file_that_is_no_image_is_not_shown(tmp_path, caplog):
    path = tmp_path / "logo.png"
    path.write_bytes(SVG)
    with override_settings(CLINIC_LOGO_FILE=str(path)):
        forget_cached_identity()
        assert clinic_identity().logo_url == ""
    assert "CLINIC_LOGO_FILE" in caplog.text
