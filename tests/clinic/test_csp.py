"""The Content-Security-Policy header: django-csp's, its site-wide text built once
(clinic.middleware.CSPMiddleware, issue 13)."""

from __future__ import annotations

from csp.constants import HEADER, NONCE, SELF
from csp.middleware import CSPMiddleware as DjangoCSPMiddleware
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from clinic.middleware import CSPMiddleware


def _headers(prepare=lambda request, response: None, path="/accounts/login/"):
    """The header from this middleware and from django-csp's own, for the same response."""
    found = []
    for middleware in (CSPMiddleware, DjangoCSPMiddleware):
        request = RequestFactory().get(path)
        response = HttpResponse("page")
        instance = middleware(lambda request: response)
        instance.process_request(request)
        prepare(request, response)
        found.append(instance.process_response(request, response).get(HEADER))
    return found


def _directives(header: str) -> set[str]:
    return set(header.split("; "))


def test_the_site_wide_header_is_django_csps():
    ours, theirs = _headers()
    assert _directives(ours) == _directives(theirs)
    assert "default-src 'self'" in ours and "frame-ancestors 'none'" in ours


def test_every_page_carries_it(client, db):
    response = client.get(reverse("login"))
    assert "script-src 'self'" in response[HEADER]


def test_a_view_with_its_own_policy_gets_django_csps_header():
    def update(request, response):
        response._csp_update = {"img-src": ["https://images.example.org"]}

    ours, theirs = _headers(update)
    assert "https://images.example.org" in ours
    assert _directives(ours) == _directives(theirs)


def test_an_exempt_response_gets_no_header():
    def exempt(request, response):
        response._csp_exempt = True

    assert _headers(exempt) == [None, None]


def test_a_page_that_used_a_nonce_gets_it_in_the_header(settings):
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": [SELF], "script-src": [SELF, NONCE]}}

    def use_nonce(request, response):
        str(request.csp_nonce)

    ours, _theirs = _headers(use_nonce)
    assert "'nonce-" in ours


def test_a_change_of_the_settings_changes_the_header(settings):
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": [SELF], "img-src": [SELF, "blob:"]}}
    ours, theirs = _headers()
    assert "img-src 'self' blob:" in ours
    assert _directives(ours) == _directives(theirs)
