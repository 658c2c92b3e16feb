"""Who reaches what: anonymous visitors go to login; patients never get a staff page."""

from http import HTTPStatus

import pytest

from tests.conftest import sign_in_staff

STAFF_PAGES = ["/review/"]

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", STAFF_PAGES + ["/intake/"])
def test_an_anonymous_visitor_is_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == HTTPStatus.FOUND
    assert response.url.startswith("/accounts/login/")


@pytest.mark.parametrize("url", STAFF_PAGES)
def test_a_patient_asking_for_a_staff_page_gets_a_404(patient_client, url):
    response = patient_client.get(url)
    assert response.status_code == HTTPStatus.NOT_FOUND


@pytest.mark.parametrize("url", STAFF_PAGES)
def test_a_clinician_reaches_the_staff_pages(clinician_client, url):
    assert clinician_client.get(url).status_code == HTTPStatus.OK


def test_a_patient_gets_no_admin_page(patient_client):
    response = patient_client.get("/admin/")
    assert response.status_code == HTTPStatus.FOUND
    assert response.url.startswith("/admin/login/")


def test_home_sends_a_patient_to_their_intake_and_a_clinician_to_the_queue(client, patient, clinician):
    client.force_login(patient)
    assert client.get("/").url == "/intake/"
    sign_in_staff(client, clinician)
    assert client.get("/").url == "/review/"
