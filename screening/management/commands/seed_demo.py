"""Create the demo clinic: an admin, two clinicians and patients with intakes in every state.

Idempotent: running it again finds the same people and does not duplicate anything. It
refuses to run outside debug unless --allow-production is given, because it creates
accounts with a published password.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.mfa import AUTHENTICATOR, base32_secret
from clinic.models import Role, User
from clinic.services import user_set_role

DEMO_PASSWORD = "demo-clinic-2026"

ADMIN = ("admin@demo.clinic", "Avery Admin")
CLINICIANS = [("clinician1@demo.clinic", "Dr Casey Morgan"), ("clinician2@demo.clinic", "Dr Jordan Lee")]
PATIENTS = [
    (f"patient{n}@demo.clinic", name)
    for n, name in enumerate(
        [
            "Pat Draftson",
            "Robin Clearwater",
            "Sam Exclude",
            "Alex Incomplete",
            "Taylor Caution",
            "Morgan Urgent",
            "Riley Pressure",
            "Jamie Safetyreview",
        ],
        start=1,
    )
]


def demo_totp_key(email: str) -> str:
    """A fixed 20-byte TOTP key (hex) for a demo staff account, the same on every machine.

    Published with the demo password: demo data only, refused outside debug.
    """
    return hashlib.sha256(f"clinic-intake demo second factor {email}".encode()).hexdigest()[:40]


def _demo_authenticator(user: User) -> TOTPDevice:
    key = demo_totp_key(user.email)
    device = TOTPDevice.objects.filter(user=user, name=AUTHENTICATOR, confirmed=True).first()
    if device is None or device.key != key:
        TOTPDevice.objects.filter(user=user).delete()
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR, key=key, confirmed=True)
    return device


def _person(email: str, full_name: str, role: Role) -> User:
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(email=email, full_name=full_name)
    user.full_name = full_name
    user.is_active = True
    user.set_password(DEMO_PASSWORD)
    if role == Role.ADMIN:
        user.is_superuser = True
    user.save()
    return user_set_role(user=user, role=role)


DEMO_ALERT_ADDRESS = "alerts@demo.clinic"


def _demo_alert_address() -> None:
    """Urgent alerts of the demo go somewhere (printed by the worker with consolemail://)."""
    from screening.notify.models import AlertRecipient

    if not AlertRecipient.objects.filter(email__iexact=DEMO_ALERT_ADDRESS).exists():
        AlertRecipient.objects.create(email=DEMO_ALERT_ADDRESS)
def _second_factor(devices: dict[int, TOTPDevice], user: User) -> str:
    device = devices.get(user.pk)
    if device is None:
        return "   (sets up an authenticator app at first sign-in)"
    return f"   TOTP secret {base32_secret(device)}   {device.config_url}"


class Command(BaseCommand):
    help = "Create (or refresh) the demo admin, clinicians, patients and their intakes; print the logins."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Run even when DJANGO_DEBUG is off (creates accounts with a published password).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["allow_production"]:
            raise CommandError(
                "seed_demo creates accounts with a published password; it runs only with DJANGO_DEBUG=true."
            )
        with transaction.atomic():
            admin = _person(*ADMIN, Role.ADMIN)
            clinicians = [_person(email, name, Role.CLINICIAN) for email, name in CLINICIANS]
            patients = [_person(email, name, Role.PATIENT) for email, name in PATIENTS]
            _demo_alert_address()
            # Published secrets only in debug: with --allow-production staff enrol their own.
            devices = {user.pk: _demo_authenticator(user) for user in [admin, *clinicians]} if settings.DEBUG else {}
            lines = self._seed_cases(patients, clinicians)

        self.stdout.write(self.style.SUCCESS(f"Demo clinic ready. Logins (password for all: {DEMO_PASSWORD}):"))
        self.stdout.write(
            "  Staff sign in with a second factor: add the TOTP secret (base32) or its otpauth:// URI to an "
            "authenticator app."
        )
        self.stdout.write(f"  admin      {admin.email}   (Django admin at /admin/){_second_factor(devices, admin)}")
        for user in clinicians:
            self.stdout.write(f"  clinician  {user.email}   (review queue at /review/){_second_factor(devices, user)}")
        for user in patients:
            self.stdout.write(f"  patient    {user.email}")
        for line in lines:
            self.stdout.write(f"  {line}")
        self.stdout.write(f"  urgent alerts e-mailed to {DEMO_ALERT_ADDRESS} (the task worker prints them)")

    def _seed_cases(self, patients: list[User], clinicians: list[User]) -> list[str]:
        from screening.demo import seed_intakes, seed_review

        lines = list(seed_intakes(patients))
        lines.extend(seed_review(clinicians))
        return lines
