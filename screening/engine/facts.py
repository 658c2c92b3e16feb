"""The facts document ``intake-facts/1``: strict validation and normalisation (spec §3).

``validate_facts`` turns a parsed document into :class:`Facts`, where every §3 field
has a value: a missing key or ``null`` becomes ``"unknown"`` for a tri or choice
field and ``None`` for the others (spec §1.2 "Unknown is not no"). Anything the spec
does not allow is a :class:`FactsError` naming the field, never a flag.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Final, NoReturn

from .errors import FactsError, join_path
from .levels import FACTS_SCHEMA
from .scoring import age_on

Answer = str | int | float | None

UNKNOWN: Final = "unknown"
ESKETAMINE: Final = "esketamine"
KETAMINE: Final = "ketamine"
ALL_ROUTES: Final[tuple[str, ...]] = (ESKETAMINE, KETAMINE)

# Field kinds.
TRI: Final = "tri"  # "yes" | "no" | "unknown"
YN: Final = "yn"  # "yes" | "no" | null
CHOICE: Final = "choice"
DATE: Final = "date"
INT: Final = "int"
NUMBER: Final = "number"

_CHOICE_KINDS: Final = frozenset({TRI, CHOICE, YN})
_TRI_VALUES: Final = ("yes", "no", UNKNOWN)
_YN_VALUES: Final = ("yes", "no")

# Spec §3: the oldest age the validator accepts.
MAX_AGE_YEARS: Final = 120


@dataclass(frozen=True, slots=True)
class Field:
    """One scalar field of §3."""

    path: str
    kind: str
    choices: tuple[str, ...] = ()
    low: int = 0
    high: int = 0

    @property
    def default(self) -> Answer:
        return UNKNOWN if self.kind in (TRI, CHOICE) else None

    @property
    def rule_text(self) -> str:
        """What the field accepts, for error messages."""
        if self.kind in _CHOICE_KINDS:
            values = self.choices
            listed = ", ".join(json.dumps(v) for v in values)
            return f"must be one of {listed} or null"
        if self.kind == DATE:
            return "must be a date YYYY-MM-DD or null"
        if self.kind == INT:
            return "must be an integer"
        return "must be a number"


def _tri(path: str) -> Field:
    return Field(path, TRI, _TRI_VALUES)


def _choice(path: str, *values: str) -> Field:
    return Field(path, CHOICE, values)


def _section(name: str, *fields: Field) -> tuple[str, dict[str, Field]]:
    return name, {f.path.rpartition(".")[2]: f for f in fields}


def _tris(section: str, *names: str) -> list[Field]:
    return [_tri(f"{section}.{name}") for name in names]


# The scalar sections of §3, in the spec's order.
SECTIONS: Final[dict[str, dict[str, Field]]] = dict(
    [
        _section(
            "patient",
            Field("patient.date_of_birth", DATE),
            _choice("patient.sex_at_birth", "female", "male", "intersex", UNKNOWN),
            Field("patient.weight_kg", NUMBER, low=30, high=300),  # §3: valid 30-300 kg
            Field("patient.height_cm", NUMBER, low=120, high=230),  # §3: valid 120-230 cm
        ),
        _section(
            "reproductive",
            _tri("reproductive.pregnancy_possible"),
            _choice("reproductive.pregnant", "yes", "possibly", "no", UNKNOWN),
            _tri("reproductive.breastfeeding"),
            _tri("reproductive.planning_pregnancy"),
        ),
        _section(
            "vitals",
            # §3: blood pressure values are integers 0-400 mmHg; implausible readings
            # inside that range are BP-08's business, not an error.
            Field("vitals.bp_systolic", INT, low=0, high=400),
            Field("vitals.bp_diastolic", INT, low=0, high=400),
            _choice("vitals.bp_source", "measured", "self_reported", UNKNOWN),
            Field("vitals.bp_date", DATE),
        ),
        _section(
            "medical",
            *_tris(
                "medical",
                "aneurysm",
                "arteriovenous_malformation",
                "intracerebral_hemorrhage",
                "ketamine_allergy",
                "raised_intracranial_pressure",
                "cardiovascular_event",
            ),
            Field("medical.cardiovascular_event_date", DATE),
            *_tris("medical", "unstable_angina", "coronary_artery_disease", "valvular_disease", "stroke_or_tia"),
            _choice("medical.heart_failure", "none", "stable", "severe", UNKNOWN),
            _choice("medical.arrhythmia", "none", "controlled", "uncontrolled", UNKNOWN),
            *_tris("medical", "hypertension_diagnosed", "hypertension_controlled", "hypertensive_encephalopathy"),
            _choice("medical.liver_disease", "none", "mild", "moderate", "severe", UNKNOWN),
            *_tris(
                "medical",
                "lung_disease",
                "sleep_apnea",
                "hyperthyroidism_untreated",
                "glaucoma",
                "seizure_recent",
                "delirium",
                "cognitive_impairment",
                "bladder_problems",
            ),
        ),
        _section(
            "psychiatric",
            *_tris(
                "psychiatric",
                "psychotic_disorder",
                "psychotic_symptoms_current",
                "psychotic_features_past",
                "family_psychosis",
                "mania_current",
                "bipolar_or_mania_history",
            ),
            Field("psychiatric.failed_antidepressant_trials", INT, low=0, high=30),  # §3: 0-30
            _tri("psychiatric.prior_ketamine_treatment"),
        ),
        _section(
            "substance",
            *_tris(
                "substance",
                "drug_use_disorder_current",
                "dissociative_use_past_year",
                "ketamine_use_disorder_history",
            ),
        ),
        _section("logistics", _tri("logistics.has_ride_home")),
    ]
)


@dataclass(frozen=True, slots=True)
class ListInstrument:
    """A questionnaire given as a list of item answers (spec §3, §4)."""

    name: str
    length: int
    kind: str  # INT (0..high) or YN
    high: int = 0
    #: Every item's path, prepared once: ``item_paths[0]`` is item 1.
    item_paths: tuple[str, ...] = dataclasses.field(init=False, repr=False, compare=False)
    #: The questionnaire's own path, prepared once: ``instruments.phq9``.
    path: str = dataclasses.field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        paths = tuple(self.item_path(number) for number in range(1, self.length + 1))
        object.__setattr__(self, "item_paths", paths)  # frozen: set once, here
        object.__setattr__(self, "path", f"instruments.{self.name}")

    def item_path(self, number: int) -> str:
        """Items are numbered from 1, as on the forms (spec §6)."""
        return f"instruments.{self.name}[{number}]"


PHQ9: Final = ListInstrument("phq9", 9, INT, 3)
GAD7: Final = ListInstrument("gad7", 7, INT, 3)
AUDITC: Final = ListInstrument("auditc", 3, INT, 4)
DAST10: Final = ListInstrument("dast10", 10, YN)
LIST_INSTRUMENTS: Final[dict[str, ListInstrument]] = {i.name: i for i in (PHQ9, GAD7, AUDITC, DAST10)}


def valid_range(path: str) -> tuple[int, int]:
    """The range §3 accepts for a number field, e.g. ``valid_range("vitals.bp_systolic")``."""
    section, name = path.split(".", 1)
    field = SECTIONS[section][name]
    return field.low, field.high


CSSRS_KEYS: Final[tuple[str, ...]] = ("q1", "q2", "q3", "q4", "q5", "q6", "q6_past_3_months")
#: The C-SSRS skip logic (§4): Q3-Q5 are asked once Q2 is yes, the timing once Q6 is yes.
CSSRS_FOLLOWUP_AFTER_Q2: Final[tuple[str, ...]] = ("q3", "q4", "q5")
CSSRS_FOLLOWUP_AFTER_Q6: Final[tuple[str, ...]] = ("q6_past_3_months",)
CSSRS_FIELDS: Final[dict[str, Field]] = {k: Field(f"instruments.cssrs.{k}", YN, _YN_VALUES) for k in CSSRS_KEYS}

TOP_LEVEL_KEYS: Final = frozenset({"schema", "assessment_date", "routes", "instruments", "medications", *SECTIONS})
MEDICATION_KEYS: Final = frozenset({"name", "dose", "frequency"})

#: Every answer path with its value when unknown.
DEFAULT_ANSWERS: Final[dict[str, Answer]] = {f.path: f.default for fields in SECTIONS.values() for f in fields.values()}
DEFAULT_ANSWERS.update({f.path: None for f in CSSRS_FIELDS.values()})


# Not frozen: built for every document, and a frozen dataclass's __init__ pays an
# object.__setattr__ call per field. Nothing writes to it after it is built.
@dataclass(slots=True)
class Medication:
    name: str
    dose: str | None = None
    frequency: str | None = None


# Not frozen: built for every document, and a frozen dataclass's __init__ pays an
# object.__setattr__ call per field. Nothing writes to it after it is built.
@dataclass(slots=True)
class Facts:
    """A validated facts document; every field present, unknowns made explicit."""

    assessment_date: date
    routes: tuple[str, ...]
    answers: Mapping[str, Answer]
    dates: Mapping[str, date]
    phq9: tuple[int | None, ...]
    gad7: tuple[int | None, ...]
    auditc: tuple[int | None, ...]
    dast10: tuple[str | None, ...]
    medications: tuple[Medication, ...] | None
    #: Whether each route is planned (``"esketamine" in routes``), worked out once.
    esketamine: bool
    ketamine: bool
    #: Whole years on the assessment date (scoring.age_on), worked out once; None without a date of birth.
    age: int | None

    def as_document(self) -> dict[str, object]:
        """The canonical facts document: every key written out, unknowns explicit.

        Screening it gives the same result as screening the document it came from.
        """
        doc: dict[str, object] = {
            "schema": FACTS_SCHEMA,
            "assessment_date": self.assessment_date.isoformat(),
            "routes": list(self.routes),
        }
        for section, fields in SECTIONS.items():
            doc[section] = {key: self.answers[f.path] for key, f in fields.items()}
        instruments: dict[str, object] = {
            "phq9": list(self.phq9),
            "gad7": list(self.gad7),
            "cssrs": {k: self.answers[f.path] for k, f in CSSRS_FIELDS.items()},
            "auditc": list(self.auditc),
            "dast10": list(self.dast10),
        }
        doc["instruments"] = instruments
        doc["medications"] = (
            None
            if self.medications is None
            else [{"name": m.name, "dose": m.dose, "frequency": m.frequency} for m in self.medications]
        )
        return doc


def parse_iso_date(value: object) -> date | None:
    """A strict ``YYYY-MM-DD`` date, or None when ``value`` is not one."""
    if type(value) is not str or len(value) != 10 or value[4] != "-" or value[7] != "-":
        return None
    # Ten characters with "-" at 4 and 7: date.fromisoformat accepts exactly YYYY-MM-DD in
    # ASCII digits among them (its digits are ASCII digits; a non-ASCII character makes the
    # text longer than ten bytes, and the week form has its second "-" at 8), so no digit
    # test is needed here.
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


# One check per field kind, each validating one non-null value and returning it (a date is
# also put in ``dates``). The kind is decided once, when the tables below are prepared.
ScalarCheck = Callable[[Field, str, object, date, dict[str, date]], Answer]


def _check_choice(field: Field, path: str, value: object, assessment: date, dates: dict[str, date]) -> Answer:
    if type(value) is str and value in field.choices:
        return value
    raise FactsError(path, field.rule_text)


def _check_date(field: Field, path: str, value: object, assessment: date, dates: dict[str, date]) -> Answer:
    if type(value) is not str or (parsed := parse_iso_date(value)) is None:
        raise FactsError(path, field.rule_text)
    if parsed > assessment:
        raise FactsError(path, f"must not be after assessment_date ({assessment.isoformat()})")
    dates[field.path] = parsed
    return value


def _check_integer(field: Field, path: str, value: object, assessment: date, dates: dict[str, date]) -> Answer:
    if type(value) is not int:
        raise FactsError(path, "must be an integer")
    if field.low <= value <= field.high:  # the common case, without a call
        return value
    return _check_range(field, path, value)


def _check_number(field: Field, path: str, value: object, assessment: date, dates: dict[str, date]) -> Answer:
    if type(value) is not int and type(value) is not float:
        raise FactsError(path, "must be a number")
    if field.low <= value <= field.high:  # the common case, without a call (NaN is not)
        return value
    return _check_range(field, path, value)


def _check_range(field: Field, path: str, value: float) -> Answer:
    if not field.low <= value <= field.high:  # also rejects NaN
        raise FactsError(path, f"out of range: must be from {field.low} to {field.high}")
    return value


_CHECKS: Final[dict[str, ScalarCheck]] = {
    TRI: _check_choice,
    YN: _check_choice,
    CHOICE: _check_choice,
    DATE: _check_date,
    INT: _check_integer,
    NUMBER: _check_number,
}


def _check_list_instrument(spec: ListInstrument, value: object) -> tuple[object, ...]:
    if not isinstance(value, list):
        raise FactsError(spec.path, f"must be a list of {spec.length} items or null")
    if len(value) != spec.length:
        raise FactsError(spec.path, f"must have {spec.length} items, got {len(value)}")
    # The common case, every item valid, in one tight loop per kind; else the first invalid
    # item is named below.
    if spec.kind == YN:
        for item in value:
            if item is not None and (type(item) is not str or item not in _YN_VALUES):
                break
        else:
            return tuple(value)
    else:
        high = spec.high
        for item in value:
            if item is not None and (type(item) is not int or not 0 <= item <= high):
                break
        else:
            return tuple(value)
    for number, item in enumerate(value, start=1):
        if item is None:
            continue
        if spec.kind == YN:
            if type(item) is not str or item not in _YN_VALUES:
                raise FactsError(spec.item_path(number), 'must be one of "yes", "no" or null')
        elif type(item) is not int:
            raise FactsError(spec.item_path(number), "must be an integer")
        elif not 0 <= item <= spec.high:
            raise FactsError(spec.item_path(number), f"out of range: must be from 0 to {spec.high}")
    raise AssertionError("an invalid item was found above")  # pragma: no cover


def _check_routes(value: object) -> tuple[str, ...]:
    if value is None:
        return ALL_ROUTES  # §3: absent or null means both routes
    if not isinstance(value, list) or not value:
        raise FactsError("routes", 'must be a non-empty list of "esketamine" and/or "ketamine", or null')
    for number, route in enumerate(value, start=1):
        if type(route) is not str or route not in ALL_ROUTES:
            raise FactsError(f"routes[{number}]", 'must be "esketamine" or "ketamine"')
    return tuple(value)


def _check_medications(value: object) -> tuple[Medication, ...] | None:
    if value is None:
        return None  # not answered (DDI-00); [] means "takes none"
    if not isinstance(value, list):
        raise FactsError("medications", "must be a list or null")
    medications = []
    for number, item in enumerate(value, start=1):
        # The common case, a valid entry, is checked without building its path.
        if isinstance(item, dict) and MEDICATION_KEYS.issuperset(item):
            name, dose, frequency = item.get("name"), item.get("dose"), item.get("frequency")
            if (
                type(name) is str
                and (dose is None or type(dose) is str)
                and (frequency is None or type(frequency) is str)
                and not name.isspace()
                and name
            ):
                medications.append(Medication(name, dose, frequency))
                continue
        _medication_error(f"medications[{number}]", item)
    return tuple(medications)


def _medication_error(path: str, item: object) -> NoReturn:
    """Name the first problem of an invalid medication entry, in the order of the checks."""
    if not isinstance(item, dict):
        raise FactsError(path, "must be an object")
    for key in item:
        if key not in MEDICATION_KEYS:
            raise FactsError(join_path(path, key), "unknown key")
    name = item.get("name")
    if name is None:
        raise FactsError(f"{path}.name", "is required")
    if type(name) is not str:
        raise FactsError(f"{path}.name", "must be a string")
    if not name.strip():
        raise FactsError(f"{path}.name", "must contain a non-space character")
    for key in ("dose", "frequency"):
        extra = item.get(key)
        if extra is not None and type(extra) is not str:
            raise FactsError(f"{path}.{key}", "must be a string or null")
    raise AssertionError("an invalid entry was found above")  # pragma: no cover


# Prepared once, per section (and for the C-SSRS object). ``accepts``: key -> {each valid
# choice: the answer path} for a choice field, {} for the others; the common answer, a valid
# choice, is accepted with it in the validation loop itself. ``entries``: key -> (answer
# path, the field's check, the field), for any other answer: the check of the field's kind.
_Entry = tuple[str, ScalarCheck, Field]


def _accepts(fields: dict[str, Field]) -> dict[str, dict[str, str]]:
    return {
        key: dict.fromkeys(f.choices, f.path) if f.kind in _CHOICE_KINDS else {} for key, f in fields.items()
    }


def _entries(fields: dict[str, Field]) -> dict[str, _Entry]:
    return {key: (f.path, _CHECKS[f.kind], f) for key, f in fields.items()}


_SECTION_ENTRIES: Final = tuple((name, _accepts(fields), _entries(fields)) for name, fields in SECTIONS.items())
_CSSRS_ACCEPTS: Final = _accepts(CSSRS_FIELDS)
_CSSRS_ENTRIES: Final = _entries(CSSRS_FIELDS)


def _read_answers(
    name: str,
    accepts: dict[str, dict[str, str]],
    entries: dict[str, _Entry],
    value: object,
    answers: dict[str, Answer],
    dates: dict[str, date],
    assessment: date,
) -> None:
    """Validate one object of answers (a section, or the C-SSRS answers) into ``answers``.

    A null answer leaves the field's default (§3: ``"unknown"`` or None).
    """
    if not isinstance(value, dict):
        raise FactsError(name, "must be an object or null")
    for key, answer in value.items():
        try:
            accepted = accepts[key]
        except KeyError:
            raise FactsError(join_path(name, key), "unknown key") from None
        if type(answer) is str and answer in accepted:  # a valid choice (exactly a str)
            answers[accepted[answer]] = answer
        elif answer is not None:
            path, check, field = entries[key]
            answers[path] = check(field, path, answer, assessment, dates)


_EMPTY_PHQ9: Final = (None,) * PHQ9.length
_EMPTY_GAD7: Final = (None,) * GAD7.length
_EMPTY_AUDITC: Final = (None,) * AUDITC.length
_EMPTY_DAST10: Final = (None,) * DAST10.length
#: Each questionnaire's items when it is not given, by key.
_EMPTY_LISTS: Final = {"phq9": _EMPTY_PHQ9, "gad7": _EMPTY_GAD7, "auditc": _EMPTY_AUDITC, "dast10": _EMPTY_DAST10}


def validate_facts(doc: object) -> Facts:
    """Validate a parsed facts document (spec §3); raises FactsError naming the field."""
    if not isinstance(doc, dict):
        raise FactsError("", "a facts document must be a JSON object")
    if "schema" not in doc or doc["schema"] is None:
        raise FactsError("schema", f'is required: "{FACTS_SCHEMA}"')
    schema = doc["schema"]
    if schema != FACTS_SCHEMA or type(schema) is not str:
        raise FactsError("schema", f'unknown schema {json.dumps(schema, default=repr)}; expected "{FACTS_SCHEMA}"')
    if "assessment_date" not in doc or doc["assessment_date"] is None:
        raise FactsError("assessment_date", "is required")
    assessment = parse_iso_date(doc["assessment_date"])
    if assessment is None:
        raise FactsError("assessment_date", "must be a date YYYY-MM-DD")
    if not TOP_LEVEL_KEYS.issuperset(doc):
        for key in doc:  # name the first unknown key
            if key not in TOP_LEVEL_KEYS:
                raise FactsError(join_path("", key), "unknown key")

    routes = doc.get("routes")
    routes = ALL_ROUTES if routes is None else _check_routes(routes)  # §3: absent or null means both
    answers = dict(DEFAULT_ANSWERS)
    dates: dict[str, date] = {}
    for name, accepts, entries in _SECTION_ENTRIES:
        section = doc.get(name)
        if section is not None:  # §3: a whole section given as null means every answer in it is unknown
            _read_answers(name, accepts, entries, section, answers, dates, assessment)

    # The items were checked by _check_list_instrument (Any: each list holds its own kind).
    lists: dict[str, tuple[Any, ...]] = dict(_EMPTY_LISTS)
    instruments = doc.get("instruments")
    if instruments is not None:
        if not isinstance(instruments, dict):
            raise FactsError("instruments", "must be an object or null")
        for key, value in instruments.items():
            if key == "cssrs":
                if value is not None:
                    cssrs = "instruments.cssrs"
                    _read_answers(cssrs, _CSSRS_ACCEPTS, _CSSRS_ENTRIES, value, answers, dates, assessment)
                continue
            spec = LIST_INSTRUMENTS.get(key)
            if spec is None:
                raise FactsError(join_path("instruments", key), "unknown key")
            if value is not None:
                lists[key] = _check_list_instrument(spec, value)

    medications = _check_medications(doc.get("medications"))
    age = _check_consistency(answers, dates, assessment)

    return Facts(
        assessment,
        routes,
        answers,
        dates,
        lists["phq9"],
        lists["gad7"],
        lists["auditc"],
        lists["dast10"],
        medications,
        ESKETAMINE in routes,
        KETAMINE in routes,
        age,
    )


def _check_consistency(answers: Mapping[str, Answer], dates: Mapping[str, date], assessment: date) -> int | None:
    """The cross-field checks of §3; returns the age on the assessment date (None: no date of birth)."""
    birth = dates.get("patient.date_of_birth")
    age = None if birth is None else age_on(birth, assessment)
    if age is not None and age > MAX_AGE_YEARS:
        raise FactsError("patient.date_of_birth", f"age over {MAX_AGE_YEARS} on assessment_date")
    event = answers["medical.cardiovascular_event"]
    if "medical.cardiovascular_event_date" in dates and event != "yes":
        raise FactsError(
            "medical.cardiovascular_event_date",
            f'must be null when medical.cardiovascular_event is "{event}"',
        )
    return age


# --- Plain-language labels (the message spec's label table) ---------------------------------
#
# Written once, beside the schema: flag messages name missing fields with these labels, and
# the case page shows them for the inputs and missing fields of each flag. Sentence case;
# ``field_label`` gives the label of any path the engine writes in ``inputs`` or ``missing``.

#: Facts path -> plain-language label, for every scalar field of spec §3.
FIELD_LABELS: Final[dict[str, str]] = {
    "routes": "Planned routes",
    "medications": "Medication list",
    "patient.date_of_birth": "Date of birth",
    "patient.sex_at_birth": "Sex at birth",
    "patient.weight_kg": "Weight (kg)",
    "patient.height_cm": "Height (cm)",
    "reproductive.pregnancy_possible": "Whether a pregnancy is possible",
    "reproductive.pregnant": "Pregnant now",
    "reproductive.breastfeeding": "Breastfeeding",
    "reproductive.planning_pregnancy": "Planning a pregnancy",
    "vitals.bp_systolic": "Blood pressure, systolic (mmHg)",
    "vitals.bp_diastolic": "Blood pressure, diastolic (mmHg)",
    "vitals.bp_source": "How the blood pressure was taken (measured or self-reported)",
    "vitals.bp_date": "Date of the blood-pressure reading",
    "medical.aneurysm": "Aneurysm",
    "medical.arteriovenous_malformation": "Arteriovenous malformation",
    "medical.intracerebral_hemorrhage": "Bleeding in the brain (intracerebral haemorrhage)",
    "medical.ketamine_allergy": "Allergy to ketamine or esketamine",
    "medical.raised_intracranial_pressure": "Raised intracranial pressure",
    "medical.cardiovascular_event": "Heart attack, stent, bypass or other acute cardiovascular event (ever)",
    "medical.cardiovascular_event_date": "Date of the most recent cardiovascular event",
    "medical.unstable_angina": "Unstable angina",
    "medical.coronary_artery_disease": "Coronary artery disease",
    "medical.valvular_disease": "Heart valve disease",
    "medical.stroke_or_tia": "Stroke or TIA",
    "medical.heart_failure": "Heart failure",
    "medical.arrhythmia": "Irregular heartbeat (arrhythmia)",
    "medical.hypertension_diagnosed": "High blood pressure diagnosed",
    "medical.hypertension_controlled": "High blood pressure controlled",
    "medical.hypertensive_encephalopathy": "Hypertensive encephalopathy",
    "medical.liver_disease": "Liver disease",
    "medical.lung_disease": "Long-term lung disease",
    "medical.sleep_apnea": "Sleep apnoea",
    "medical.hyperthyroidism_untreated": "Untreated overactive thyroid",
    "medical.glaucoma": "Glaucoma",
    "medical.seizure_recent": "Seizure in the past 12 months",
    "medical.delirium": "Delirium recently",
    "medical.cognitive_impairment": "Memory or thinking problems (cognitive impairment)",
    "medical.bladder_problems": "Bladder problems",
    "psychiatric.psychotic_disorder": "Psychotic disorder",
    "psychiatric.psychotic_symptoms_current": "Hallucinations or delusions in the past month",
    "psychiatric.psychotic_features_past": "Psychotic features in the past",
    "psychiatric.family_psychosis": "Psychotic disorder in a parent, sibling or child",
    "psychiatric.mania_current": "Manic or hypomanic now",
    "psychiatric.bipolar_or_mania_history": "Bipolar disorder or mania ever",
    "psychiatric.failed_antidepressant_trials": "Failed adequate antidepressant trials (this episode)",
    "psychiatric.prior_ketamine_treatment": "Ketamine or esketamine treatment before",
    "substance.drug_use_disorder_current": "Drug use problem now",
    "substance.dissociative_use_past_year": "Non-medical ketamine, PCP or other dissociative use (past year)",
    "substance.ketamine_use_disorder_history": "Ketamine use problem ever",
    "logistics.has_ride_home": "Ride home after treatment",
    "instruments.cssrs.q1": "C-SSRS Q1 (wish to be dead, past month)",
    "instruments.cssrs.q2": "C-SSRS Q2 (suicidal thoughts, past month)",
    "instruments.cssrs.q3": "C-SSRS Q3 (thoughts of a method, past month)",
    "instruments.cssrs.q4": "C-SSRS Q4 (intent to act, past month)",
    "instruments.cssrs.q5": "C-SSRS Q5 (a plan with intent, past month)",
    "instruments.cssrs.q6": "C-SSRS Q6 (suicidal behaviour, ever)",
    "instruments.cssrs.q6_past_3_months": "C-SSRS Q6 timing (within the past 3 months)",
}

#: Instrument key -> its name as printed on the form.
INSTRUMENT_NAMES: Final[dict[str, str]] = {
    "phq9": "PHQ-9",
    "gad7": "GAD-7",
    "auditc": "AUDIT-C",
    "dast10": "DAST-10",
    "cssrs": "C-SSRS",
}

#: Items whose number alone would not tell a clinician what they ask.
ITEM_LABELS: Final[dict[str, str]] = {
    "instruments.phq9[9]": "PHQ-9 item 9 (thoughts of being better off dead or of self-harm)",
    "instruments.dast10[1]": "DAST-10 item 1 (used drugs other than for medical reasons)",
    "instruments.dast10[3]": 'DAST-10 item 3 (always able to stop using drugs when wanted; scores for "no")',
}

_ITEM_PATH: Final = re.compile(r"instruments\.(\w+)\[(\d+)\]")
_MEDICATION_PATH: Final = re.compile(r"medications\[(\d+)\](?:\.(name|dose|frequency))?")


def field_label(path: str) -> str:
    """The plain-language label of a path in a flag's ``inputs`` or ``missing``.

    ``instruments.phq9[9]`` -> "PHQ-9 item 9 (...)", ``medications[2].name`` -> "Medication 2
    (name)". Anything else that is not a known path (DDI-09 lists names as entered) is
    returned unchanged.
    """
    label = FIELD_LABELS.get(path) or ITEM_LABELS.get(path)
    if label is not None:
        return label
    section, _, name = path.partition(".")
    if section == "instruments" and name in INSTRUMENT_NAMES:
        return f"{INSTRUMENT_NAMES[name]} (all items)"
    item = _ITEM_PATH.fullmatch(path)
    if item is not None and item[1] in LIST_INSTRUMENTS:
        return f"{INSTRUMENT_NAMES[item[1]]} item {item[2]}"
    medication = _MEDICATION_PATH.fullmatch(path)
    if medication is not None:
        return f"Medication {medication[1]}" + (f" ({medication[2]})" if medication[2] else "")
    return path
