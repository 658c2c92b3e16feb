"""The clinic's identity (issue 12): an admin's record where filled in, the environment where
not; cached so that a page asks the database nothing for it; every save audited; in the
e-mails' signature, which says nothing about a patient."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from clinic.identity import clinic_identity, clinic_identity_save, forget_cached_identity
from clinic.models import AuditAction, AuditEvent, ClinicIdentity

pytestmark = pytest.mark.django_db

ENVIRONMENT = {
    "CLINIC_NAME": "Env Clinic",
    "CLINIC_PHONE": "+1 555 010 0100",
    "CLINIC_ADDRESS": "1 Env Street|Envtown, ST 00001",
    "CLINIC_HOURS": "Mon–Fri 9–5",
    "CLINIC_REVIEW_DAYS": 2,
}


@pytest.fixture
def environment():
    with override_settings(**ENVIRONMENT):
        forget_cached_identity()
        yield
    forget_cached_identity()


def test_without_a_record_the_identity_comes_from_the_environment(environment):
    identity = clinic_identity()
    assert identity.name == "Env Clinic"
    assert identity.phone_href == "tel:+15550100100"
    assert identity.address == ("1 Env Street", "Envtown, ST 00001")
    assert identity.hours == ("Mon–Fri 9–5",)
    assert identity.review_days == 2


def test_an_admin_record_overrides_the_environment_field_by_field(environment, admin_user):
    clinic_identity_save(identity=ClinicIdentity(name="Riverside", review_business_days=3), actor=admin_user)
    identity = clinic_identity()
    assert (identity.name, identity.review_days) == ("Riverside", 3)
    # Left blank: the environment's.
    assert identity.phone == "+1 555 010 0100"
    assert identity.address == ("1 Env Street", "Envtown, ST 00001")


def test_a_save_is_audited_with_each_field_before_and_after(environment, admin_user):
    clinic_identity_save(identity=ClinicIdentity(name="Riverside"), actor=admin_user)
    clinic_identity_save(identity=ClinicIdentity(name="Riverside", phone="+1 555 010 0199"), actor=admin_user)
    assert ClinicIdentity.objects.count() == 1
    created, changed = AuditEvent.objects.filter(target_type="clinic.clinicidentity").order_by("pk")
    assert created.action == AuditAction.CREATE and created.actor == admin_user
    assert changed.action == AuditAction.CHANGE
    assert changed.changes == {"phone": {"before": "", "after": "+1 555 010 0199"}}


def test_the_admin_page_saves_the_one_record_audited(environment, admin_client_):
    data = {"name": "Riverside", "phone": "+1 555 010 0199", "address": "", "hours": "", "review_business_days": "3"}
    response = admin_client_.post(reverse("admin:clinic_clinicidentity_add"), data)
    assert response.status_code == HTTPStatus.FOUND
    assert clinic_identity().name == "Riverside"
    # "Add" again while the record exists saves over it: still one record.
    admin_client_.post(reverse("admin:clinic_clinicidentity_add"), {**data, "name": "Riverside Clinic"})
    assert list(ClinicIdentity.objects.values_list("name", flat=True)) == ["Riverside Clinic"]
    assert clinic_identity().name == "Riverside Clinic"
    assert AuditEvent.objects.filter(target_type="clinic.clinicidentity").count() == 2
    assert admin_client_.post(reverse("admin:clinic_clinicidentity_delete", args=[1]), {"post": "yes"}).status_code == (
        HTTPStatus.FORBIDDEN
    )


def test_an_impossible_review_time_frame_is_refused_next_to_the_field(environment, admin_client_):
    data = {"name": "Riverside", "phone": "", "address": "", "hours": "", "review_business_days": "0"}
    response = admin_client_.post(reverse("admin:clinic_clinicidentity_add"), data)
    assert response.status_code == HTTPStatus.OK
    assert "review_business_days" in response.context["adminform"].form.errors
    assert not ClinicIdentity.objects.exists()


def test_a_page_asks_the_database_nothing_for_the_identity_once_cached(environment, patient_client):
    patient_client.get(reverse("intake:home"), follow=True)
    with CaptureQueriesContext(connection) as queries:
        response = patient_client.get(reverse("intake:home"), follow=True)
    assert "Env Clinic" in response.content.decode()
    assert not [query for query in queries.captured_queries if "clinic_clinicidentity" in query["sql"]]


def test_the_emails_are_signed_by_the_clinic_and_hold_no_health_data(environment, client, patient, mailoutbox):
    client.post(reverse("password_reset"), {"email": patient.email})
    passwords = {"password1": "a-long-unusual-pass-77", "password2": "a-long-unusual-pass-77"}
    client.post(reverse("register"), {"full_name": "New Person", "email": "new@example.org", **passwords})
    client.post(reverse("register"), {"full_name": "Again", "email": patient.email, **passwords})
    assert len(mailoutbox) == 3
    for message in mailoutbox:
        signature = message.body.split("\n-- \n", 1)[1].strip()
        assert signature.splitlines() == [
            "Env Clinic",
            "Phone: +1 555 010 0100",
            "1 Env Street",
            "Envtown, ST 00001",
            "Opening hours: Mon–Fri 9–5",
        ]
        assert patient.full_name not in message.body
