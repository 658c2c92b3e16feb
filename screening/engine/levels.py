"""Versions, levels and their order (SCREENING_SPEC.md §2 and §6)."""

from __future__ import annotations

from typing import Final

RULESET_VERSION: Final = "2026.1"
FACTS_SCHEMA: Final = "intake-facts/1"
RESULT_SCHEMA: Final = "screening-result/1"

URGENT_SAFETY: Final = "URGENT_SAFETY"
URGENT_MEDICAL: Final = "URGENT_MEDICAL"
SAFETY_REVIEW: Final = "SAFETY_REVIEW"
EXCLUDE_PENDING_REVIEW: Final = "EXCLUDE_PENDING_REVIEW"
INCOMPLETE: Final = "INCOMPLETE"
CAUTION: Final = "CAUTION"
INFO: Final = "INFO"

#: The outcome when no flag, or only INFO flags, were raised. Staff see it as
#: "no automated flags - clinician review required" (spec §1.1): never "eligible".
NO_FLAGS_RAISED: Final = "NO_FLAGS_RAISED"

#: Highest first (spec §2).
LEVELS: Final[tuple[str, ...]] = (
    URGENT_SAFETY,
    URGENT_MEDICAL,
    SAFETY_REVIEW,
    EXCLUDE_PENDING_REVIEW,
    INCOMPLETE,
    CAUTION,
    INFO,
)

_RANKS: Final[dict[str, int]] = {level: len(LEVELS) - position for position, level in enumerate(LEVELS)}
_RANKS[NO_FLAGS_RAISED] = 0


def level_rank(level: str) -> int:
    """Severity of a level or outcome: higher is more severe; NO_FLAGS_RAISED is 0.

    Raises ValueError for a string that is neither a level nor NO_FLAGS_RAISED.
    """
    try:
        return _RANKS[level]
    except KeyError:
        raise ValueError(f"unknown level {level!r}") from None
