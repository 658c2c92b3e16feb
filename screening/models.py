"""Screening results and the clinician review of each case.

The rules themselves live in ``screening.engine`` (pure Python). These models keep what the
engine returned, with the facts it read, and what clinicians did about it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from clinic.models import TimeStamped
from clinic.pg_indexes import trigram_index
from intake.models import Intake


class Level(models.TextChoices):
    """Overall outcomes and flag levels, highest first (SCREENING_SPEC §2)."""

    URGENT_SAFETY = "URGENT_SAFETY", "Urgent: suicide risk"
    URGENT_MEDICAL = "URGENT_MEDICAL", "Urgent: medical"
    SAFETY_REVIEW = "SAFETY_REVIEW", "Safety review"
    EXCLUDE_PENDING_REVIEW = "EXCLUDE_PENDING_REVIEW", "Exclusion pending review"
    INCOMPLETE = "INCOMPLETE", "Incomplete"
    CAUTION = "CAUTION", "Caution"
    INFO = "INFO", "Information"
    NO_FLAGS_RAISED = "NO_FLAGS_RAISED", "No automated flags — clinician review required"


# Sort key: lower is more urgent. The queue orders by it.
LEVEL_PRIORITY = {level.value: index for index, level in enumerate(Level)}
URGENT_LEVELS = (Level.URGENT_SAFETY, Level.URGENT_MEDICAL)


class ScreeningTrigger(models.TextChoices):
    DRAFT_SAFETY = "draft_safety", "Safety answers in a draft"
    SUBMIT = "submit", "Intake submitted"
    RESUBMIT = "resubmit", "Intake resubmitted"
    VITALS = "vitals", "Measured vitals recorded"
    ADMIN = "admin", "Re-screened by an admin"


class CaseStatus(models.TextChoices):
    ALERT = "alert", "Urgent alert from a draft"
    NEW = "new", "New"
    IN_REVIEW = "in_review", "In review"
    INFO_REQUESTED = "info_requested", "Waiting for the patient"
    DECIDED = "decided", "Decided"


# The statuses the queue lists by default: a case waiting for a clinician or for the patient.
OPEN_STATUSES = (CaseStatus.ALERT, CaseStatus.NEW, CaseStatus.IN_REVIEW, CaseStatus.INFO_REQUESTED)


def _queue_tier() -> models.Case:
    """The queue's tier (SCREENING_SPEC §7): 0/1 an urgent flag nobody has acknowledged yet
    (suicide risk before medical); 2 safety review, and urgent cases already acknowledged (still
    the most serious); 3 everything else."""
    unacknowledged = Q(urgent_acknowledged_at__isnull=True)
    return models.Case(
        models.When(unacknowledged & Q(urgent_level=Level.URGENT_SAFETY), then=models.Value(0)),
        models.When(unacknowledged & Q(urgent_level=Level.URGENT_MEDICAL), then=models.Value(1)),
        models.When(
            overall__in=[Level.URGENT_SAFETY, Level.URGENT_MEDICAL, Level.SAFETY_REVIEW], then=models.Value(2)
        ),
        default=models.Value(3),
    )


class DecisionOutcome(models.TextChoices):
    APPROVED = "approved", "Approved for initial assessment"
    NOT_ELIGIBLE = "not_eligible", "Not eligible"
    REFERRED = "referred", "Referred elsewhere"


# Between the name and the e-mail in ``Case.patient_search``: a search word never holds
# whitespace, so no word can match across the two.
PATIENT_SEARCH_SEPARATOR = "\n"


def patient_search_text(*, full_name: str, email: str) -> str:
    """What ``Case.patient_search`` holds for a patient with this name and e-mail.

    Kept as typed: the search compares ``UPPER`` of both sides in the database (``icontains``),
    exactly as it compared the user's own columns.
    """
    return f"{full_name}{PATIENT_SEARCH_SEPARATOR}{email}"


class Case(TimeStamped):
    """The clinician-facing side of one intake: its queue place, owner and urgent state.

    It exists from the intake's submission, or earlier when a draft raised an urgent alert.
    ``version`` grows with every change; an action posted against an older version is refused
    so that a clinician never acts on a page that has since changed.
    """

    intake = models.OneToOneField(Intake, on_delete=models.PROTECT, related_name="case")
    status = models.CharField(max_length=20, choices=CaseStatus.choices, default=CaseStatus.NEW)
    overall = models.CharField(max_length=30, choices=Level.choices, null=True, blank=True)
    # Copy of LEVEL_PRIORITY[overall] so the queue sorts in the database.
    priority = models.PositiveSmallIntegerField(default=LEVEL_PRIORITY[Level.NO_FLAGS_RAISED])
    latest_result = models.ForeignKey(
        "ScreeningResult", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="assigned_cases"
    )
    urgent_level = models.CharField(max_length=30, choices=Level.choices, null=True, blank=True)
    urgent_raised_at = models.DateTimeField(null=True, blank=True)
    urgent_acknowledged_at = models.DateTimeField(null=True, blank=True)
    urgent_acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    urgent_acknowledgement_note = models.TextField(blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    # The queue's order, kept by the database itself on every write (whatever changes the case:
    # a service, the admin, a bulk update), so the queue reads it from an index instead of
    # sorting every case by a CASE expression (issue 13). Within a tier the oldest comes first:
    # a draft alert has no submission time, so it waits from when its alert was raised.
    tier = models.GeneratedField(expression=_queue_tier(), output_field=models.SmallIntegerField(), db_persist=True)
    waiting_since = models.GeneratedField(
        expression=Coalesce("submitted_at", "urgent_raised_at", "created_at"),
        output_field=models.DateTimeField(),
        db_persist=True,
    )
    # The patient's name and e-mail as the queue's search reads them (``patient_search_text``),
    # on the case itself so that a search is one trigram index scan instead of a walk of every
    # open case through intake, patient and user (issue 13). Written when the case is created
    # and whenever the patient's account changes name or e-mail (screening/signals.py).
    patient_search = models.TextField(blank=True, default="", editable=False)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(urgent_acknowledged_at__isnull=True) | Q(urgent_level__isnull=False),
                name="case_ack_needs_urgent",
            ),
        ]
        indexes = [
            # The clinician queue (/review/), default view: the open cases in queue order, so a
            # page (first or deep) is read from the index without sorting.
            models.Index(
                fields=["tier", "waiting_since", "id"],
                condition=Q(status__in=OPEN_STATUSES),
                name="case_queue_open_idx",
            ),
            # The clinician queue (/review/) showing any status or one status: queue order.
            models.Index(fields=["tier", "waiting_since", "id"], name="case_queue_idx"),
            # The clinician queue's (/review/) search by name and e-mail: PostgreSQL only.
            trigram_index("patient_search", name="case_patient_search_trgm_idx"),
        ]

    def __str__(self) -> str:
        return f"Case {self.pk}"

    @property
    def needs_acknowledgement(self) -> bool:
        return self.urgent_level is not None and self.urgent_acknowledged_at is None


class ScreeningResult(models.Model):
    """One run of the engine: the result document and the facts document it came from."""

    intake = models.ForeignKey(Intake, on_delete=models.PROTECT, related_name="screening_results")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    trigger = models.CharField(max_length=20, choices=ScreeningTrigger.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ruleset = models.CharField(max_length=20)
    overall = models.CharField(max_length=30, choices=Level.choices)
    facts = models.JSONField()
    result = models.JSONField()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The case page lists an intake's results newest first.
            models.Index(fields=["intake", "-created_at"], name="result_intake_created_idx"),
            # The admin list of results, in its default order (newest first).
            models.Index(fields=["-created_at", "-id"], name="result_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.overall} (rule set {self.ruleset}, {self.created_at:%Y-%m-%d %H:%M})"


class MeasuredVitals(models.Model):
    """Vitals measured by clinic staff; they replace the patient's self-reported figures.

    A row may hold a blood pressure, a weight, a height or any of them: each kind is read
    from the newest row that holds it (``intake.facts.measured_readings``)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="measured_vitals")
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    bp_systolic = models.PositiveSmallIntegerField(null=True, blank=True)
    bp_diastolic = models.PositiveSmallIntegerField(null=True, blank=True)
    bp_date = models.DateField(null=True, blank=True)
    weight_kg = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    height_cm = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        verbose_name_plural = "measured vitals"
        constraints = [
            models.CheckConstraint(
                condition=Q(bp_systolic__isnull=True, bp_diastolic__isnull=True, bp_date__isnull=True)
                | Q(bp_systolic__isnull=False, bp_diastolic__isnull=False, bp_date__isnull=False),
                name="vitals_bp_complete_or_absent",
            ),
            models.CheckConstraint(
                condition=Q(bp_systolic__isnull=False) | Q(weight_kg__isnull=False) | Q(height_cm__isnull=False),
                name="vitals_something_measured",
            ),
        ]

    def __str__(self) -> str:
        return f"Vitals for case {self.case_id} at {self.recorded_at:%Y-%m-%d %H:%M}"


class InfoRequest(models.Model):
    """A clinician's request for more information: the steps reopened and a message."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="info_requests")
    requested_at = models.DateTimeField(default=timezone.now)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    steps = models.JSONField()
    message = models.TextField(max_length=4000)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"Request for case {self.case_id} at {self.requested_at:%Y-%m-%d %H:%M}"


class Decision(models.Model):
    """A clinician's decision with its reason, and a reason against each departing flag."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="decisions")
    decided_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(max_length=20, choices=DecisionOutcome.choices)
    reason = models.TextField(max_length=4000)
    # {"BP-02": "reason the clinician gave for approving despite it", ...}
    flag_reasons = models.JSONField(default=dict, blank=True)
    result = models.ForeignKey(ScreeningResult, on_delete=models.PROTECT, related_name="decisions")

    class Meta:
        ordering = ["-decided_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="decision_reason_required"),
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} for case {self.case_id}"


class CaseNote(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="notes")
    created_at = models.DateTimeField(default=timezone.now)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(max_length=4000)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="casenote_text_required"),
        ]

    def __str__(self) -> str:
        return f"Note on case {self.case_id} at {self.created_at:%Y-%m-%d %H:%M}"
