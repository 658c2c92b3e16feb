"""Medication names: normalising and matching against the catalogue (spec §5.7).

The catalogue is the versioned data file ``data/medications.json``. Names are
matched exactly after normalising, never by similarity: a fuzzy match may be
suggested to staff elsewhere, never applied here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Final

CATALOGUE_PATH: Final = Path(__file__).with_name("data") / "medications.json"

# Interaction classes of spec §5.7 and the rule each one feeds.
MAOI: Final = "maoi"  # DDI-01
PSYCHOSTIMULANT: Final = "psychostimulant"  # DDI-02
CNS_DEPRESSANT: Final = "cns_depressant"  # DDI-03
LAMOTRIGINE: Final = "lamotrigine"  # DDI-05
SYMPATHOMIMETIC: Final = "sympathomimetic"  # DDI-07
CYP_MODULATOR: Final = "cyp3a4_2b6_modulator"  # DDI-08
THEOPHYLLINE: Final = "theophylline"  # CI-08
DRUG_CLASSES: Final = frozenset(
    {MAOI, PSYCHOSTIMULANT, CNS_DEPRESSANT, LAMOTRIGINE, SYMPATHOMIMETIC, CYP_MODULATOR, THEOPHYLLINE}
)

# Spec §5.7: a word after the first that starts with a digit or is one of these ends
# the name. Units (the micro sign U+00B5 as written in the spec, and the Greek mu
# U+03BC that keyboards often give for it), forms, release words, salts, frequencies.
UNIT_WORDS: Final = frozenset({"mg", "mcg", "\u00b5g", "\u03bcg", "g", "ml", "iu", "units"})
FORM_WORDS: Final = frozenset(
    {
        "tablet", "tablets", "tab", "tabs", "capsule", "capsules", "cap", "caps", "patch", "spray",
        "solution", "liquid", "oral", "injection", "odt", "chewable",
    }
)  # fmt: skip
RELEASE_WORDS: Final = frozenset({"er", "xr", "sr", "xl", "cr", "ir", "dr", "la", "extended", "delayed", "release"})
SALT_WORDS: Final = frozenset(
    {
        "hcl", "hydrochloride", "sodium", "potassium", "succinate", "tartrate", "bitartrate",
        "besylate", "maleate", "citrate", "sulfate", "mesylate", "fumarate",
    }
)  # fmt: skip
FREQUENCY_WORDS: Final = frozenset(
    {"daily", "once", "twice", "bid", "tid", "qid", "qd", "qhs", "prn", "nightly", "weekly"}
)
STOP_WORDS: Final = UNIT_WORDS | FORM_WORDS | RELEASE_WORDS | SALT_WORDS | FREQUENCY_WORDS

_DIGITS: Final = frozenset("0123456789")
_OPENING: Final = frozenset("([")
_CLOSING: Final = frozenset(")]")


def _drop_bracketed(text: str) -> str:
    """Remove text in round or square brackets (nested too); a bracket becomes a space."""
    if "(" not in text and "[" not in text and ")" not in text and "]" not in text:
        return text
    kept: list[str] = []
    depth = 0
    for char in text:
        if char in _OPENING:
            depth += 1
            kept.append(" ")
        elif char in _CLOSING:
            depth = max(depth - 1, 0)  # a stray closing bracket is just dropped
            kept.append(" ")
        elif depth == 0:
            kept.append(char)
    return "".join(kept)


def _normalise_piece(piece: str) -> list[str]:
    words = _drop_bracketed(piece.lower()).replace(",", " ").split()
    if not words:
        return []
    kept = [words[0]]  # the first word is always kept ("sodium oxybate")
    for word in words[1:]:
        if word[0] in _DIGITS or word in STOP_WORDS:
            break
        kept.append(word)
    parts = (part.strip() for part in " ".join(kept).split("/"))
    return [part for part in parts if part]


@lru_cache(maxsize=8192)
def normalise_name(name: str) -> tuple[str, ...]:
    """The parts of a medication name, normalised as in spec §5.7.

    >>> normalise_name("amlodipine 5 mg + tramadol 50 mg")
    ('amlodipine', 'tramadol')
    """
    parts: list[str] = []
    for piece in name.split("+"):
        parts.extend(_normalise_piece(piece))
    return tuple(parts)


@dataclass(frozen=True, slots=True)
class Catalogue:
    version: str
    classes: dict[str, str | None]  # normalised name -> drug class, None = known, no class
    generics: dict[str, tuple[str, str | None]]  # normalised name -> (generic, group within the class)
    class_labels: dict[str, str]  # drug class -> its label, for flag messages

    def drug_class(self, part: str) -> tuple[str | None, bool]:
        """(class, known) of one normalised part."""
        if part in self.classes:
            return self.classes[part], True
        return None, False


def load_catalogue(path: Path = CATALOGUE_PATH) -> Catalogue:
    """Read and check the catalogue file; every name must already be normalised."""
    data = json.loads(path.read_text(encoding="utf-8"))
    names: dict[str, str | None] = {}
    generics: dict[str, tuple[str, str | None]] = {}
    for entry in data["drugs"]:
        drug_class = entry["class"]
        if drug_class is not None and drug_class not in DRUG_CLASSES:
            raise ValueError(f"{path}: unknown class {drug_class!r}")
        if not entry.get("source"):
            raise ValueError(f"{path}: entry {entry['generic']!r} has no source")
        for name in entry["names"]:
            if normalise_name(name) != (name,):
                raise ValueError(f"{path}: {name!r} is not a normalised name")
            if names.get(name, drug_class) != drug_class:
                raise ValueError(f"{path}: {name!r} is in two classes")
            names[name] = drug_class
            generics[name] = (entry["generic"], entry.get("group"))
    labels = {key: str(value["label"]) for key, value in data["classes"].items()}
    if set(labels) != DRUG_CLASSES:
        raise ValueError(f"{path}: the classes section must label exactly {sorted(DRUG_CLASSES)}")
    return Catalogue(version=data["version"], classes=names, generics=generics, class_labels=labels)


CATALOGUE: Final = load_catalogue()
CATALOGUE_VERSION: Final = CATALOGUE.version


Match = tuple[str, str | None, bool]  # (part, class, known)


@lru_cache(maxsize=8192)
def match_parts(name: str) -> tuple[Match, ...]:
    """Cached matching for the rules; see match_medication."""
    return tuple((part, *CATALOGUE.drug_class(part)) for part in normalise_name(name))


@lru_cache(maxsize=8192)
def describe_match(name: str, drug_class: str) -> str:
    """How a listed medicine matched a class, for a flag message.

    ``"tramadol 50 mg"`` -> ``"tramadol 50 mg — CNS depressant (opioid)"``; a brand or a
    combination also names the generic that matched: ``"Xanax 1mg — CNS depressant
    (benzodiazepine: alprazolam)"``.
    """
    details: list[str] = []
    for part, part_class, _known in match_parts(name):
        if part_class != drug_class:
            continue
        generic, group = CATALOGUE.generics[part]
        shown = [group] if group else []
        if generic != CATALOGUE.class_labels[drug_class] and (generic != part or len(normalise_name(name)) > 1):
            shown.append(generic)
        detail = ": ".join(shown)
        if detail and detail not in details:
            details.append(detail)
    label = CATALOGUE.class_labels[drug_class]
    return f"{name} \u2014 {label}" + (f" ({'; '.join(details)})" if details else "")


def match_medication(name: str) -> list[Match]:
    """Each normalised part of ``name`` with its class and whether the catalogue knows it.

    A name whose normalisation leaves nothing (``"(unlabelled)"``) gives an empty list:
    it matches nothing, so DDI-09 lists it for reconciliation.
    """
    return list(match_parts(name))
