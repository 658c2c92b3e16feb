"""The text of each e-mail: a level, a case number and links, never a name, an address or an answer.

Links are absolute, built from CLINIC_SITE_URL: an e-mail is read outside the app. Every body
ends with the clinic's signature (its name, phone, address and hours: clinic.identity.signed),
as the account e-mails do.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse

from clinic.identity import signed
from screening.models import Level

OPT_OUT_SALT = "notify.reminder-opt-out"
SUBJECT_PREFIX = "[clinic-intake]"


@dataclass(frozen=True)
class Email:
    subject: str
    body: str


def absolute(path: str) -> str:
    """``path`` on the configured site: ``https://intake.example.org/review/cases/7/``."""
    return f"{settings.CLINIC_SITE_URL}{path}"


def opt_out_token(intake_id: int) -> str:
    """A signed token naming the intake: the opt-out link works without signing in."""
    return signing.dumps(intake_id, salt=OPT_OUT_SALT)


def intake_id_from_token(token: str) -> int | None:
    """The intake a token names, or None for a forged or damaged one."""
    try:
        value = signing.loads(token, salt=OPT_OUT_SALT)
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) else None


def urgent_alert(*, case_id: int, level: str) -> Email:
    label = Level(level).label
    link = absolute(reverse("review:case", args=[case_id]))
    return Email(
        subject=f"{SUBJECT_PREFIX} {label}: case {case_id}",
        body=signed(
            f"An urgent flag ({label}) was raised on case {case_id}.\n\n"
            f"Open the case (sign-in required) and acknowledge the flag:\n{link}\n\n"
            "This e-mail holds no patient details on purpose; they are on the case page.\n"
        ),
    )


def resubmitted(*, case_id: int) -> Email:
    link = absolute(reverse("review:case", args=[case_id]))
    return Email(
        subject=f"{SUBJECT_PREFIX} Case {case_id}: the patient answered the request for more information",
        body=signed(
            f"The patient resubmitted the intake of case {case_id} after a request for more information.\n"
            f"The case is back in the review queue and has been screened again.\n\n"
            f"Open the case (sign-in required):\n{link}\n"
        ),
    )


def draft_reminder(*, intake_id: int, second: bool) -> Email:
    resume = absolute(reverse("intake:home"))
    stop = absolute(reverse("notify:opt_out", args=[opt_out_token(intake_id)]))
    opening = (
        "This is the last reminder we will send: your intake is still not finished."
        if second
        else "You started your intake with the clinic and have not finished it yet."
    )
    return Email(
        subject="Your clinic intake is waiting for you" if not second else "A last reminder: your clinic intake",
        body=signed(
            f"{opening}\n\n"
            "Everything you answered so far is saved. Sign in to continue where you left off:\n"
            f"{resume}\n\n"
            "If you would rather not receive these reminders, follow this link (no sign-in needed):\n"
            f"{stop}\n"
        ),
    )
