"""The back office lists the notifications (view-only, by status and kind) and keeps the
clinic's alert addresses."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone

from screening.notify.models import AlertRecipient, Notification, NotificationKind, NotificationStatus
from tests.factories import make_case

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:notify_notification_changelist"


def _notification(status: str) -> Notification:
    case = make_case()
    return Notification.objects.create(
        kind=NotificationKind.URGENT_ALERT,
        key=f"urgent_alert:case:{case.pk}:x",
        intake=case.intake,
        case=case,
        status=status,
        next_attempt_at=timezone.now(),
        sent_at=timezone.now() if status == NotificationStatus.SENT else None,
    )


def test_the_admin_filters_notifications_by_status(admin_client_):
    queued = _notification(NotificationStatus.QUEUED)
    sent = _notification(NotificationStatus.SENT)
    failed = _notification(NotificationStatus.FAILED)
    for notification in (queued, sent, failed):
        response = admin_client_.get(reverse(CHANGELIST), {"status__exact": notification.status})
        assert response.status_code == HTTPStatus.OK
        assert list(response.context["cl"].result_list) == [notification]


def test_a_notification_cannot_be_changed_or_added_in_the_admin(admin_client_):
    notification = _notification(NotificationStatus.FAILED)
    change = reverse("admin:notify_notification_change", args=[notification.pk])
    assert admin_client_.post(change, {"status": "sent"}).status_code == HTTPStatus.FORBIDDEN
    assert admin_client_.get(reverse("admin:notify_notification_add")).status_code == HTTPStatus.FORBIDDEN
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.FAILED


def test_an_admin_adds_and_pauses_an_alert_address(admin_client_):
    add = reverse("admin:notify_alertrecipient_add")
    response = admin_client_.post(add, {"email": "OnCall@Clinic.example", "active": "on"})
    assert response.status_code == HTTPStatus.FOUND
    recipient = AlertRecipient.objects.get()
    change = reverse("admin:notify_alertrecipient_change", args=[recipient.pk])
    admin_client_.post(change, {"email": recipient.email})  # "active" unticked
    recipient.refresh_from_db()
    assert recipient.active is False


def test_the_same_alert_address_twice_is_refused_beside_the_field(admin_client_):
    AlertRecipient.objects.create(email="oncall@clinic.example")
    response = admin_client_.post(reverse("admin:notify_alertrecipient_add"), {"email": "ONCALL@clinic.example"})
    assert response.status_code == HTTPStatus.OK
    assert AlertRecipient.objects.count() == 1
    assert response.context["adminform"].form.errors


def test_a_clinician_cannot_reach_the_alert_addresses(clinician_client):
    response = clinician_client.get(reverse("admin:notify_alertrecipient_changelist"))
    assert response.status_code == HTTPStatus.FOUND
    assert response.url.startswith("/admin/login/")
