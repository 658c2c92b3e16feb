"""Personas shared by every test: Alice and Bob are patients, Carol and Dan are clinicians,
Erin is the admin. A patient must never see another patient's intake.

Clinicians and admins reach nothing without their second factor: ``sign_in_staff`` signs one
in with a real, confirmed TOTP device verified in the session (as the code page does), and
``clinician_client``/``admin_client_`` use it.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.models import Role, User
from tests.factories import DEMO_PASSWORD, UserFactory
from tests.reference_data import ensure_reference_data

_DB_FIXTURES = {"db", "transactional_db", "live_server", "django_db_reset_sequences", "django_db_serialized_rollback"}


@pytest.fixture(autouse=True)
def _clinic_identity_from_environment() -> None:
    """Every test starts with no clinic identity row, so the cached identity is the
    environment's (as after a first page): no test sees another's row, and no page's query
    count depends on whether an earlier test warmed the cache."""
    from clinic.identity import remember_environment_identity

    remember_environment_identity()


@pytest.fixture(autouse=True)
def _reference_data(request: pytest.FixtureRequest) -> None:
    """Roles and consent text exist in every test that uses the database, even after a
    transactional test flushed them (see tests/reference_data.py)."""
    marker = request.node.get_closest_marker("django_db")
    names = set(request.fixturenames)
    if marker is None and not names & _DB_FIXTURES:
        return
    transactional = bool(marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])))
    if transactional or names & {"transactional_db", "live_server"}:
        request.getfixturevalue("transactional_db")
    else:
        request.getfixturevalue("db")
    ensure_reference_data()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):  # noqa: PT004
    """The test database keeps the audit trail's row triggers but not its TRUNCATE guard:
    transactional tests empty every table with TRUNCATE between tests. The tests of the
    guard switch it on again inside their own transaction."""
    with django_db_blocker.unblock():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ALTER TABLE clinic_auditevent DISABLE TRIGGER clinic_audit_no_truncate")


def authenticator_for(user: User) -> TOTPDevice:
    """The user's confirmed authenticator (made the first time)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)


def sign_in_staff(client, user: User, *, verified: bool = True):
    """Sign a clinician or admin in; with ``verified`` their second factor is verified too."""
    client.force_login(user)
    if verified and user.is_clinician_role:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = authenticator_for(user).persistent_id
        session.save()
    return client


def current_code(device: TOTPDevice) -> str:
    """The code an authenticator app shows now for ``device``."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):0{device.digits}d}"


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
    return sign_in_staff(client, clinician)


@pytest.fixture
def admin_client_(client, admin_user):
    return sign_in_staff(client, admin_user)


def _run_queued_tasks() -> list[object]:
    """Run every task waiting in the database queue, as the worker would, oldest first.

    The queue is django-q2's ORM broker (the default); each task is removed once run. Tasks
    queued while running are run too. Returns what each task returned.
    """
    from django.utils.module_loading import import_string
    from django_q.models import OrmQ
    from django_q.signing import SignedPackage

    results: list[object] = []
    while waiting := list(OrmQ.objects.order_by("id")):
        for row in waiting:
            task = SignedPackage.loads(row.payload)
            func = import_string(task["func"]) if isinstance(task["func"], str) else task["func"]
            row.delete()
            results.append(func(*task["args"], **task["kwargs"]))
    return results


@pytest.fixture
def run_queued_tasks(db):
    """The task worker, in-process: call it to run what the app queued."""
    return _run_queued_tasks


@pytest.fixture
def alert_emails(db) -> list[str]:
    """The clinic's alert address, as an admin set it."""
    from screening.notify.models import AlertRecipient

    AlertRecipient.objects.create(email="alerts@clinic.example")
    return ["alerts@clinic.example"]
