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
