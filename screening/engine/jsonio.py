"""Strict JSON reading (spec §3 "Validation, precisely": RFC 8259).

Python's ``json`` module is lenient in two ways the spec forbids: it accepts
``NaN``/``Infinity``/``-Infinity`` and it keeps the last of duplicate keys. Both
are errors here. A number written with a fraction or an exponent (``2.0``,
``12e1``) is read as a float, so an ``int`` field rejects it later, in validation.
"""

from __future__ import annotations

import json
from typing import NoReturn

from .errors import FactsError, join_path


def _reject_constant(name: str) -> NoReturn:
    raise FactsError("", f"invalid JSON: {name} is not allowed (RFC 8259)")


def _path_to(root: object, target: object, path: str, depth: int) -> str | None:
    """Path of the object ``target`` (by identity) inside ``root``."""
    if root is target:
        return path
    if isinstance(root, dict):
        for key, value in root.items():
            found = _path_to(value, target, join_path(path, key), depth + 1)
            if found is not None:
                return found
    elif isinstance(root, list):
        # A top-level list is a batch of documents: 0-based, as in FactsError.in_batch.
        # Lists inside a document are numbered from 1, as on the forms (spec §6).
        base = 0 if depth == 0 else 1
        for position, value in enumerate(root, start=base):
            found = _path_to(value, target, f"{path}[{position}]", depth + 1)
            if found is not None:
                return found
    return None


def parse_json(text: str | bytes | bytearray) -> object:
    """Parse strict JSON text (bytes must be UTF-8). Raises FactsError when it is not."""
    if isinstance(text, (bytes, bytearray)):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError as error:
            raise FactsError("", f"invalid JSON: not UTF-8 ({error.reason} at byte {error.start})") from None

    duplicates: list[tuple[dict[str, object], str]] = []

    def pairs_hook(pairs: list[tuple[str, object]]) -> dict[str, object]:
        obj = dict(pairs)
        if len(obj) != len(pairs):
            seen: set[str] = set()
            for key, _ in pairs:
                if key in seen:
                    duplicates.append((obj, key))
                    break
                seen.add(key)
        return obj

    try:
        value: object = json.loads(text, object_pairs_hook=pairs_hook, parse_constant=_reject_constant)
    except FactsError:
        raise
    except RecursionError:
        raise FactsError("", "invalid JSON: nested too deeply") from None
    except ValueError as error:  # json.JSONDecodeError, or an integer too long to convert
        raise FactsError("", f"invalid JSON: {error}") from None
    if duplicates:
        obj, key = duplicates[0]
        parent = _path_to(value, obj, "", 0) or ""
        raise FactsError(join_path(parent, key), "duplicate key")
    return value
