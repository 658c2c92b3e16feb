"""The screening engine of clinic-intake: rule set 2026.1 (SCREENING_SPEC.md).

Pure Python: it reads only the facts document given to it. No Django, no clock
(the reference date is the document's ``assessment_date``), no database, no
settings, no network. The medication catalogue is the data file
``data/medications.json``, read once at import.

It supports a clinician's decision; it never admits or refuses a patient. The best
outcome is NO_FLAGS_RAISED: "no automated flags - clinician review required".
"""

from .errors import FactsError
from .evaluate import screen, screen_facts, screen_many
from .facts import Facts, validate_facts
from .jsonio import parse_json
from .levels import (
    FACTS_SCHEMA,
    LEVELS,
    NO_FLAGS_RAISED,
    RESULT_SCHEMA,
    RULESET_VERSION,
    level_rank,
)
from .medications import CATALOGUE_VERSION, match_medication, normalise_name

__all__ = [
    "CATALOGUE_VERSION",
    "FACTS_SCHEMA",
    "LEVELS",
    "NO_FLAGS_RAISED",
    "RESULT_SCHEMA",
    "RULESET_VERSION",
    "Facts",
    "FactsError",
    "level_rank",
    "match_medication",
    "normalise_name",
    "parse_json",
    "screen",
    "screen_facts",
    "screen_many",
    "validate_facts",
]
