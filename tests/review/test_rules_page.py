"""The staff "Rules" page: the rule book in the app, an anchor per rule, linked from every flag."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.urls import reverse

from screening.engine.rules import RULES
from tests.conftest import sign_in_staff

pytestmark = pytest.mark.django_db


def test_the_rules_page_sends_an_anonymous_visitor_to_sign_in(client):
    response = client.get(reverse("review:rules"))
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("persona", ["patient", "other_patient"])
def test_the_rules_page_is_404_for_anyone_but_staff(request, client, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("review:rules"))
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert "SAF-01" not in response.content.decode()


@pytest.mark.parametrize("persona", ["clinician", "admin_user"])
def test_clinicians_and_admins_see_every_rule_with_an_anchor(request, client, persona):
    sign_in_staff(client, request.getfixturevalue(persona))
    response = client.get(reverse("review:rules"))
    assert response.status_code == HTTPStatus.OK
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    for rule in RULES:
        assert f'id="{rule.id}"' in page
        assert f'href="#{rule.id}"' in page
    assert "may lessen ketamine&#x27;s dissociative effects" in page  # the engine's own example text


def test_the_rules_page_takes_no_posts(clinician_client):
    assert clinician_client.post(reverse("review:rules")).status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_each_flag_on_the_case_page_links_to_its_rule(clinician_client, case):
    page = clinician_client.get(reverse("review:case", args=[case.pk])).content.decode()
    rules_url = reverse("review:rules")
    assert f'href="{rules_url}"' in page  # the Rules link beside the flags
    flags = case.latest_result.result["flags"]
    assert flags
    for flag in flags:
        assert f'href="{rules_url}#{flag["rule"]}"' in page
