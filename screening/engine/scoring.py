"""Ages, BMI, questionnaire scores and the blood-pressure category (spec §4, §5, §5.3).

Scores are computed only from complete instruments and never prorated (spec §4).
The "partial" sums here are for the two rules that may fire early because a total
can only grow (PSY-07, PSY-11; spec §5.5); they never appear in the scores.
"""

from __future__ import annotations

from calendar import isleap
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Final

# --- Age and BMI (spec §5 preamble) ------------------------------------------------


def age_on(birth: date, on: date) -> int:
    """Whole years on ``on``; a 29 February birthday falls on 1 March in other years."""
    month, day = birth.month, birth.day
    if month == 2 and day == 29 and not isleap(on.year):
        month, day = 3, 1
    return on.year - birth.year - ((on.month, on.day) < (month, day))


def bmi_tenths(weight_kg: float, height_cm: float) -> int:
    """BMI in tenths of kg/m2, rounded half up in exact decimal arithmetic.

    BMI = kg / m2 = weight * 10000 / height_cm**2; in tenths, weight * 100000 / height**2.
    Each value is taken as the decimal it was written as (``repr`` of a float is the
    shortest decimal that reads back as the same float), so no binary rounding
    decides a tie: 24.25 becomes 24.3. Integer arithmetic keeps it exact.
    """
    if type(weight_kg) is int and type(height_cm) is int:  # the common case, each over 1
        return (2 * weight_kg * 100000 + height_cm * height_cm) // (2 * height_cm * height_cm)
    w_num, w_den = _exact_ratio(weight_kg)
    h_num, h_den = _exact_ratio(height_cm)
    numerator = w_num * 100000 * h_den * h_den
    denominator = w_den * h_num * h_num
    return (2 * numerator + denominator) // (2 * denominator)  # floor(x + 1/2), x > 0


def _exact_ratio(value: float) -> tuple[int, int]:
    """The value as written, as a fraction: an int is itself over 1 (no decimal needed)."""
    if type(value) is int:
        return value, 1
    return Decimal(repr(value)).as_integer_ratio()


def tenths_to_float(tenths: int) -> float:
    """24.1 rather than 24.099999: the nearest float to the decimal ``tenths / 10``."""
    return tenths / 10


# --- Questionnaires (spec §4) -----------------------------------------------------

Band = tuple[int, str]  # (lowest total of the band, band name)

# PHQ-9, Kroenke, Spitzer & Williams, J Gen Intern Med 2001;16:606-613.
PHQ9_BANDS: Final[tuple[Band, ...]] = (
    (20, "severe"),
    (15, "moderately_severe"),
    (10, "moderate"),
    (5, "mild"),
    (0, "minimal"),
)
# GAD-7, Spitzer et al., Arch Intern Med 2006;166:1092-1097.
GAD7_BANDS: Final[tuple[Band, ...]] = (
    (15, "severe"),
    (10, "moderate"),
    (5, "mild"),
    (0, "minimal"),
)
# DAST-10, Skinner, Addict Behav 1982;7:363-371.
DAST10_BANDS: Final[tuple[Band, ...]] = (
    (9, "severe"),
    (6, "substantial"),
    (3, "moderate"),
    (1, "low"),
    (0, "none"),
)
# DAST-10 item 3 ("Are you always able to stop using drugs when you want to?")
# scores 1 for "no" (Skinner 1982); every other item scores 1 for "yes".
DAST10_REVERSED_ITEM: Final = 3

# AUDIT-C positive screen: >= 4 for men, >= 3 for women (Bush et al., Arch Intern
# Med 1998; Bradley et al., Arch Intern Med 2003). Intersex or unknown sex: >= 3,
# the clinic's policy default (spec §4): the lower, more sensitive cut-off.
AUDITC_CUTOFF_MALE: Final = 4
AUDITC_CUTOFF_DEFAULT: Final = 3


def band_of(total: int, bands: Sequence[Band]) -> str:
    for lowest, name in bands:
        if total >= lowest:
            return name
    raise ValueError(f"total {total} below every band")


def band_table(bands: Sequence[Band], highest: int) -> tuple[str, ...]:
    """The band of every total from 0 to ``highest``, prepared once: ``table[total]``."""
    return tuple(band_of(total, bands) for total in range(highest + 1))


def complete_sum(items: Sequence[int | None]) -> int | None:
    """The total of a fully answered instrument, else None (never prorated)."""
    if None in items:
        return None
    return sum(items)  # type: ignore[arg-type]  # no None left (no runtime cast: it runs for every document)


def partial_sum(items: Sequence[int | None]) -> int:
    """The sum of the answered items only: what the total is at least."""
    return sum(filter(None, items))  # drops the unanswered items (and zeros, which add nothing)


_DAST10_POINTS: Final[dict[str | None, int | None]] = {"yes": 1, "no": 0, None: None}
_DAST10_REVERSED_POINTS: Final[dict[str | None, int | None]] = {"yes": 0, "no": 1, None: None}
# Each item's answer -> point table, prepared once (ten items; item 3 reverse-scored).
_DAST10_ITEM_POINTS: Final = tuple(
    _DAST10_REVERSED_POINTS if number == DAST10_REVERSED_ITEM else _DAST10_POINTS for number in range(1, 11)
)


def dast10_points(items: Sequence[str | None]) -> tuple[int | None, ...]:
    """Each DAST-10 answer (validated: "yes", "no" or None) as its point; None stays None."""
    return tuple(map(dict.__getitem__, _DAST10_ITEM_POINTS, items))


def auditc_cutoff(sex_at_birth: str | int | float | None) -> int:
    return AUDITC_CUTOFF_MALE if sex_at_birth == "male" else AUDITC_CUTOFF_DEFAULT


# --- Blood pressure (spec §5.3) ---------------------------------------------------

# Plausible reading: 70 <= systolic <= 260, 40 <= diastolic <= 160, systolic > diastolic
# (design limits, spec §5.3). All ranges include their ends.
SYSTOLIC_PLAUSIBLE: Final = (70, 260)
DIASTOLIC_PLAUSIBLE: Final = (40, 160)
# What the forms accept as a typed reading: a typo guard, not a clinical threshold, wider than
# plausible so that a real crisis reading is never refused (monitors stop near 300). A
# patient's own reading, and one measured by staff.
PATIENT_SYSTOLIC_ENTRY: Final = (50, 300)
MEASURED_SYSTOLIC_ENTRY: Final = (40, 300)
DIASTOLIC_ENTRY: Final = (20, 200)


# The limits unpacked once: plausible_reading and crisis_value run for every document and
# compare with them directly (no call per value).
_SYSTOLIC_LOW, _SYSTOLIC_HIGH = SYSTOLIC_PLAUSIBLE
_DIASTOLIC_LOW, _DIASTOLIC_HIGH = DIASTOLIC_PLAUSIBLE


def systolic_in_range(value: int) -> bool:
    return _SYSTOLIC_LOW <= value <= _SYSTOLIC_HIGH


def diastolic_in_range(value: int) -> bool:
    return _DIASTOLIC_LOW <= value <= _DIASTOLIC_HIGH


def plausible_reading(systolic: int | None, diastolic: int | None) -> bool:
    return (
        systolic is not None
        and diastolic is not None
        and _SYSTOLIC_LOW <= systolic <= _SYSTOLIC_HIGH
        and _DIASTOLIC_LOW <= diastolic <= _DIASTOLIC_HIGH
        and systolic > diastolic
    )


# ACC/AHA 2017 categories (Whelton et al., Hypertension 2018;71:e13-e115); the
# higher category of the two values decides.
CRISIS_SYSTOLIC_ABOVE: Final = 180
CRISIS_DIASTOLIC_ABOVE: Final = 120


def crisis_value(systolic: int | None, diastolic: int | None) -> bool:
    """BP-01 (spec §5.3): either value, inside its own plausible range, above its crisis
    limit, whatever the other value is: missing, implausible or fine. So a crisis value
    alerts even in a reading that BP-08 calls implausible (safety first, spec §1.3)."""
    systolic_plausible = systolic is not None and _SYSTOLIC_LOW <= systolic <= _SYSTOLIC_HIGH
    return (systolic_plausible and systolic > CRISIS_SYSTOLIC_ABOVE) or (  # type: ignore[operator]
        diastolic is not None
        and _DIASTOLIC_LOW <= diastolic <= _DIASTOLIC_HIGH
        and diastolic > CRISIS_DIASTOLIC_ABOVE
    )


def bp_category(systolic: int, diastolic: int) -> str:
    """ACC/AHA 2017 category of a plausible reading."""
    if systolic > CRISIS_SYSTOLIC_ABOVE or diastolic > CRISIS_DIASTOLIC_ABOVE:
        return "crisis"
    if systolic >= 140 or diastolic >= 90:
        return "stage_2"
    if systolic >= 130 or diastolic >= 80:
        return "stage_1"
    if systolic >= 120:
        return "elevated"  # 120-129 and diastolic < 80
    return "normal"
