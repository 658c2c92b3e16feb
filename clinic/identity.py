"""The clinic's identity (name, phone, address, opening hours, review time frame, logo) as patient
pages and e-mails show it: the admin's row (clinic.models.ClinicIdentity) where a field is
filled in, the environment (CLINIC_NAME, CLINIC_PHONE, CLINIC_ADDRESS, CLINIC_HOURS,
CLINIC_REVIEW_DAYS, CLINIC_LOGO_FILE) where it is blank.

Read on every page (header and footer), so it is cached: no query on a page once the cache
holds it. A save or delete through the admin clears it at once in this process; other
processes see a change within ``CACHE_SECONDS``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import HttpRequest
from django.urls import reverse

from clinic.audit import audit_record
from clinic.logo import Logo, environment_logo
from clinic.models import AuditAction, ClinicIdentity, User

CACHE_KEY = "clinic.identity.v2"
CACHE_SECONDS = 60
FIELDS = ("name", "phone", "address", "hours", "review_business_days", "logo_version")


def _lines(text: str) -> tuple[str, ...]:
    """An address or hours as lines: typed on separate lines (admin) or split by "|" (env)."""
    return tuple(line.strip() for line in text.replace("|", "\n").splitlines() if line.strip())


@dataclass(frozen=True)
class Identity:
    name: str
    phone: str
    address: tuple[str, ...]
    hours: tuple[str, ...]
    review_days: int
    logo_version: str = ""  # "" when there is no logo

    @property
    def logo_url(self) -> str:
        """The logo's address, which changes with the image (so it may be cached for good)."""
        return reverse("clinic_logo", args=[self.logo_version]) if self.logo_version else ""

    @property
    def phone_href(self) -> str:
        """The phone number as a tel: link (digits and a leading +)."""
        digits = "".join(ch for ch in self.phone if ch.isdigit())
        return f"tel:{'+' if self.phone.strip().startswith('+') else ''}{digits}" if digits else ""

    def signature(self) -> str:
        """The e-mails' signature: name, phone, address, hours. Never anything about a patient."""
        lines = [self.name]
        if self.phone:
            lines.append(f"Phone: {self.phone}")
        lines.extend(self.address)
        if self.hours:
            lines.append("Opening hours: " + "; ".join(self.hours))
        return "\n".join(lines)


# Where an e-mail's body ends and the clinic's signature begins (the usual "-- " line; the
# account e-mails' templates write it before ``{% clinic_signature %}``).
SIGNATURE_DELIMITER = "\n-- \n"


def signed(body: str) -> str:
    """An e-mail body ending with the clinic's signature (name, phone, address, hours)."""
    return f"{body.rstrip()}\n{SIGNATURE_DELIMITER}{clinic_identity().signature()}\n"


def _from_row(row: ClinicIdentity | None) -> Identity:
    return Identity(
        name=(row.name if row and row.name else settings.CLINIC_NAME),
        phone=(row.phone if row and row.phone else settings.CLINIC_PHONE),
        address=_lines(row.address if row and row.address else settings.CLINIC_ADDRESS),
        hours=_lines(row.hours if row and row.hours else settings.CLINIC_HOURS),
        review_days=(row.review_business_days if row and row.review_business_days else settings.CLINIC_REVIEW_DAYS),
        logo_version=_logo_version(row),
    )


def _logo_version(row: ClinicIdentity | None) -> str:
    if row and row.logo_version:
        return row.logo_version
    logo = environment_logo()
    return logo.version if logo else ""


def current_logo() -> Logo | None:
    """The logo itself (the admin's upload, else CLINIC_LOGO_FILE's), for the logo's view."""
    row = (
        ClinicIdentity.objects.filter(pk=ClinicIdentity.SINGLE_ROW_ID)
        .exclude(logo_version="")
        .values_list("logo", "logo_type")
        .first()
    )
    return Logo(data=bytes(row[0]), content_type=row[1]) if row else environment_logo()


def clinic_identity() -> Identity:
    """The identity now: from the cache, else one query (then cached)."""
    identity = cache.get(CACHE_KEY)
    if identity is None:
        # The logo's bytes stay in the database: a page needs only its version, for the address.
        identity = _from_row(ClinicIdentity.objects.defer("logo").filter(pk=ClinicIdentity.SINGLE_ROW_ID).first())
        cache.set(CACHE_KEY, identity, CACHE_SECONDS)
    return identity


def remember_environment_identity() -> None:
    """Cache the environment's identity, as read when no row exists (a fresh database)."""
    cache.set(CACHE_KEY, _from_row(None), CACHE_SECONDS)


def forget_cached_identity() -> None:
    cache.delete(CACHE_KEY)


@receiver(post_save, sender=ClinicIdentity)
@receiver(post_delete, sender=ClinicIdentity)
def _identity_changed(**kwargs: object) -> None:
    # After the commit, so that a request reading meanwhile cannot cache the old row again.
    forget_cached_identity()
    transaction.on_commit(forget_cached_identity)


@transaction.atomic
def clinic_identity_save(
    *, identity: ClinicIdentity, actor: User | None, request: HttpRequest | None = None
) -> ClinicIdentity:
    """Save the clinic's identity (the one row), audited with each field before and after."""
    stored = ClinicIdentity.objects.select_for_update().filter(pk=ClinicIdentity.SINGLE_ROW_ID).first()
    identity.pk = ClinicIdentity.SINGLE_ROW_ID
    # An "add" while the record exists saves over it: there is one record, never two.
    identity._state.adding = stored is None
    identity.full_clean()
    changes = {
        name: {"before": getattr(stored, name) if stored else None, "after": getattr(identity, name)}
        for name in FIELDS
        if (getattr(stored, name) if stored else None) != getattr(identity, name)
    }
    identity.save()
    audit_record(
        actor=actor,
        action=AuditAction.CHANGE if stored else AuditAction.CREATE,
        target=identity,
        summary="Clinic identity changed" if stored else "Clinic identity set",
        changes=changes,
        request=request,
    )
    return identity
