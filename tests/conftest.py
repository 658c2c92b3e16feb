"""Personas shared by every test: Alice and Bob are patients, Carol and Dan are clinicians,
Erin is the admin. A patient must never see another patient's intake."""

from __future__ import annotations

import pytest

from clinic.models import Role, User
from tests.factories import DEMO_PASSWORD, UserFactory


@pytest.fixture
def password() -> str:
    return DEMO_PASSWORD


@pytest.fixture
def patient(db) -> User:
    return UserFactory(email="alice@example.org", full_name="Alice Patient", role=Role.PATIENT)


@pytest.fixture
def other_patient(db) -> User:
    return UserFactory(email="bob@example.org", full_name="Bob Otherpatient", role=Role.PATIENT)


@pytest.fixture
def clinician(db) -> User:
    return UserFactory(email="carol@example.org", full_name="Carol Clinician", role=Role.CLINICIAN)


@pytest.fixture
def other_clinician(db) -> User:
    return UserFactory(email="dan@example.org", full_name="Dan Clinician", role=Role.CLINICIAN)


@pytest.fixture
def admin_user(db) -> User:
    return UserFactory(email="erin@example.org", full_name="Erin Admin", role=Role.ADMIN, is_superuser=True)


@pytest.fixture
def patient_client(client, patient):
    client.force_login(patient)
    return client


@pytest.fixture
def clinician_client(client, clinician):
    client.force_login(clinician)
    return client


@pytest.fixture
def admin_client_(client, admin_user):
    client.force_login(admin_user)
    return client
