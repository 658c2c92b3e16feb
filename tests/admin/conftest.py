"""Fixtures of the back-office tests: one record of every model the admin shows."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.messages import get_messages
from django.db import models
from django.urls import reverse
from django.utils import timezone

from clinic.audit import audit_record
from clinic.models import AuditAction, AuditEvent, ClinicIdentity, Role, User
from intake.models import AntidepressantTrial, ConsentVersion, Intake, IntakeMedication, Patient, StepDraft
from screening.models import Case, CaseNote, Decision, InfoRequest, MeasuredVitals, ScreeningResult
from screening.notify.models import AlertRecipient, Notification, NotificationKind
from tests.factories import (
    CaseNoteFactory,
    ConsentVersionFactory,
    DecisionFactory,
    InfoRequestFactory,
    IntakeMedicationFactory,
    MeasuredVitalsFactory,
    PatientFactory,
    StepDraftFactory,
    UserFactory,
    make_case,
)


def messages_of(response) -> list[str]:
    """The messages the admin queued for the user during ``response``'s request."""
    return [str(message) for message in get_messages(response.wsgi_request)]


def changelist_url(model: type[models.Model]) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def change_url(obj: models.Model) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def add_url(model: type[models.Model]) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")


def delete_url(obj: models.Model) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_delete", args=[obj.pk])


def _access(model: type[AccessAttempt | AccessLog | AccessFailureLog], **extra: object) -> models.Model:
    return model.objects.create(
        user_agent="Firefox",
        ip_address="192.0.2.7",
        username="alice@example.org",
        http_accept="*/*",
        path_info="/accounts/login/",
        **extra,
    )


def _notification() -> Notification:
    case = make_case()
    return Notification.objects.create(
        kind=NotificationKind.URGENT_ALERT,
        key=f"urgent_alert:case:{case.pk}:test",
        intake=case.intake,
        case=case,
        level="URGENT_SAFETY",
        next_attempt_at=timezone.now(),
    )


#: How to make one record of each registered model, for the tests that visit every page.
RECORD_BUILDERS: dict[type[models.Model], Callable[[], models.Model]] = {
    User: lambda: UserFactory(role=Role.CLINICIAN),
    AuditEvent: lambda: audit_record(
        actor=None, action=AuditAction.ALERT, target=make_case(), summary="URGENT_SAFETY alert raised"
    ),
    Patient: PatientFactory,
    Intake: lambda: make_case().intake,
    ConsentVersion: ConsentVersionFactory,
    IntakeMedication: IntakeMedicationFactory,
    AntidepressantTrial: lambda: make_case().intake.antidepressant_trials.first(),
    StepDraft: StepDraftFactory,
    Case: make_case,
    ScreeningResult: lambda: make_case().latest_result,
    Decision: DecisionFactory,
    CaseNote: CaseNoteFactory,
    MeasuredVitals: MeasuredVitalsFactory,
    InfoRequest: InfoRequestFactory,
    AlertRecipient: lambda: AlertRecipient.objects.create(email=f"on{AlertRecipient.objects.count()}@clinic.example"),
    # One row at most: every call returns it.
    ClinicIdentity: lambda: ClinicIdentity.objects.get_or_create(defaults={"name": "Example Clinic"})[0],
    Notification: lambda: _notification(),
    AccessAttempt: lambda: _access(AccessAttempt, get_data="", post_data="", failures_since_start=2),
    AccessLog: lambda: _access(AccessLog),
    AccessFailureLog: lambda: _access(AccessFailureLog),
}


#: Every model with an admin page, and those of this project (the rest are django-axes').
REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label)
OWN_MODELS = [
    model for model in REGISTERED if model._meta.app_label in {"clinic", "intake", "screening", "notify"}
]
#: Models that hold one row at most (a list of them never grows).
SINGLE_ROW_MODELS = {ClinicIdentity}


@pytest.fixture
def make_record(db) -> Callable[[type[models.Model]], models.Model]:
    def make(model: type[models.Model]) -> models.Model:
        return RECORD_BUILDERS[model]()

    return make


@pytest.fixture
def staff_clinician(clinician) -> User:
    """A clinician wrongly given admin-site access (is_staff) without the admin role."""
    clinician.is_staff = True
    clinician.save(update_fields=["is_staff"])
    return clinician
