"""The admin's search never puts what was typed into an address: it is posted, kept in the
session behind a token, and only the token comes back in the list's address."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.urls import reverse

from clinic.models import User
from intake.models import Intake
from tests.admin.conftest import changelist_url
from tests.factories import make_case

pytestmark = pytest.mark.django_db


def test_the_search_box_posts_to_the_search_view(admin_client_):
    html = admin_client_.get(changelist_url(User)).content.decode()
    assert 'id="changelist-search" method="post"' in html
    assert reverse("admin:search", args=["clinic", "user"]) in html


def test_a_search_finds_by_name_with_only_a_token_in_the_address(admin_client_, patient, other_patient):
    response = admin_client_.post(reverse("admin:search", args=["clinic", "user"]), {"q": "Alice", "is_active": "1"})
    assert response.status_code == HTTPStatus.FOUND
    assert "Alice" not in response.url and "alice" not in response.url
    assert "is_active=1" in response.url
    page = admin_client_.get(response.url)
    emails = {user.email for user in page.context["cl"].result_list}
    assert emails == {"alice@example.org"}
    # The links on the page (filters, pages, sorting) carry the token, never the term.
    assert "q=Alice" not in page.content.decode()


def test_a_term_typed_into_the_address_is_not_a_search(admin_client_, patient, other_patient):
    response = admin_client_.get(changelist_url(User), {"q": "Alice"})
    assert response.status_code == HTTPStatus.OK
    assert len(response.context["cl"].result_list) >= 2
    assert "no longer available" in response.content.decode()


def test_a_search_of_intakes_by_birth_date_keeps_it_out_of_the_address(admin_client_):
    case = make_case()
    born = case.intake.date_of_birth.isoformat()
    response = admin_client_.post(reverse("admin:search", args=["intake", "intake"]), {"q": born})
    assert born not in response.url
    assert admin_client_.get(response.url).status_code == HTTPStatus.OK


def test_an_empty_search_clears_it(admin_client_):
    response = admin_client_.post(reverse("admin:search", args=["intake", "intake"]), {"q": ""})
    assert response.url == changelist_url(Intake)


def test_the_search_view_takes_no_get_and_no_unknown_model(admin_client_):
    assert admin_client_.get(reverse("admin:search", args=["clinic", "user"])).status_code == (
        HTTPStatus.METHOD_NOT_ALLOWED
    )
    assert admin_client_.post(reverse("admin:search", args=["auth", "group"]), {"q": "x"}).status_code == (
        HTTPStatus.NOT_FOUND
    )


def test_any_text_in_the_address_is_answered_without_an_error(admin_client_):
    assert admin_client_.get(changelist_url(User), {"q": "é\U0001f600"}).status_code == HTTPStatus.OK
