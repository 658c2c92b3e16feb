from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.sessions.base_session import AbstractBaseSession
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from clinic.pg_indexes import trigram_index
from clinic.text import strip_bidi


class TimeStamped(models.Model):
    """Creation and change times, for every model that has them."""

    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Role(models.TextChoices):
    """The three roles; each is a Group made by migration 0002_create_roles."""

    PATIENT = "patient", "Patient"
    CLINICIAN = "clinician", "Clinician"
    ADMIN = "admin", "Admin"


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra: object) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create(email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> User:
        # Logins are case-insensitive: "Ana@Example.org" is the same account as "ana@example.org".
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in: a patient, a clinician or an admin. E-mail is the login."""

    email = models.EmailField("e-mail address", max_length=254, unique=True)
    full_name = models.CharField(max_length=150)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        default=False, help_text="May log in to the Django admin (admins only, never clinicians by default)."
    )
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_case_insensitive_unique"),
        ]
        indexes = [
            # The staff list (queue filter, assign form): the few superusers without a scan.
            models.Index(fields=["is_superuser"], condition=Q(is_superuser=True), name="user_superuser_idx"),
            # Search by name and by e-mail (the review queue's search, the admin lists of users,
            # patients, intakes, cases, results and the audit trail): PostgreSQL only.
            trigram_index("full_name", name="user_name_trgm_idx"),
            trigram_index("email", name="user_email_trgm_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} <{self.email}>"

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def save(self, *args: Any, **kwargs: Any) -> None:
        # However the name arrived (form, admin, command), it is stored without the
        # bidirectional controls that make a name display differently from what it is.
        self.full_name = strip_bidi(self.full_name or "")
        super().save(*args, **kwargs)

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    def _group_names(self) -> frozenset[str]:
        cached = getattr(self, "_group_names_cache", None)
        if cached is None:
            cached = frozenset(self.groups.values_list("name", flat=True)) if self.pk else frozenset()
            self._group_names_cache = cached
        return cached

    @property
    def is_admin_role(self) -> bool:
        return self.is_superuser or Role.ADMIN in self._group_names()

    @property
    def is_clinician_role(self) -> bool:
        """Clinicians and admins are clinic staff: they may see other people's intakes."""
        return self.is_admin_role or Role.CLINICIAN in self._group_names()

    @property
    def is_patient_role(self) -> bool:
        """Only accounts that registered as patients, or that an admin made patients.

        A signed-in account with no role at all is nobody's patient: it gets a 404 on the
        patient pages and never a patient record.
        """
        return not self.is_clinician_role and Role.PATIENT in self._group_names()

    @property
    def role(self) -> Role:
        if self.is_admin_role:
            return Role.ADMIN
        if self.is_clinician_role:
            return Role.CLINICIAN
        return Role.PATIENT


class AuditAction(models.TextChoices):
    VIEW = "view", "Viewed"
    CREATE = "create", "Created"
    CHANGE = "change", "Changed"
    SUBMIT = "submit", "Submitted"
    SCREEN = "screen", "Screened"
    ALERT = "alert", "Urgent alert raised"
    ACKNOWLEDGE = "acknowledge", "Acknowledged"
    ASSIGN = "assign", "Assigned"
    VITALS = "vitals", "Measured vitals recorded"
    REQUEST_INFO = "request_info", "More information requested"
    DECIDE = "decide", "Decided"
    NOTE = "note", "Note added"
    EXPORT = "export", "Exported"
    LIST = "list", "Listed or searched"
    LOGIN = "login", "Logged in"
    NOTIFY_ATTEMPT = "notify_attempt", "E-mail attempt failed"
    NOTIFY_SENT = "notify_sent", "E-mail delivered"
    NOTIFY_FAILED = "notify_failed", "E-mail not delivered"
    REMINDER_OPT_OUT = "reminder_opt_out", "Reminders stopped"
    LOGIN_FAILED = "login_failed", "Failed login"
    LOCKOUT = "lockout", "Locked out"
    LOGOUT = "logout", "Logged out"
    MFA_VERIFIED = "mfa_verified", "Second factor verified"
    MFA_FAILED = "mfa_failed", "Wrong second-factor code"
    MFA_ENROL = "mfa_enrol", "Second factor enrolled"
    MFA_RESET = "mfa_reset", "Second factor reset"
    RECOVERY_CODES = "recovery_codes", "Recovery codes regenerated"
    PASSWORD_CHANGE = "password_change", "Password changed"
    PASSWORD_RESET = "password_reset", "Password reset"
    REGISTER = "register", "Registered"
    EMAIL_CONFIRM = "email_confirm", "E-mail address confirmed"


class Session(AbstractBaseSession):
    """A browser's session: Django's database session, with the user it is signed in as.

    The user column lets a request read its session, its user and the user's role groups in
    one query (issue 13; clinic/sessions.py). It is written from the session's own data on
    every save and is only ever a shortcut: the user a request acts as is still the one in
    the session's signed data, read back and checked by Django (a row whose column disagrees
    costs the user query it would have saved). No database constraint: a session saved while
    its user is being deleted must not fail the request; deleting a user deletes their
    sessions (on_delete)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        db_constraint=False,
        related_name="+",
    )

    class Meta(AbstractBaseSession.Meta):
        db_table = "clinic_session"

    @classmethod
    def get_session_store_class(cls) -> type[Any]:
        from clinic.sessions import SessionStore

        return SessionStore


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: object) -> int:
        raise PermissionError("Audit records are append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("Audit records are append-only.")


class AuditEvent(models.Model):
    """One append-only line of the audit trail: who did what to which record, and when.

    ``target`` is an opaque label such as ``intake:42``; ``changes`` holds the before and
    after of each changed field. Nothing in the app updates or deletes these rows: save()
    refuses an update, delete() refuses, and the queryset refuses bulk changes. On
    PostgreSQL a trigger (migration 0004) refuses UPDATE, DELETE and TRUNCATE whoever asks,
    and ``row_hash`` chains each row to the one before it (``clinic.audit``), so that
    ``manage.py verify_audit`` finds a row changed behind the app's back.
    """

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="audit_events"
    )
    action = models.CharField(max_length=20, choices=AuditAction.choices)
    target_type = models.CharField(max_length=40)
    target_id = models.CharField(max_length=40)
    summary = models.CharField(max_length=300, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    # SHA-256 of the previous row's hash and this row's content (clinic.audit.chain_hash).
    row_hash = models.CharField(max_length=64, blank=True, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            # The case timeline reads one target's events newest first.
            models.Index(fields=["target_type", "target_id", "-at"], name="audit_target_at_idx"),
            # The admin audit trail list, in its default order (newest first).
            models.Index(fields=["-at", "-id"], name="audit_at_idx"),
            # The admin audit trail's search in the summaries: PostgreSQL only.
            trigram_index("summary", name="audit_summary_trgm_idx"),
        ]

    def __str__(self) -> str:
        who = self.actor_id or "system"
        return f"{self.at:%Y-%m-%d %H:%M} {who} {self.action} {self.target_type}:{self.target_id}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise PermissionError("Audit records are append-only.")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise PermissionError("Audit records are append-only.")


class ClinicIdentity(models.Model):
    """The clinic as patients see it: its name, phone, address, opening hours and logo, set by an
    admin. One row at most (``clinic_identity_single_row``); a blank field falls back to the
    environment (CLINIC_NAME, CLINIC_PHONE, CLINIC_ADDRESS, CLINIC_HOURS). Read through
    ``clinic.identity.clinic_identity()``, which caches it."""

    SINGLE_ROW_ID = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLE_ROW_ID, editable=False)
    name = models.CharField("clinic name", max_length=120, blank=True)
    phone = models.CharField(
        "phone number", max_length=40, blank=True, help_text="As patients should dial it, e.g. +1 555 010 0100."
    )
    address = models.TextField("address", max_length=300, blank=True, help_text="One line per line of the address.")
    hours = models.TextField(
        "opening hours", max_length=300, blank=True, help_text="One line per line, e.g. Monday–Friday 8 am–6 pm."
    )
    review_business_days = models.PositiveSmallIntegerField(
        "review time frame (business days)",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text="How soon the clinic contacts a patient after they send their answers. Blank: CLINIC_REVIEW_DAYS.",
    )
    # The optional logo, kept in the database so that no media server is needed; checked on
    # upload (clinic.logo: PNG, JPEG or WebP by content, at most 512 KB, never SVG) and served by
    # clinic.views.clinic_logo at an address carrying ``logo_version`` (a hash of the image).
    logo = models.BinaryField("logo", blank=True, default=b"")
    logo_type = models.CharField(max_length=20, blank=True, editable=False)
    logo_version = models.CharField(max_length=16, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "clinic identity"
        verbose_name_plural = "clinic identity"
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="clinic_identity_single_row"),
            models.CheckConstraint(
                condition=models.Q(review_business_days__isnull=True) | models.Q(review_business_days__range=(1, 30)),
                name="clinic_identity_review_days_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name or "Clinic identity"
