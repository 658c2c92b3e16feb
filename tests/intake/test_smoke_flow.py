from http import HTTPStatus

from intake.demo import BASE_FACTS, form_posts_from_facts
from intake.models import IntakeStatus
from tests.intake.conftest import post_step, step_url


def test_it_walks_every_step(patient_client, intake):
    posts = form_posts_from_facts(BASE_FACTS)
    for key, data in posts.items():
        response = patient_client.get(step_url(intake, key))
        assert response.status_code == HTTPStatus.OK, key
        response = post_step(patient_client, intake, key, data)
        assert response.status_code == HTTPStatus.FOUND, (key, response.content.decode()[:3000])
    response = patient_client.get(response["Location"])
    assert response.status_code == HTTPStatus.OK
    intake.refresh_from_db()
    assert intake.status == IntakeStatus.DRAFT
