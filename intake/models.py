"""Patients and their intakes.

Every answer that feeds a screening rule is a nullable choice: ``NULL`` means "not answered
yet", ``"unknown"`` means the patient chose "I don't know". Both become ``unknown`` in the
facts document (intake/facts.py); neither is ever read as "no".
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from clinic.models import TimeStamped
from screening.engine.facts import valid_range

# §3: the blood-pressure values the facts document accepts; the database holds no other.
BP_VALID = valid_range("vitals.bp_systolic")


class Tri(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    UNKNOWN = "unknown", "I don't know"


class YesNo(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"


class SexAtBirth(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    INTERSEX = "intersex", "Intersex"
    UNKNOWN = "unknown", "I don't know / prefer not to say"


class Pregnant(models.TextChoices):
    YES = "yes", "Yes"
    POSSIBLY = "possibly", "Possibly"
    NO = "no", "No"
    UNKNOWN = "unknown", "I don't know"


class HeartFailure(models.TextChoices):
    NONE = "none", "No"
    STABLE = "stable", "Yes, stable"
    SEVERE = "severe", "Yes, severe"
    UNKNOWN = "unknown", "I don't know"


class Arrhythmia(models.TextChoices):
    NONE = "none", "No"
    CONTROLLED = "controlled", "Yes, controlled"
    UNCONTROLLED = "uncontrolled", "Yes, not controlled"
    UNKNOWN = "unknown", "I don't know"


class LiverDisease(models.TextChoices):
    NONE = "none", "No"
    MILD = "mild", "Yes, mild"
    MODERATE = "moderate", "Yes, moderate"
    SEVERE = "severe", "Yes, severe"
    UNKNOWN = "unknown", "I don't know"


class RoutePreference(models.TextChoices):
    ESKETAMINE = "esketamine", "Esketamine nasal spray (Spravato)"
    KETAMINE = "ketamine", "Ketamine infusion or injection"
    UNSURE = "unsure", "Not sure yet"


class IntakeStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    REOPENED = "reopened", "More information requested"


def tri_field(verbose_name: str) -> models.CharField:
    return models.CharField(verbose_name, max_length=7, choices=Tri.choices, null=True, blank=True)


def yn_field(verbose_name: str) -> models.CharField:
    return models.CharField(verbose_name, max_length=3, choices=YesNo.choices, null=True, blank=True)


def item_field(verbose_name: str, maximum: int) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        verbose_name, null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(maximum)]
    )


class Patient(TimeStamped):
    """A patient: one per patient account."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="patient")

    def __str__(self) -> str:
        return self.user.full_name or f"Patient {self.pk}"


class ConsentVersion(TimeStamped):
    """A version of the consent text. New intakes take the current one; old ones keep theirs."""

    version = models.CharField(max_length=20, unique=True)
    title = models.CharField(max_length=200)
    text = models.TextField()
    is_current = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["is_current"], condition=Q(is_current=True), name="consent_one_current"),
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"


class Intake(TimeStamped):
    """One initial assessment questionnaire of one patient, from draft to submitted."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="intakes")
    status = models.CharField(max_length=10, choices=IntakeStatus.choices, default=IntakeStatus.DRAFT)
    # Where the patient stopped, so that logging back in resumes there.
    current_step = models.CharField(max_length=30, default="about")
    # The last revision given to one of this intake's drafts (``StepDraft.revision``): every
    # save of a draft takes the next one, under the intake's row lock.
    draft_revision = models.PositiveIntegerField(default=0)
    # Steps a clinician reopened with a request for more information (status REOPENED).
    reopened_steps = models.JSONField(default=list, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submission_count = models.PositiveIntegerField(default=0)
    # The clinic-local date of the latest submission: the reference date of screening.
    assessment_date = models.DateField(null=True, blank=True)

    # 1. About you
    date_of_birth = models.DateField(null=True, blank=True)
    sex_at_birth = models.CharField(max_length=8, choices=SexAtBirth.choices, null=True, blank=True)
    height_cm = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    weight_kg = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    phone = models.CharField(max_length=30, blank=True)

    # 2. Pregnancy and breastfeeding (asked of everyone; never inferred from sex)
    pregnancy_possible = tri_field("pregnancy possible")
    pregnant = models.CharField(max_length=8, choices=Pregnant.choices, null=True, blank=True)
    breastfeeding = tri_field("breastfeeding")
    planning_pregnancy = tri_field("planning pregnancy")

    # 3. Heart and circulation
    aneurysm = tri_field("aneurysm")
    arteriovenous_malformation = tri_field("arteriovenous malformation")
    intracerebral_hemorrhage = tri_field("bleeding in the brain")
    cardiovascular_event = tri_field("heart attack, stent, bypass or other acute cardiovascular event")
    cardiovascular_event_date = models.DateField(null=True, blank=True)
    unstable_angina = tri_field("unstable angina")
    coronary_artery_disease = tri_field("coronary artery disease")
    valvular_disease = tri_field("heart valve disease")
    stroke_or_tia = tri_field("stroke or TIA")
    heart_failure = models.CharField(max_length=8, choices=HeartFailure.choices, null=True, blank=True)
    arrhythmia = models.CharField(max_length=12, choices=Arrhythmia.choices, null=True, blank=True)
    hypertension_diagnosed = tri_field("high blood pressure diagnosed")
    hypertension_controlled = tri_field("high blood pressure controlled")
    hypertensive_encephalopathy = tri_field("hypertensive encephalopathy")
    # The last reading the patient knows; always stored as self-reported.
    bp_known = yn_field("knows a recent blood-pressure reading")
    bp_systolic = models.PositiveSmallIntegerField(null=True, blank=True)
    bp_diastolic = models.PositiveSmallIntegerField(null=True, blank=True)
    bp_date = models.DateField(null=True, blank=True)

    # 4. Other medical history
    ketamine_allergy = tri_field("allergy to ketamine or esketamine")
    raised_intracranial_pressure = tri_field("raised pressure in the skull")
    liver_disease = models.CharField(max_length=8, choices=LiverDisease.choices, null=True, blank=True)
    lung_disease = tri_field("lung disease")
    sleep_apnea = tri_field("sleep apnoea")
    hyperthyroidism_untreated = tri_field("untreated overactive thyroid")
    glaucoma = tri_field("glaucoma")
    seizure_recent = tri_field("seizure in the past 12 months")
    delirium = tri_field("delirium")
    cognitive_impairment = tri_field("memory or thinking problems")
    bladder_problems = tri_field("bladder problems")

    # 5. Mental health history
    psychotic_disorder = tri_field("psychotic disorder")
    psychotic_symptoms_current = tri_field("hallucinations or delusions in the past month")
    psychotic_features_past = tri_field("psychotic features in the past")
    family_psychosis = tri_field("family history of psychosis")
    mania_current = tri_field("manic or hypomanic now")
    bipolar_or_mania_history = tri_field("bipolar disorder or mania ever")
    prior_ketamine_treatment = tri_field("earlier ketamine treatment")
    # yes = at least one antidepressant tried in this episode (rows below); no = none;
    # unknown = the patient does not know. NULL = not answered.
    antidepressants_tried = tri_field("antidepressants tried in this episode")

    # 6. PHQ-9 (Kroenke 2001), items 0–3
    phq9_1 = item_field("PHQ-9 item 1", 3)
    phq9_2 = item_field("PHQ-9 item 2", 3)
    phq9_3 = item_field("PHQ-9 item 3", 3)
    phq9_4 = item_field("PHQ-9 item 4", 3)
    phq9_5 = item_field("PHQ-9 item 5", 3)
    phq9_6 = item_field("PHQ-9 item 6", 3)
    phq9_7 = item_field("PHQ-9 item 7", 3)
    phq9_8 = item_field("PHQ-9 item 8", 3)
    phq9_9 = item_field("PHQ-9 item 9", 3)

    # 7. GAD-7 (Spitzer 2006), items 0–3
    gad7_1 = item_field("GAD-7 item 1", 3)
    gad7_2 = item_field("GAD-7 item 2", 3)
    gad7_3 = item_field("GAD-7 item 3", 3)
    gad7_4 = item_field("GAD-7 item 4", 3)
    gad7_5 = item_field("GAD-7 item 5", 3)
    gad7_6 = item_field("GAD-7 item 6", 3)
    gad7_7 = item_field("GAD-7 item 7", 3)

    # 8. C-SSRS screener (Posner 2011)
    cssrs_q1 = yn_field("C-SSRS Q1 wish to be dead")
    cssrs_q2 = yn_field("C-SSRS Q2 suicidal thoughts")
    cssrs_q3 = yn_field("C-SSRS Q3 thoughts of method")
    cssrs_q4 = yn_field("C-SSRS Q4 intent")
    cssrs_q5 = yn_field("C-SSRS Q5 plan with intent")
    cssrs_q6 = yn_field("C-SSRS Q6 suicidal behaviour ever")
    cssrs_q6_past_3_months = yn_field("C-SSRS Q6 within the past 3 months")

    # 9. Alcohol and drugs: AUDIT-C (Bush 1998) items 0–4, DAST-10 (Skinner 1982) yes/no
    auditc_1 = item_field("AUDIT-C item 1", 4)
    auditc_2 = item_field("AUDIT-C item 2", 4)
    auditc_3 = item_field("AUDIT-C item 3", 4)
    dast10_1 = yn_field("DAST-10 item 1")
    dast10_2 = yn_field("DAST-10 item 2")
    dast10_3 = yn_field("DAST-10 item 3")
    dast10_4 = yn_field("DAST-10 item 4")
    dast10_5 = yn_field("DAST-10 item 5")
    dast10_6 = yn_field("DAST-10 item 6")
    dast10_7 = yn_field("DAST-10 item 7")
    dast10_8 = yn_field("DAST-10 item 8")
    dast10_9 = yn_field("DAST-10 item 9")
    dast10_10 = yn_field("DAST-10 item 10")
    dissociative_use_past_year = tri_field("non-medical ketamine, PCP or other dissociative in the past year")
    ketamine_use_disorder_history = tri_field("ketamine use problem ever")
    drug_use_disorder_current = tri_field("current drug use problem")

    # 10. Medications: yes = takes some (rows below), no = takes none, NULL = not answered.
    takes_medications = yn_field("takes medications")

    # 11. Goals and logistics
    treatment_goals = models.TextField(blank=True, max_length=4000)
    has_ride_home = tri_field("has a ride home after sessions")
    route_preference = models.CharField(max_length=10, choices=RoutePreference.choices, null=True, blank=True)

    # 12. Consent
    consent_version = models.ForeignKey(ConsentVersion, null=True, blank=True, on_delete=models.PROTECT)
    consent_signature = models.CharField("typed full name as signature", max_length=150, blank=True)
    consented_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # A patient has at most one intake being filled in at a time.
            models.UniqueConstraint(
                fields=["patient"], condition=Q(status="draft"), name="intake_one_draft_per_patient"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(submitted_at__isnull=False), name="intake_submitted_has_time"
            ),
            models.CheckConstraint(
                condition=Q(bp_systolic__isnull=True) | Q(bp_systolic__lte=BP_VALID[1]), name="intake_bp_systolic_range"
            ),
            models.CheckConstraint(
                condition=Q(bp_diastolic__isnull=True) | Q(bp_diastolic__lte=BP_VALID[1]),
                name="intake_bp_diastolic_range",
            ),
        ]
        indexes = [
            # The patient home page finds a patient's newest intake.
            models.Index(fields=["patient", "-created_at"], name="intake_patient_created_idx"),
        ]

    def __str__(self) -> str:
        return f"Intake {self.pk} ({self.get_status_display()})"

    @property
    def is_editable(self) -> bool:
        return self.status in (IntakeStatus.DRAFT, IntakeStatus.REOPENED)


class IntakeMedication(models.Model):
    """A medication the patient takes now, as they typed it."""

    intake = models.ForeignKey(Intake, on_delete=models.CASCADE, related_name="medications")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(max_length=200)
    dose = models.CharField(max_length=100, blank=True)
    frequency = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="intake_medication_name_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name


class AntidepressantTrial(models.Model):
    """An antidepressant tried in the current episode.

    An *adequate failed trial* is one taken for at least 6 weeks at a full dose that did not
    help enough (McIntyre 2021); ``intake/facts.py`` counts them.
    """

    intake = models.ForeignKey(Intake, on_delete=models.CASCADE, related_name="antidepressant_trials")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(max_length=200)
    weeks = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MaxValueValidator(520)])
    full_dose = tri_field("full dose reached")
    helped = tri_field("helped enough")

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class StepDraft(TimeStamped):
    """What the patient last posted on a step, exactly as typed, valid or not.

    Every POST lands here first, so that nothing typed is lost even when a field fails
    validation; the valid answers are then written to the Intake's own columns.
    """

    intake = models.ForeignKey(Intake, on_delete=models.CASCADE, related_name="drafts")
    step = models.CharField(max_length=30)
    data = models.JSONField(default=dict)
    is_valid = models.BooleanField(default=False)
    # Which save wrote it (from ``Intake.draft_revision``; 0: before revisions). The step page
    # is built from one revision and a background save based on an older one is refused, so
    # a save that arrives late never overwrites newer answers.
    revision = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["intake", "step"], name="stepdraft_one_per_step"),
        ]

    def __str__(self) -> str:
        return f"Draft of {self.step} for intake {self.intake_id}"
