"""Consent text versions: writing a version and publishing it as the current one.

A new intake takes the version that is current when the patient consents; an existing
intake keeps the version it was given (its ``consent_version`` foreign key is never
touched here). A version that any intake has used is frozen: its wording is what those
patients agreed to.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest

from clinic.audit import audit_record
from clinic.models import AuditAction, User
from intake.models import ConsentVersion, Intake

# The fields a patient agreed to; they cannot change once any intake refers to the version.
FROZEN_FIELDS = ("version", "title", "text")


def consent_version_is_used(version: ConsentVersion) -> bool:
    return version.pk is not None and Intake.objects.filter(consent_version=version).exists()


def _lock_versions() -> dict[int, ConsentVersion]:
    """Lock every version row, in primary-key order, until the transaction ends.

    Two admins publishing at the same moment would otherwise both clear the old current
    version and then both set their own, and one would fail on the one-current constraint.
    The table holds a handful of rows.
    """
    return {row.pk: row for row in ConsentVersion.objects.select_for_update().order_by("pk")}


@transaction.atomic
def consent_version_save(
    *, version: ConsentVersion, publish: bool, actor: User | None, request: HttpRequest | None = None
) -> ConsentVersion:
    """Create or edit a consent version and, with ``publish``, make it the current one.

    Publishing clears ``is_current`` on the previous current version. Un-publishing the
    current version without publishing another is refused: new intakes always need a
    current text. Editing the wording of a version an intake has used is refused.
    """
    stored = _lock_versions().get(version.pk) if version.pk is not None else None
    if stored is not None:
        if stored.is_current and not publish:
            raise ValidationError(
                "This is the current consent text. Publish another version to replace it.",
                code="unpublish_current",
            )
        edited = [name for name in FROZEN_FIELDS if getattr(stored, name) != getattr(version, name)]
        if edited and consent_version_is_used(stored):
            raise ValidationError(
                "Patients have consented to this version, so its wording cannot change. Add a new version.",
                code="version_in_use",
            )
    if publish:
        ConsentVersion.objects.filter(is_current=True).exclude(pk=version.pk).update(is_current=False)
    version.is_current = publish
    version.full_clean()
    version.save()

    if stored is None:
        changes = {
            name: {"before": None, "after": getattr(version, name)} for name in ("version", "title", "is_current")
        }
    else:
        changes = {
            name: {"before": getattr(stored, name), "after": getattr(version, name)}
            for name in ("version", "title", "is_current")
            if getattr(stored, name) != getattr(version, name)
        }
        if stored.text != version.text:
            # The wording itself stays in the version row; the trail records that it changed.
            changes["text"] = {"before": "(previous wording)", "after": "(new wording)"}
    summary = f"Consent version {version.version} " + ("created" if stored is None else "changed")
    if publish and (stored is None or not stored.is_current):
        summary += " and published as current"
    audit_record(
        actor=actor,
        action=AuditAction.CREATE if stored is None else AuditAction.CHANGE,
        target=version,
        summary=summary,
        changes=changes,
        request=request,
    )
    return version


def consent_version_publish(
    *, version: ConsentVersion, actor: User | None, request: HttpRequest | None = None
) -> ConsentVersion:
    """Make ``version`` the current consent text for new intakes."""
    return consent_version_save(version=version, publish=True, actor=actor, request=request)
