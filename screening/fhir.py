"""The intake as FHIR R4 (fhir.resources' R4B models), for the clinic's EHR; and back.

``intake_bundle`` makes a Bundle of type ``collection`` for one case: the intake's
Questionnaire and the project's CodeSystems (so that the Bundle explains itself), the
Patient, the QuestionnaireResponse with every answered item, Observations for the
instrument totals, blood pressure (self-reported and measured told apart by
``Observation.method``), height and weight, a MedicationStatement per medicine listed, a
RiskAssessment with the overall outcome and one prediction per flag, and a Provenance naming
the rule set. Every resource is validated by its fhir.resources model as it is made.

``facts_from_questionnaire_response`` / ``facts_from_bundle`` are the inverse: they read the
answers back into an (unsaved) intake and hand it to the one answers → facts mapping
(intake/facts.py), so a Bundle can be checked against the facts its screening read.

Codes: LOINC only where LOINC really has the code (README, "FHIR export"); everything else is
in the project's own CodeSystems under ``settings.FHIR_CANONICAL_BASE``.
"""

from __future__ import annotations

import copy
import datetime as dt
import uuid
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from functools import cache
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle

from clinic.models import User
from intake.facts import AUDITC_FIELDS, DAST10_FIELDS, GAD7_FIELDS, PHQ9_FIELDS, build_facts, measured_readings
from intake.models import (
    AntidepressantTrial,
    Arrhythmia,
    HeartFailure,
    Intake,
    IntakeMedication,
    IntakeStatus,
    LiverDisease,
    Pregnant,
    RoutePreference,
    SexAtBirth,
    Tri,
)
from intake.steps import STEPS, Step
from screening.engine import CATALOGUE_VERSION, RULESET_VERSION
from screening.engine.rules import RULES
from screening.models import Case, Level, MeasuredVitals, ScreeningResult

FHIR_JSON = "application/fhir+json"
FHIR_NDJSON = "application/fhir+ndjson"
QUESTIONNAIRE_VERSION = "2026.1"

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
PARTICIPANT_TYPE = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"

# --- LOINC: only codes LOINC really has (each checked; README lists where from) --------------
PHQ9_PANEL = ("44249-1", "PHQ-9 quick depression assessment panel")
PHQ9_TOTAL = ("44261-6", "Patient Health Questionnaire 9 item (PHQ-9) total score")
GAD7_PANEL = ("69737-5", "Generalized anxiety disorder 7 item (GAD-7)")
GAD7_TOTAL = ("70274-6", "Generalized anxiety disorder 7 item (GAD-7) total score")
AUDITC_PANEL = ("72109-2", "Alcohol Use Disorder Identification Test - Consumption [AUDIT-C]")
AUDITC_TOTAL = ("75626-2", "Total score [AUDIT-C]")
BP_PANEL = ("85354-9", "Blood pressure panel with all children optional")
BP_SYSTOLIC = ("8480-6", "Systolic blood pressure")
BP_DIASTOLIC = ("8462-4", "Diastolic blood pressure")
BODY_HEIGHT = ("8302-2", "Body height")
BODY_WEIGHT = ("29463-7", "Body weight")
# The items of PHQ-9 and GAD-7, in the instruments' order.
PHQ9_ITEM_CODES = ("44250-9", "44255-8", "44259-0", "44254-1", "44251-7", "44258-2", "44252-5", "44253-3", "44260-8")
GAD7_ITEM_CODES = ("69725-0", "68509-9", "69733-4", "69734-2", "69735-9", "69689-8", "69736-7")
# LOINC answer list LL358-3, shared by PHQ-9 and GAD-7: the item's points 0-3.
FREQUENCY_ANSWERS = (
    ("LA6568-5", "Not at all"),
    ("LA6569-3", "Several days"),
    ("LA6570-1", "More than half the days"),
    ("LA6571-9", "Nearly every day"),
)
FREQUENCY_POINTS = {code: points for points, (code, _) in enumerate(FREQUENCY_ANSWERS)}

ITEM_LOINC: dict[str, str] = {
    **dict(zip(PHQ9_FIELDS, PHQ9_ITEM_CODES, strict=True)),
    **dict(zip(GAD7_FIELDS, GAD7_ITEM_CODES, strict=True)),
}

# --- The project's own code systems ------------------------------------------------------------
ANSWER = "intake-answer"
POINTS = "item-points"
INSTRUMENT = "instrument"
LEVEL = "screening-level"
RULE = "screening-rule"
READING_SOURCE = "reading-source"
SCORE_BAND = "score-band"

# Blood pressure and weight: who took the reading (Observation.method). The codes are the facts
# document's own ``bp_source`` values (SCREENING_SPEC §3).
MEASURED = "measured"
SELF_REPORTED = "self_reported"

_ANSWER_CHOICES: tuple[type[models.TextChoices], ...] = (
    Tri,
    Pregnant,
    HeartFailure,
    Arrhythmia,
    LiverDisease,
    SexAtBirth,
    RoutePreference,
)


def _answer_concepts() -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for choices in _ANSWER_CHOICES:
        for value, label in choices.choices:
            seen.setdefault(str(value), str(label))
    seen["unknown"] = "I don't know"
    return sorted(seen.items())


def _code_system_concepts() -> dict[str, tuple[str, list[tuple[str, str]]]]:
    """Each own code system: its title and its (code, display) concepts."""
    bands = ("minimal", "mild", "moderate", "moderately_severe", "severe", "none", "low", "substantial")
    return {
        ANSWER: ("Answers of the clinic-intake questionnaire", _answer_concepts()),
        POINTS: ("Points of a scored answer", [(str(n), f"{n} points") for n in range(5)]),
        INSTRUMENT: (
            "Instruments and scores without a LOINC code",
            [
                ("intake", "clinic-intake initial assessment"),
                ("dast10", "Drug Abuse Screening Test, 10 items (DAST-10)"),
                ("dast10-total", "DAST-10 total score"),
                ("cssrs-screen", "C-SSRS Screen Version - Recent"),
                ("cssrs-risk", "C-SSRS screener risk class"),
                ("screening", "Ketamine/esketamine contraindication screening"),
            ],
        ),
        LEVEL: ("Screening outcome and flag levels", [(str(level.value), str(level.label)) for level in Level]),
        RULE: ("Screening rules", [(rule.id, rule.title) for rule in RULES]),
        READING_SOURCE: (
            "Who took a reading",
            [(MEASURED, "Measured by clinic staff"), (SELF_REPORTED, "Self-reported by the patient")],
        ),
        SCORE_BAND: (
            "Score bands",
            [(band, band.replace("_", " ")) for band in bands]
            + [
                ("positive", "positive screen"),
                ("negative", "negative screen"),
                ("high", "high"),
                ("unknown", "unknown"),
            ],
        ),
    }


def base_url() -> str:
    return str(settings.FHIR_CANONICAL_BASE)


def system(name: str) -> str:
    """The canonical URL of one of the project's own code systems."""
    return f"{base_url()}/CodeSystem/{name}"


def questionnaire_url() -> str:
    return f"{base_url()}/Questionnaire/intake"


def _extension(name: str) -> str:
    return f"{base_url()}/StructureDefinition/{name}"


def coding(system_url: str, code: str, display: str | None = None) -> dict[str, str]:
    item = {"system": system_url, "code": code}
    if display:
        item["display"] = display
    return item


def _loinc(pair: tuple[str, str]) -> dict[str, Any]:
    return {"coding": [coding(LOINC, pair[0], pair[1])], "text": pair[1]}


def _validated(resource: dict[str, Any]) -> dict[str, Any]:
    """The resource as JSON-ready data, after its fhir.resources model accepted it."""
    model = get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    return model.model_dump(mode="json", exclude_none=True)


# --- The Questionnaire -------------------------------------------------------------------------

ROW_GROUPS = {
    # step key: (group linkId, row model, the row's columns in order)
    "mental_health": ("antidepressant_trial", AntidepressantTrial, ("name", "weeks", "full_dose", "helped")),
    "medications": ("medication", IntakeMedication, ("name", "dose", "frequency")),
}
# Instruments inside a step that carry their own panel code.
SUBGROUPS: dict[str, tuple[tuple[str, tuple[str, ...], dict[str, Any]], ...]] = {
    "substances": (
        ("auditc", AUDITC_FIELDS, {"system": LOINC, "code": AUDITC_PANEL[0], "display": AUDITC_PANEL[1]}),
        ("dast10", DAST10_FIELDS, {"code": "dast10", "display": "Drug Abuse Screening Test, 10 items (DAST-10)"}),
    ),
}
STEP_CODES: dict[str, dict[str, Any]] = {
    "phq9": {"system": LOINC, "code": PHQ9_PANEL[0], "display": PHQ9_PANEL[1]},
    "gad7": {"system": LOINC, "code": GAD7_PANEL[0], "display": GAD7_PANEL[1]},
    "cssrs": {"code": "cssrs-screen", "display": "C-SSRS Screen Version - Recent"},
}
ROW_LINK_IDS = frozenset(link_id for link_id, _, _ in ROW_GROUPS.values())
CONSENT_ITEMS = ("consent_version", "consent_signature", "consented_at")


def _group_code(spec: Mapping[str, Any]) -> list[dict[str, str]]:
    return [coding(spec.get("system") or system(INSTRUMENT), spec["code"], spec["display"])]


def _item_type(model: type[models.Model], name: str, has_choices: bool) -> str:
    field = model._meta.get_field(name)
    if has_choices:
        return "choice"
    if isinstance(field, models.DateTimeField):
        return "dateTime"
    if isinstance(field, models.DateField):
        return "date"
    if isinstance(field, models.DecimalField):
        return "decimal"
    if isinstance(field, models.IntegerField):
        return "integer"
    if isinstance(field, models.TextField):
        return "text"
    return "string"


def answer_coding(name: str, value: Any, label: str) -> dict[str, str]:
    """The Coding of a choice answer: LOINC's answer list for PHQ-9/GAD-7, else our own codes."""
    if name in ITEM_LOINC:
        code, display = FREQUENCY_ANSWERS[int(value)]
        return coding(LOINC, code, display)
    if name in AUDITC_FIELDS:
        return coding(system(POINTS), str(int(value)), label)
    return coding(system(ANSWER), str(value), label)


def _choices_of(form_field: Any) -> list[tuple[Any, str]]:
    return [(value, str(label)) for value, label in getattr(form_field, "choices", None) or [] if value != ""]


def _leaf(link_id: str, text: str, item_type: str, choices: list[tuple[Any, str]], column: str) -> dict[str, Any]:
    item: dict[str, Any] = {"linkId": link_id, "text": text, "type": item_type}
    if column in ITEM_LOINC:
        item["code"] = [coding(LOINC, ITEM_LOINC[column])]
    if choices:
        item["answerOption"] = [{"valueCoding": answer_coding(column, value, label)} for value, label in choices]
    return item


def _column_item(step: Step, name: str) -> dict[str, Any]:
    form_field = step.form_class.base_fields[name]
    choices = _choices_of(form_field)
    return _leaf(name, str(form_field.label), _item_type(Intake, name, bool(choices)), choices, name)


def _row_group(step: Step) -> dict[str, Any]:
    link_id, model, columns = ROW_GROUPS[step.key]
    row_form = step.form_class.formset_class.form  # type: ignore[attr-defined]
    items = []
    for column in columns:
        form_field = row_form.base_fields[column]
        choices = _choices_of(form_field)
        items.append(
            _leaf(f"{link_id}.{column}", str(form_field.label), _item_type(model, column, bool(choices)), choices, "")
        )
    return {"linkId": link_id, "text": step.rows_label, "type": "group", "repeats": True, "item": items}


def _step_group(step: Step) -> dict[str, Any]:
    nested = {name: key for key, names, _ in SUBGROUPS.get(step.key, ()) for name in names}
    items: list[dict[str, Any]] = []
    for key, names, spec in SUBGROUPS.get(step.key, ()):
        items.append(
            {
                "linkId": f"{step.key}.{key}",
                "text": spec["display"],
                "type": "group",
                "code": _group_code(spec),
                "item": [_column_item(step, name) for name in names],
            }
        )
    items.extend(_column_item(step, name) for name in step.form_class.columns if name not in nested)
    if step.key in ROW_GROUPS:
        items.append(_row_group(step))
    group: dict[str, Any] = {"linkId": step.key, "text": step.title, "type": "group", "item": items}
    if step.key in STEP_CODES:
        group["code"] = _group_code(STEP_CODES[step.key])
    return group


def _consent_group() -> dict[str, Any]:
    return {
        "linkId": "consent",
        "text": "Consent",
        "type": "group",
        "item": [
            {"linkId": "consent_version", "text": "Consent text version", "type": "string"},
            {"linkId": "consent_signature", "text": "Typed full name as signature", "type": "string"},
            {"linkId": "consented_at", "text": "Signed at", "type": "dateTime"},
        ],
    }


def questionnaire_items() -> list[dict[str, Any]]:
    return [*(_step_group(step) for step in STEPS), _consent_group()]


def questionnaire() -> dict[str, Any]:
    """The intake as one Questionnaire: a group per step, codes on the instruments."""
    return copy.deepcopy(_questionnaire(base_url()))


def code_systems() -> list[dict[str, Any]]:
    """The project's own CodeSystems, each complete."""
    return copy.deepcopy(_code_systems(base_url()))


# The definitions depend only on the code (steps, rules) and the canonical base: made and
# validated once per base, not once per Bundle.
@cache
def _questionnaire(base: str) -> dict[str, Any]:
    return _validated(
        {
            "resourceType": "Questionnaire",
            "id": "clinic-intake",
            "url": questionnaire_url(),
            "version": QUESTIONNAIRE_VERSION,
            "name": "ClinicIntake",
            "title": "Ketamine/esketamine therapy initial assessment",
            "status": "active",
            "subjectType": ["Patient"],
            "code": [coding(system(INSTRUMENT), "intake", "clinic-intake initial assessment")],
            "item": questionnaire_items(),
        }
    )


@cache
def _code_systems(base: str) -> list[dict[str, Any]]:
    resources = []
    for name, (title, concepts) in _code_system_concepts().items():
        resources.append(
            _validated(
                {
                    "resourceType": "CodeSystem",
                    "id": f"clinic-intake-{name}",
                    "url": system(name),
                    "version": RULESET_VERSION,
                    "name": "".join(part.capitalize() for part in name.split("-")),
                    "title": title,
                    "status": "active",
                    "content": "complete",
                    "caseSensitive": True,
                    "concept": [{"code": code, "display": display} for code, display in concepts],
                }
            )
        )
    return resources


# --- The answers -------------------------------------------------------------------------------


def _answer_value(item_type: str, value: Any, column: str, options: Mapping[str, str]) -> dict[str, Any]:
    if item_type == "choice":
        return {"valueCoding": answer_coding(column, value, options.get(str(value), str(value)))}
    if item_type == "date":
        return {"valueDate": value.isoformat()}
    if item_type == "dateTime":
        return {"valueDateTime": value.isoformat()}
    if item_type == "decimal":
        return {"valueDecimal": value}
    if item_type == "integer":
        return {"valueInteger": int(value)}
    return {"valueString": str(value)}


def _answered(value: Any) -> bool:
    return value is not None and value != ""


def _answer_item(definition: Mapping[str, Any], value: Any, column: str) -> dict[str, Any] | None:
    if not _answered(value):
        return None
    # The answer's display is the option's wording as the patient saw it on the form.
    labels = {str(key): label for key, label in _labels_of(column).items()}
    return {
        "linkId": definition["linkId"],
        "text": definition["text"],
        "answer": [_answer_value(definition["type"], value, column, labels)],
    }


def _labels_of(column: str) -> dict[Any, str]:
    for step in STEPS:
        if column in step.form_class.base_fields:
            return dict(_choices_of(step.form_class.base_fields[column]))
    return {}


def _row_labels(step_key: str, column: str) -> dict[str, str]:
    row_form = next(step for step in STEPS if step.key == step_key).form_class.formset_class.form  # type: ignore[attr-defined]
    return {str(value): label for value, label in _choices_of(row_form.base_fields[column])}


def _response_items(
    definitions: list[dict[str, Any]], intake: Intake, rows: Mapping[str, list[models.Model]], step_key: str = ""
) -> list[dict[str, Any]]:
    answered: list[dict[str, Any]] = []
    for definition in definitions:
        link_id = definition["linkId"]
        if definition["type"] == "group" and definition.get("repeats"):
            for row in rows.get(link_id, []):
                row_items = []
                for row_definition in definition["item"]:
                    column = row_definition["linkId"].rpartition(".")[2]
                    value = getattr(row, column)
                    if not _answered(value):
                        continue
                    labels = _row_labels(step_key, column)
                    row_items.append(
                        {
                            "linkId": row_definition["linkId"],
                            "text": row_definition["text"],
                            "answer": [_answer_value(row_definition["type"], value, "", labels)],
                        }
                    )
                if row_items:
                    answered.append({"linkId": link_id, "text": definition["text"], "item": row_items})
        elif definition["type"] == "group":
            children = _response_items(definition["item"], intake, rows, step_key or link_id)
            if children:
                answered.append({"linkId": link_id, "text": definition["text"], "item": children})
        else:
            value = _consent_value(intake, link_id) if link_id in CONSENT_ITEMS else getattr(intake, link_id)
            item = _answer_item(definition, value, link_id)
            if item is not None:
                answered.append(item)
    return answered


def _consent_value(intake: Intake, link_id: str) -> Any:
    if link_id == "consent_version":
        return intake.consent_version.version if intake.consent_version_id else None  # type: ignore[union-attr]
    return getattr(intake, link_id)


def _response_status(intake: Intake) -> str:
    if intake.status == IntakeStatus.DRAFT:
        return "in-progress"
    if intake.status == IntakeStatus.REOPENED:
        # A clinician reopened sections: the patient may be changing answers now.
        return "in-progress"
    return "amended" if intake.submission_count > 1 else "completed"


# --- References --------------------------------------------------------------------------------


class _Ids:
    """Stable urn:uuid identities, so that the same intake exports to the same resource ids."""

    def __init__(self, intake: Intake) -> None:
        self.intake = intake

    def id(self, kind: str) -> str:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{base_url()}/intake/{self.intake.pk}/{kind}"))

    def ref(self, kind: str) -> dict[str, str]:
        return {"reference": f"urn:uuid:{self.id(kind)}"}


def _patient(intake: Intake, user: User, ids: _Ids) -> dict[str, Any]:
    telecom = [{"system": "email", "value": user.email}]
    if intake.phone:
        telecom.append({"system": "phone", "value": intake.phone})
    resource: dict[str, Any] = {
        "resourceType": "Patient",
        "id": ids.id("patient"),
        "identifier": [{"system": f"{base_url()}/patient", "value": str(intake.patient_id)}],
        "name": [{"text": user.full_name}],
        "telecom": telecom,
    }
    if intake.date_of_birth:
        resource["birthDate"] = intake.date_of_birth.isoformat()
    return resource


def _authored(intake: Intake) -> str:
    moment = intake.submitted_at or intake.updated_at or timezone.now()
    return moment.isoformat()


def _response(intake: Intake, ids: _Ids, rows: Mapping[str, list[models.Model]]) -> dict[str, Any]:
    return {
        "resourceType": "QuestionnaireResponse",
        "id": ids.id("response"),
        "identifier": {"system": f"{base_url()}/intake", "value": str(intake.pk)},
        "questionnaire": f"{questionnaire_url()}|{QUESTIONNAIRE_VERSION}",
        "status": _response_status(intake),
        "subject": ids.ref("patient"),
        "source": ids.ref("patient"),
        "authored": _authored(intake),
        "item": _response_items(_questionnaire(base_url())["item"], intake, rows),
    }


# --- Observations ------------------------------------------------------------------------------


def _observation(ids: _Ids, kind: str, code: dict[str, Any], category: str, **fields: Any) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "id": ids.id(kind),
        "status": "final",
        "category": [{"coding": [coding(OBSERVATION_CATEGORY, category)]}],
        "code": code,
        "subject": ids.ref("patient"),
        **fields,
    }


def _band_concept(band: str) -> list[dict[str, Any]]:
    return [{"coding": [coding(system(SCORE_BAND), band)], "text": band.replace("_", " ")}]


def _score_observations(intake: Intake, result: Mapping[str, Any], ids: _Ids) -> list[dict[str, Any]]:
    scores = result.get("scores") or {}
    common = {"effectiveDateTime": _authored(intake), "derivedFrom": [ids.ref("response")]}
    made = []
    for key, code in (
        ("phq9", _loinc(PHQ9_TOTAL)),
        ("gad7", _loinc(GAD7_TOTAL)),
        ("auditc", _loinc(AUDITC_TOTAL)),
        ("dast10", {"coding": [coding(system(INSTRUMENT), "dast10-total", "DAST-10 total score")]}),
    ):
        score = scores.get(key) or {}
        if score.get("total") is None:
            continue
        fields: dict[str, Any] = {**common, "valueInteger": score["total"]}
        if score.get("band"):
            fields["interpretation"] = _band_concept(str(score["band"]))
        elif score.get("positive") is not None:
            fields["interpretation"] = _band_concept("positive" if score["positive"] else "negative")
        made.append(_observation(ids, f"score-{key}", code, "survey", **fields))
    risk = (scores.get("cssrs") or {}).get("risk")
    if risk:
        made.append(
            _observation(
                ids,
                "score-cssrs",
                {"coding": [coding(system(INSTRUMENT), "cssrs-risk", "C-SSRS screener risk class")]},
                "survey",
                valueCodeableConcept=_band_concept(str(risk))[0],
                **common,
            )
        )
    return made


def _method(source: str) -> dict[str, Any]:
    label = "Measured by clinic staff" if source == MEASURED else "Self-reported by the patient"
    return {"coding": [coding(system(READING_SOURCE), source, label)], "text": label}


def _quantity(value: Any, unit: str) -> dict[str, Any]:
    return {"value": value, "unit": unit, "system": UCUM, "code": unit}


def _bp(
    ids: _Ids, kind: str, source: str, systolic: int | None, diastolic: int | None, day: dt.date | None, **extra: Any
) -> dict[str, Any]:
    components = []
    for pair, value in ((BP_SYSTOLIC, systolic), (BP_DIASTOLIC, diastolic)):
        component: dict[str, Any] = {"code": _loinc(pair)}
        if value is None:
            component["dataAbsentReason"] = {"text": "not given"}
        else:
            component["valueQuantity"] = _quantity(value, "mm[Hg]")
        components.append(component)
    fields: dict[str, Any] = {"method": _method(source), "component": components, **extra}
    if day is not None:
        fields["effectiveDateTime"] = day.isoformat()
    return _observation(ids, kind, _loinc(BP_PANEL), "vital-signs", **fields)


def _body(ids: _Ids, kind: str, pair: tuple[str, str], source: str, value: Any, unit: str, **extra: Any) -> dict:
    """A height or weight Observation with who took it as its method."""
    return _observation(
        ids, kind, _loinc(pair), "vital-signs", method=_method(source), valueQuantity=_quantity(value, unit), **extra
    )


def _vital_observations(intake: Intake, vitals: Iterable[MeasuredVitals], ids: _Ids) -> list[dict[str, Any]]:
    """The patient's own readings, then the measured ones the facts use: the blood pressure, the
    weight and the height each from the newest row that holds it (``measured_readings``)."""
    told = {"performer": [ids.ref("patient")], "derivedFrom": [ids.ref("response")]}
    made = []
    if intake.bp_systolic is not None or intake.bp_diastolic is not None:
        made.append(_bp(ids, "bp-self", SELF_REPORTED, intake.bp_systolic, intake.bp_diastolic, intake.bp_date, **told))
    if intake.height_cm is not None:
        made.append(_body(ids, "height-self", BODY_HEIGHT, SELF_REPORTED, intake.height_cm, "cm", **told))
    if intake.weight_kg is not None:
        made.append(_body(ids, "weight-self", BODY_WEIGHT, SELF_REPORTED, intake.weight_kg, "kg", **told))
    measured = measured_readings(vitals)
    if measured.bp is not None:
        row = measured.bp
        issued = {"issued": row.recorded_at.isoformat()}
        made.append(_bp(ids, "bp-measured", MEASURED, row.bp_systolic, row.bp_diastolic, row.bp_date, **issued))
    for row, kind, pair, value, unit in (
        (measured.height, "height-measured", BODY_HEIGHT, measured.height and measured.height.height_cm, "cm"),
        (measured.weight, "weight-measured", BODY_WEIGHT, measured.weight and measured.weight.weight_kg, "kg"),
    ):
        if row is not None:
            when = {"effectiveDateTime": row.recorded_at.isoformat(), "issued": row.recorded_at.isoformat()}
            made.append(_body(ids, kind, pair, MEASURED, value, unit, **when))
    return made


def _medication_statements(intake: Intake, medications: list[IntakeMedication], ids: _Ids) -> list[dict[str, Any]]:
    made = []
    for position, medication in enumerate(medications):
        resource: dict[str, Any] = {
            "resourceType": "MedicationStatement",
            "id": ids.id(f"medication-{position}"),
            "status": "active",
            "medicationCodeableConcept": {"text": medication.name},
            "subject": ids.ref("patient"),
            "informationSource": ids.ref("patient"),
            "derivedFrom": [ids.ref("response")],
            "dateAsserted": _authored(intake),
        }
        dosage = " ".join(part for part in (medication.dose, medication.frequency) if part)
        if dosage:
            resource["dosage"] = [{"text": dosage}]
        made.append(resource)
    return made


# --- The screening -----------------------------------------------------------------------------


def _prediction(flag: Mapping[str, Any]) -> dict[str, Any]:
    extensions: list[dict[str, Any]] = [
        {"url": _extension("screening-rule-source"), "valueString": str(flag["source"])}
    ]
    for path, value in (flag.get("inputs") or {}).items():
        extensions.append({"url": _extension("screening-rule-input"), "valueString": f"{path} = {value}"})
    for path in flag.get("missing") or []:
        extensions.append({"url": _extension("screening-rule-missing"), "valueString": str(path)})
    level = str(flag["level"])
    return {
        "extension": extensions,
        "outcome": {"coding": [coding(system(RULE), str(flag["rule"]))], "text": str(flag["rule"])},
        "qualitativeRisk": {"coding": [coding(system(LEVEL), level, Level(level).label)], "text": level},
        "rationale": str(flag["message"]),
    }


def _risk_assessment(result: ScreeningResult, basis: list[dict[str, str]], ids: _Ids) -> dict[str, Any]:
    document = result.result
    overall = str(document["overall"])
    return {
        "resourceType": "RiskAssessment",
        "id": ids.id(f"risk-{result.pk}"),
        "status": "final",
        "subject": ids.ref("patient"),
        "occurrenceDateTime": str(result.facts.get("assessment_date") or result.created_at.date().isoformat()),
        "code": {"coding": [coding(system(INSTRUMENT), "screening", "Ketamine/esketamine contraindication screening")]},
        "method": {
            "coding": [coding(f"{base_url()}/ruleset", str(document.get("ruleset") or result.ruleset))],
            "text": f"clinic-intake screening rule set {document.get('ruleset') or result.ruleset}",
        },
        "extension": [
            {
                "url": _extension("screening-overall"),
                "valueCodeableConcept": {
                    "coding": [coding(system(LEVEL), overall, Level(overall).label)],
                    "text": Level(overall).label,
                },
            }
        ],
        "basis": basis,
        "prediction": [_prediction(flag) for flag in document.get("flags") or []],
        "note": [
            {
                "text": f"Overall outcome: {Level(overall).label}. Automated screening supports a clinician's "
                "decision; it never admits or refuses a patient."
            }
        ],
    }


def _device(ruleset: str, ids: _Ids) -> dict[str, Any]:
    return {
        "resourceType": "Device",
        "id": ids.id(f"engine-{ruleset}"),
        "deviceName": [{"name": "clinic-intake screening engine", "type": "user-friendly-name"}],
        "version": [
            {"type": {"text": "screening rule set"}, "value": ruleset},
            {"type": {"text": "medication catalogue"}, "value": CATALOGUE_VERSION},
        ],
    }


def _provenance(result: ScreeningResult, targets: list[dict[str, str]], ids: _Ids) -> dict[str, Any]:
    ruleset = str(result.result.get("ruleset") or result.ruleset)
    return {
        "resourceType": "Provenance",
        "id": ids.id(f"provenance-{result.pk}"),
        "target": targets,
        "recorded": result.created_at.isoformat(),
        "policy": [f"{base_url()}/ruleset/{ruleset}"],
        "reason": [{"text": f"Screened with the clinic-intake rule set {ruleset} ({result.get_trigger_display()})"}],
        "agent": [
            {
                "type": {"coding": [coding(PARTICIPANT_TYPE, "assembler", "Assembler")]},
                "who": ids.ref(f"engine-{ruleset}"),
            }
        ],
        "entity": [{"role": "source", "what": ids.ref("response")}],
    }


# --- The Bundle --------------------------------------------------------------------------------


def _rows(intake: Intake) -> dict[str, list[models.Model]]:
    return {
        "antidepressant_trial": list(intake.antidepressant_trials.all()),
        "medication": list(intake.medications.all()),
    }


def bundle_resources(case: Case, *, vitals: Iterable[MeasuredVitals]) -> list[dict[str, Any]]:
    """Every resource of the case's Bundle, validated, in a fixed order."""
    intake = case.intake
    ids = _Ids(intake)
    rows = _rows(intake)
    result = case.latest_result
    clinical: list[dict[str, Any]] = [_response(intake, ids, rows)]
    if result is not None:
        clinical.extend(_score_observations(intake, result.result, ids))
    clinical.extend(_vital_observations(intake, vitals, ids))
    medications = rows["medication"] if intake.takes_medications == "yes" else []
    clinical.extend(_medication_statements(intake, medications, ids))  # type: ignore[arg-type]
    refs = [{"reference": f"urn:uuid:{resource['id']}"} for resource in clinical]
    made = [_validated(_patient(intake, intake.patient.user, ids)), *(_validated(r) for r in clinical)]
    if result is not None:
        risk = _validated(_risk_assessment(result, refs, ids))
        device = _validated(_device(str(result.result.get("ruleset") or result.ruleset), ids))
        provenance = _validated(_provenance(result, [*refs, {"reference": f"urn:uuid:{risk['id']}"}], ids))
        made.extend([risk, device, provenance])
    return [questionnaire(), *code_systems(), *made]


def intake_bundle(case: Case, *, vitals: Iterable[MeasuredVitals] = ()) -> Bundle:
    """The case's intake as a FHIR Bundle of type ``collection``, validated; ``vitals`` are every
    row measured on the case."""
    resources = bundle_resources(case, vitals=vitals)
    entries = []
    for resource in resources:
        full_url = f"{base_url()}/{resource['resourceType']}/{resource['id']}"
        if resource["resourceType"] not in ("Questionnaire", "CodeSystem"):
            full_url = f"urn:uuid:{resource['id']}"
        entries.append({"fullUrl": full_url, "resource": resource})
    return Bundle.model_validate(
        {
            "resourceType": "Bundle",
            "id": _Ids(case.intake).id("bundle"),
            "identifier": {"system": f"{base_url()}/intake", "value": str(case.intake_id)},
            "type": "collection",
            "timestamp": timezone.now().isoformat(),
            "entry": entries,
        }
    )


def bundle_json(bundle: Bundle) -> str:
    return bundle.model_dump_json(exclude_none=True)


def cases_for_export(intake_ids: Any) -> QuerySet[Case]:
    """The cases of the given intakes with everything their Bundles read, in intake order.

    ``intake_ids`` may be a queryset of ids (``.values("pk")``), used as a subquery.
    """
    return (
        Case.objects.filter(intake__in=intake_ids)
        .select_related("intake__patient__user", "intake__consent_version", "latest_result")
        .prefetch_related(
            "intake__medications",
            "intake__antidepressant_trials",
            Prefetch("measured_vitals", queryset=MeasuredVitals.objects.order_by("-recorded_at", "-id")),
        )
        .order_by("intake_id")
    )


def ndjson_lines(cases: Iterable[Case]) -> Iterator[str]:
    """One Bundle per line (FHIR Bulk Data's NDJSON: one resource per line, all of one type)."""
    for case in cases:
        yield bundle_json(intake_bundle(case, vitals=case.measured_vitals.all())) + "\n"


# --- And back: QuestionnaireResponse → answers → facts -----------------------------------------

_COLUMN_NAMES = frozenset(field.name for field in Intake._meta.concrete_fields if not field.is_relation)


def _decode(answer: Mapping[str, Any]) -> Any:
    if "valueCoding" in answer:
        code_system, code = answer["valueCoding"].get("system"), str(answer["valueCoding"]["code"])
        if code_system == LOINC:
            return FREQUENCY_POINTS[code]
        if code_system == system(POINTS):
            return int(code)
        return code
    if "valueDate" in answer:
        value = answer["valueDate"]
        return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
    if "valueDateTime" in answer:
        value = answer["valueDateTime"]
        return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    if "valueDecimal" in answer:
        return Decimal(str(answer["valueDecimal"]))
    if "valueInteger" in answer:
        return int(answer["valueInteger"])
    if "valueString" in answer:
        return str(answer["valueString"])
    raise ValueError(f"an answer of an unexpected type: {sorted(answer)}")


def _walk(items: Iterable[Mapping[str, Any]]) -> Iterator[Mapping[str, Any]]:
    for item in items:
        yield item
        if item.get("linkId") not in ROW_LINK_IDS:
            yield from _walk(item.get("item") or [])


def answers_from_questionnaire_response(
    response: Mapping[str, Any],
) -> tuple[dict[str, Any], list[AntidepressantTrial], list[IntakeMedication]]:
    """The intake columns and rows a QuestionnaireResponse holds (nothing answered: left out)."""
    columns: dict[str, Any] = {}
    trials: list[AntidepressantTrial] = []
    medications: list[IntakeMedication] = []
    for item in _walk(response.get("item") or []):
        link_id = str(item["linkId"])
        if link_id in ROW_LINK_IDS:
            row = {
                str(child["linkId"]).rpartition(".")[2]: _decode(child["answer"][0]) for child in item.get("item") or []
            }
            if link_id == "antidepressant_trial":
                trials.append(AntidepressantTrial(position=len(trials), **row))
            else:
                medications.append(IntakeMedication(position=len(medications), **row))
        elif item.get("answer") and link_id in _COLUMN_NAMES:
            columns[link_id] = _decode(item["answer"][0])
        elif item.get("answer") and link_id == "consent_version":
            columns["consent_version_label"] = _decode(item["answer"][0])
    return columns, trials, medications


def facts_from_questionnaire_response(
    response: Mapping[str, Any], *, assessment_date: dt.date, vitals: Iterable[MeasuredVitals] = ()
) -> dict[str, Any]:
    """The facts document (SCREENING_SPEC §3) that the response's answers express."""
    columns, trials, medications = answers_from_questionnaire_response(response)
    columns.pop("consent_version_label", None)
    intake = Intake(**columns)
    return build_facts(intake, assessment_date=assessment_date, vitals=vitals, trials=trials, medications=medications)


def _resources(bundle: Mapping[str, Any], resource_type: str) -> list[Mapping[str, Any]]:
    return [
        entry["resource"]
        for entry in bundle.get("entry") or []
        if entry.get("resource", {}).get("resourceType") == resource_type
    ]


def _method_code(observation: Mapping[str, Any]) -> str | None:
    for item in (observation.get("method") or {}).get("coding") or []:
        if item.get("system") == system(READING_SOURCE):
            return str(item["code"])
    return None


def _loinc_code(concept: Mapping[str, Any]) -> str | None:
    return next((str(c["code"]) for c in concept.get("coding") or [] if c.get("system") == LOINC), None)


def measured_vitals_from_bundle(bundle: Mapping[str, Any]) -> list[MeasuredVitals]:
    """The staff-measured readings of a Bundle, as (unsaved) rows of vitals: one per Observation,
    recorded when it was issued."""
    rows: list[MeasuredVitals] = []
    for observation in _resources(bundle, "Observation"):
        if _method_code(observation) != MEASURED:
            continue
        code = _loinc_code(observation["code"])
        found: dict[str, Any] = {"recorded_at": dt.datetime.fromisoformat(str(observation["issued"]))}
        if code == BP_PANEL[0]:
            for component in observation.get("component") or []:
                value = (component.get("valueQuantity") or {}).get("value")
                key = {BP_SYSTOLIC[0]: "bp_systolic", BP_DIASTOLIC[0]: "bp_diastolic"}.get(
                    _loinc_code(component["code"]) or ""
                )
                if key and value is not None:
                    found[key] = int(value)
            if observation.get("effectiveDateTime"):
                found["bp_date"] = dt.date.fromisoformat(str(observation["effectiveDateTime"])[:10])
        elif code == BODY_WEIGHT[0]:
            found["weight_kg"] = Decimal(str(observation["valueQuantity"]["value"]))
        elif code == BODY_HEIGHT[0]:
            found["height_cm"] = Decimal(str(observation["valueQuantity"]["value"]))
        rows.append(MeasuredVitals(**found))
    return rows


def facts_from_bundle(bundle: Mapping[str, Any], *, assessment_date: dt.date | None = None) -> dict[str, Any]:
    """The facts document a Bundle expresses: its answers, its measured readings, and the
    assessment date of its RiskAssessment (or ``assessment_date`` when it has none)."""
    risk = next(iter(_resources(bundle, "RiskAssessment")), None)
    if risk is not None:
        assessment_date = dt.date.fromisoformat(str(risk["occurrenceDateTime"])[:10])
    if assessment_date is None:
        raise ValueError("the Bundle has no RiskAssessment: give the assessment date")
    response = _resources(bundle, "QuestionnaireResponse")[0]
    return facts_from_questionnaire_response(
        response, assessment_date=assessment_date, vitals=measured_vitals_from_bundle(bundle)
    )
