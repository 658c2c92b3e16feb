"""Any search the queue is given answers a page: a search token in the address bar that is
not ASCII or not a token at all, and any text typed into the search box (issue 9:
``/review/?search=%C3%A9`` was a 500)."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import UserFactory, make_case

pytestmark = pytest.mark.django_db

QUEUE = "/review/"
PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.mark.parametrize("token", ["%C3%A9", "%FF%FE", "%00", "%E2%80%AE", "é" * 500, "a%20b", "%F0%9F%92%A9"])
def test_a_malformed_or_non_ascii_search_token_answers_a_page(clinician_client, token):
    response = clinician_client.get(f"{QUEUE}?search={token}")
    assert response.status_code == HTTPStatus.OK
    assert not response.context["searching"]
    assert "no longer available" in response.content.decode()


def test_a_non_ascii_name_is_found(clinician_client):
    wanted = make_case(user=UserFactory(full_name="Zoë Ünal", email="zoe@example.org"))
    url = clinician_client.post(reverse("review:search"), {"q": "zoë"}).url
    response = clinician_client.get(url)
    assert response.status_code == HTTPStatus.OK
    assert [case.pk for case in response.context["page"].rows] == [wanted.pk]


@PROPERTY
@given(text=st.text(max_size=300))
def test_any_typed_search_answers_a_page(clinician_client, text):
    response = clinician_client.post(reverse("review:search"), {"q": text})
    assert response.status_code == HTTPStatus.FOUND
    page = clinician_client.get(response.url)
    assert page.status_code == HTTPStatus.OK


@PROPERTY
@given(token=st.text(max_size=200))
def test_any_search_token_in_the_address_answers_a_page(clinician_client, token):
    assert clinician_client.get(QUEUE, {"search": token}).status_code == HTTPStatus.OK
