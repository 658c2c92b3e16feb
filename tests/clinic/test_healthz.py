import datetime as dt
from http import HTTPStatus
from unittest import mock

import pytest
import time_machine
from django.db import OperationalError

from screening.notify.services import notifications_dispatch_due

pytestmark = pytest.mark.django_db


def test_healthz_answers_200_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == HTTPStatus.OK
    assert response.json()["status"] == "ok"
    assert response.json()["database"] == "up"


def test_healthz_answers_503_when_the_database_does_not(client):
    with mock.patch("clinic.views.connection.cursor", side_effect=OperationalError("down")):
        response = client.get("/healthz")
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert response.json()["database"] == "down"
    assert response.json()["worker"] == "unknown"


def test_healthz_says_when_the_worker_has_never_been_seen(client):
    assert client.get("/healthz").json()["worker"] == "never"


def test_healthz_reports_a_worker_seen_lately_as_up(client):
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False):
        notifications_dispatch_due()  # the worker's periodic task, which records its pulse
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 2, tzinfo=dt.UTC), tick=False):
        body = client.get("/healthz").json()
    assert body["worker"] == "up"
    assert body["worker_seen_seconds_ago"] == 120


def test_healthz_reports_a_worker_not_seen_for_a_while_as_late_but_stays_200(client, settings):
    settings.CLINIC_WORKER_LATE_SECONDS = 300
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False):
        notifications_dispatch_due()
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 6, tzinfo=dt.UTC), tick=False):
        response = client.get("/healthz")
    # The web app itself is healthy: a late worker is for monitoring, not the load balancer.
    assert response.status_code == HTTPStatus.OK
    assert response.json()["worker"] == "late"
    assert response.json()["worker_seen_seconds_ago"] == 360
