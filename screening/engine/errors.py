"""The one error type of the engine: an invalid facts document (spec §3, §7)."""

from __future__ import annotations


class FactsError(ValueError):
    """A facts document (or its JSON text) is invalid.

    ``path`` names the field, dotted as in spec §3 (``vitals.bp_systolic``); list
    positions inside a document are numbered from 1 as on the forms
    (``instruments.phq9[9]``, ``medications[2].name``) and a document of a batch is
    named by its 0-based index (``[3].vitals.bp_systolic``). ``path`` is empty when
    the error concerns the text or the whole value. ``str()`` gives one line,
    ``"path: message"``.
    """

    def __init__(self, path: str, message: str) -> None:
        super().__init__(path, message)
        self.path = path
        self.message = message

    def __str__(self) -> str:
        text = f"{self.path}: {self.message}" if self.path else self.message
        # One line, always: a key or a value quoted into a message may hold a newline.
        return text.replace("\r", "\\r").replace("\n", "\\n")

    def in_batch(self, index: int) -> FactsError:
        """The same error, named as document ``index`` (0-based) of a list."""
        prefix = f"[{index}]"
        if not self.path:
            return FactsError(prefix, self.message)
        separator = "" if self.path.startswith("[") else "."
        return FactsError(f"{prefix}{separator}{self.path}", self.message)


def key_segment(key: str) -> str:
    """A dictionary key as a path segment; odd keys are quoted so a path stays readable."""
    if key and key.isascii() and key.replace("_", "a").isalnum():
        return key
    return '"' + key.replace("\\", "\\\\").replace('"', '\\"') + '"'


def join_path(parent: str, key: str) -> str:
    """``parent.key`` (or just ``key`` at the top)."""
    segment = key_segment(key)
    return f"{parent}.{segment}" if parent else segment
