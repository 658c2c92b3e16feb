"""Consent text versions are managed in the admin; a new version applies to new intakes
only, and the wording patients agreed to never changes."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.core.exceptions import ValidationError

from clinic.models import AuditAction, AuditEvent
from intake.consent import consent_version_publish, consent_version_save
from intake.models import ConsentVersion
from tests.admin.conftest import add_url, change_url
from tests.factories import ConsentVersionFactory, SubmittedIntakeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def current() -> ConsentVersion:
    """The consent text that migration intake/0002 publishes."""
    return ConsentVersion.objects.get(is_current=True)


def _post_version(client, record: ConsentVersion | None = None, **data: str):
    fields = {"version": "", "title": "", "text": "", "_save": "Save"}
    if record is not None:
        fields.update(version=record.version, title=record.title, text=record.text)
        if record.is_current:
            fields["publish"] = "on"
    fields.update(data)
    return client.post(add_url(ConsentVersion) if record is None else change_url(record), fields)


def test_an_admin_adds_and_publishes_a_consent_version(admin_client_, admin_user):
    response = _post_version(admin_client_, version="1.0", title="Consent", text="I agree.", publish="on")
    assert response.status_code == HTTPStatus.FOUND
    version = ConsentVersion.objects.get(version="1.0")
    assert version.is_current
    event = AuditEvent.objects.get(target_type="intake.consentversion", target_id=str(version.pk))
    assert (event.action, event.actor) == (AuditAction.CREATE, admin_user)
    assert event.summary == "Consent version 1.0 created and published as current"


def test_publishing_a_new_version_retires_the_old_one_and_old_intakes_keep_theirs(admin_client_, current):
    old = current
    intake = SubmittedIntakeFactory(consent_version=old)
    response = _post_version(admin_client_, version="2.0", title="Consent", text="New wording.", publish="on")
    assert response.status_code == HTTPStatus.FOUND
    new = ConsentVersion.objects.get(version="2.0")
    assert list(ConsentVersion.objects.filter(is_current=True)) == [new]
    intake.refresh_from_db()
    assert intake.consent_version == old


def test_a_version_may_be_prepared_unpublished_and_published_later(admin_client_, current):
    _post_version(admin_client_, version="3.0", title="Consent", text="Draft wording.")
    draft = ConsentVersion.objects.get(version="3.0")
    assert not draft.is_current
    assert ConsentVersion.objects.get(pk=current.pk).is_current

    _post_version(admin_client_, draft, text="Final wording.")
    draft.refresh_from_db()
    assert draft.text == "Final wording."

    _post_version(admin_client_, draft, publish="on")
    assert ConsentVersion.objects.get(is_current=True) == draft


def test_the_current_version_cannot_simply_be_unpublished(admin_client_, current):
    data = {"version": current.version, "title": current.title, "text": current.text, "_save": "Save"}
    response = admin_client_.post(change_url(current), data)
    assert response.status_code == HTTPStatus.OK
    assert "Publish another version" in str(response.context["adminform"].form.errors["publish"])
    assert ConsentVersion.objects.get(pk=current.pk).is_current


def test_the_wording_of_a_version_patients_used_is_read_only(admin_client_):
    used = ConsentVersionFactory(is_current=False)
    SubmittedIntakeFactory(consent_version=used)
    response = admin_client_.get(change_url(used))
    assert set(response.context["adminform"].form.fields) == {"publish"}
    assert b'name="text"' not in response.content

    response = _post_version(admin_client_, used, text="Quietly rewritten.", title="Other", version="9.9")
    assert response.status_code == HTTPStatus.FOUND
    unchanged = ConsentVersion.objects.get(pk=used.pk)
    assert (unchanged.version, unchanged.title, unchanged.text) == (used.version, used.title, used.text)


def test_the_wording_of_the_current_version_is_read_only(admin_client_, current):
    assert current.intake_set.count() == 0
    _post_version(admin_client_, current, text="Changed while live.")
    assert ConsentVersion.objects.get(pk=current.pk).text == current.text


def test_the_service_refuses_to_reword_a_used_version(admin_user):
    used = ConsentVersionFactory()
    SubmittedIntakeFactory(consent_version=used)
    used.text = "Quietly rewritten."
    with pytest.raises(ValidationError) as refused:
        consent_version_save(version=used, publish=False, actor=admin_user)
    assert refused.value.code == "version_in_use"


def test_the_service_publishes_one_current_version_at_a_time(admin_user):
    first = consent_version_publish(version=ConsentVersionFactory(), actor=admin_user)
    second = consent_version_publish(version=ConsentVersionFactory(), actor=admin_user)
    first.refresh_from_db()
    assert (first.is_current, second.is_current) == (False, True)
    third = ConsentVersionFactory()
    consent_version_publish(version=first, actor=admin_user)
    assert list(ConsentVersion.objects.filter(is_current=True)) == [first]
    assert not ConsentVersion.objects.get(pk=third.pk).is_current


def test_the_list_counts_the_intakes_using_each_version(admin_client_):
    used = ConsentVersionFactory()
    SubmittedIntakeFactory(consent_version=used)
    SubmittedIntakeFactory(consent_version=used)
    ConsentVersionFactory()
    response = admin_client_.get("/admin/intake/consentversion/")
    counts = {version.pk: version.intake_total for version in response.context["cl"].result_list}
    assert counts[used.pk] == 2
    assert sorted(counts.values()) == [0, 0, 2]


def test_a_save_refused_after_the_form_was_validated_is_a_message_not_a_500(admin_client_):
    """A patient consents to the version between the form's validation and its save."""
    from unittest import mock

    draft = ConsentVersionFactory(version="9.9", is_current=False)
    refusal = ValidationError("Patients have consented to this version, so its wording cannot change.")
    with mock.patch("intake.admin.consent_version_save", side_effect=refusal):
        response = _post_version(admin_client_, draft, text="New wording.")
    assert response.status_code == HTTPStatus.FOUND
    page = admin_client_.get(response.url)
    assert "its wording cannot change" in page.content.decode()
    draft.refresh_from_db()
    assert draft.text != "New wording."
