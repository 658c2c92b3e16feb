"""Plain-text hygiene for names people type.

Unicode's bidirectional controls (the embeddings, overrides and isolates, and the invisible
direction marks) let a name display in a different order from the one stored: a name such
as ``"Alice \\u202egnp.exe"`` reads backwards on a clinician's screen, and can make one
patient's name look like another's. A name never needs them, so they are removed wherever a
name is taken in (the account, the intake's medicine names, the consent signature).
"""

from __future__ import annotations

# U+061C ARABIC LETTER MARK, U+200E/U+200F LEFT-TO-RIGHT/RIGHT-TO-LEFT MARK,
# U+202A–U+202E embeddings and overrides, U+2066–U+2069 isolates.
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_REMOVE = dict.fromkeys(map(ord, BIDI_CONTROLS))


def strip_bidi(text: str) -> str:
    """``text`` without bidirectional control characters."""
    return text.translate(_REMOVE)


def clean_name(text: str) -> str:
    """A typed name: no bidirectional controls, whitespace runs made one space, trimmed."""
    return " ".join(strip_bidi(text).split())
