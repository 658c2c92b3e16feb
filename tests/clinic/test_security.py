"""The security baseline: headers, cookies, no caching of pages, error pages without internals."""

from http import HTTPStatus

import pytest
from django.urls import path, reverse

pytestmark = pytest.mark.django_db


def boom(request):
    raise RuntimeError("secret internals: DATABASE_URL=postgres://x")


urlpatterns = [path("boom/", boom)]


def test_pages_carry_the_security_headers(client):
    response = client.get(reverse("login"), secure=True)
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "'unsafe-inline'" not in csp
    assert "script-src 'self'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def test_session_and_csrf_cookies_are_httponly_and_samesite(client, patient, password):
    response = client.post(reverse("login"), {"username": patient.email, "password": password})
    session = response.cookies["sessionid"]
    assert session["httponly"]
    assert session["samesite"] == "Lax"


def test_cookies_are_secure_outside_debug():
    from clinic import settings as production

    assert production.SESSION_COOKIE_SECURE is (not production.DEBUG)
    assert production.CSRF_COOKIE_SECURE is (not production.DEBUG)


def test_the_login_page_uses_no_inline_script(client):
    html = client.get(reverse("login")).content.decode()
    assert "<script>" not in html
    assert "onclick=" not in html


def test_bootstrap_is_served_from_our_own_origin(client):
    html = client.get(reverse("login")).content.decode()
    assert "/static/vendor/bootstrap/css/bootstrap.min.css" in html
    assert "cdn" not in html.lower()


def test_an_anonymous_visitor_is_sent_to_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == reverse("login")


def test_a_missing_page_is_a_plain_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert b"We could not find that page" in response.content


@pytest.mark.urls("tests.clinic.test_security")
def test_a_server_error_shows_no_internals(client):
    client.raise_request_exception = False
    response = client.get("/boom/")
    assert response.status_code == HTTPStatus.INTERNAL_SERVER_ERROR
    assert b"Something went wrong on our side" in response.content
    assert b"secret internals" not in response.content
    assert b"Traceback" not in response.content


def server_header_view(request):
    from django.http import HttpResponse

    response = HttpResponse("ok")
    response["Server"] = "WSGIServer/0.2 CPython/3.11"
    response["X-Powered-By"] = "Django"
    return response


urlpatterns.append(path("server-header/", server_header_view))


@pytest.mark.urls("tests.clinic.test_security")
def test_no_response_names_the_server_software(client):
    response = client.get("/server-header/")
    assert "Server" not in response
    assert "X-Powered-By" not in response


def test_the_wsgi_application_answers_without_a_server_header():
    from io import BytesIO

    from clinic.wsgi import application

    captured = {}

    def start_response(status, headers, exc_info=None):
        captured["status"], captured["headers"] = status, dict(headers)

    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/healthz",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
        "wsgi.input": BytesIO(b""),
        "wsgi.errors": BytesIO(),
        "HTTP_HOST": "testserver",
    }
    # As Django's test client does: the test's open transaction must not be closed by the
    # handler's "close old connections" at the start and end of a request.
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        response = application(environ, start_response)
        b"".join(response)
        response.close()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    assert captured["status"].startswith("200")
    assert not {"Server", "X-Powered-By"} & set(captured["headers"])


def test_a_signed_in_account_without_a_role_gets_404_on_patient_pages_and_no_record(client):
    from intake.models import Patient
    from tests.factories import UserFactory

    user = UserFactory(email="norole@example.org")
    user.groups.clear()
    client.force_login(user)
    assert client.get(reverse("intake:home")).status_code == HTTPStatus.NOT_FOUND
    assert not Patient.objects.filter(user=user).exists()


def test_an_account_an_admin_made_a_patient_gets_a_patient_record(admin_user, client):
    from clinic.accounts import user_change_role
    from clinic.models import Role
    from intake.models import Patient
    from tests.factories import UserFactory

    user = UserFactory(email="later@example.org")
    user.groups.clear()
    user_change_role(user=user, role=Role.PATIENT, actor=admin_user)
    client.force_login(user)
    client.get(reverse("intake:home"))
    assert Patient.objects.filter(user=user).exists()
