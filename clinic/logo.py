"""The clinic's optional logo (issue 12): what is accepted, and where it is read from.

A PNG, JPEG or WebP image of at most ``MAX_BYTES``, checked by its content, never by its name
or the browser's word for its type: decoded with Pillow when it is installed, else recognised
by its first bytes. SVG is refused: an SVG file is a document that can carry scripts and links,
which would run with the site's own authority. The logo is kept in the database (the admin's
upload) or named by ``CLINIC_LOGO_FILE`` (the environment), so no media server is needed; a
small view serves it with its content type under a versioned, cacheable address.
"""

from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError

logger = logging.getLogger(__name__)

MAX_BYTES = 512 * 1024
MAX_SIDE = 4000  # pixels: a header logo is far smaller; this bounds the decoder's work
# The accepted formats and the content type each is served with.
CONTENT_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}
ACCEPT = ",".join(CONTENT_TYPES.values())  # the file picker's hint; the content decides
MAGIC = {
    "PNG": (b"\x89PNG\r\n\x1a\n",),
    "JPEG": (b"\xff\xd8\xff",),
}

WRONG_KIND = "Upload a PNG, JPEG or WebP image: this file is not one (whatever its name says)."
SVG_REFUSED = (
    "SVG logos are not accepted: an SVG file can carry scripts that would run in patients' browsers. "
    "Upload a PNG, JPEG or WebP image instead."
)


@dataclass(frozen=True)
class Logo:
    data: bytes
    content_type: str

    @property
    def version(self) -> str:
        """A short hash of the image: part of its address, so a new logo gets a new one."""
        return hashlib.sha256(self.data).hexdigest()[:16]


def _looks_like_svg(data: bytes) -> bool:
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<?xml", b"<svg", b"<!doctype svg")) or b"<svg" in head


def _format_by_magic(data: bytes) -> str | None:
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return next((name for name, starts in MAGIC.items() if data.startswith(starts)), None)


def _format_by_pillow(data: bytes) -> str | None:
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format
            width, height = image.size
            image.verify()  # reads the whole file: a truncated or corrupt image is refused
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None
    if kind in CONTENT_TYPES and (width > MAX_SIDE or height > MAX_SIDE):
        raise ValidationError(
            f"This image is {width}×{height} pixels: a logo may be at most {MAX_SIDE} pixels on a side.",
            code="too_large",
        )
    return kind


def _pillow_installed() -> bool:
    try:
        import PIL  # noqa: F401
    except ImportError:
        return False
    return True


def validate_logo(data: bytes) -> Logo:
    """The logo ``data`` is, or a ValidationError saying what is wrong in the admin's words."""
    if not data:
        raise ValidationError("The file is empty.", code="empty")
    if len(data) > MAX_BYTES:
        raise ValidationError(
            f"The file is {len(data) // 1024} KB: a logo may be at most {MAX_BYTES // 1024} KB.", code="too_big"
        )
    if _looks_like_svg(data):
        raise ValidationError(SVG_REFUSED, code="svg")
    kind = _format_by_pillow(data) if _pillow_installed() else _format_by_magic(data)
    if kind not in CONTENT_TYPES:
        raise ValidationError(WRONG_KIND, code="wrong_kind")
    return Logo(data=data, content_type=CONTENT_TYPES[kind])


@lru_cache(maxsize=4)
def _environment_logo(path: str) -> Logo | None:
    try:
        return validate_logo(Path(path).read_bytes())
    except (OSError, ValidationError) as problem:
        # The path is the operator's, not a patient's: safe to log.
        logger.error("CLINIC_LOGO_FILE=%s is not used: %s", path, problem)
        return None


def environment_logo() -> Logo | None:
    """The logo named by ``CLINIC_LOGO_FILE``, read and checked once per process."""
    path = getattr(settings, "CLINIC_LOGO_FILE", "")
    return _environment_logo(path) if path else None
