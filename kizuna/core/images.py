"""Uploaded images checked by what they contain, not by their name.

A file called logo.png may be HTML, SVG with script, or a decompression bomb; Pillow reads
the header and verifies the data, and only the formats browsers show safely pass.
"""

import io
import warnings
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = {"PNG": "png", "JPEG": "jpeg", "WEBP": "webp"}
# A logo never needs more; Pillow's own bomb limit (89 million pixels) is far above it.
MAX_PIXELS = 25_000_000


def validate_image(value: Any) -> None:
    """Raise a ValidationError (code `not_an_image`) unless `value` is a PNG, JPEG or WebP.

    Files already stored are not read again: they were checked when they were uploaded.
    """
    if not value or getattr(value, "_committed", False):
        return
    stream = getattr(value, "file", value)
    position = stream.tell() if hasattr(stream, "tell") else 0
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(stream) as image:
                image_format = image.format
                too_large = image.width * image.height > MAX_PIXELS
                image.verify()
    except (
        UnidentifiedImageError,  # not an image at all
        Image.DecompressionBombWarning,
        Image.DecompressionBombError,
        OSError,  # truncated or corrupt data
        SyntaxError,  # what verify() raises for a broken PNG
        ValueError,
    ):
        raise _not_an_image() from None
    finally:
        stream.seek(position)
    if image_format not in ALLOWED_FORMATS:
        raise _not_an_image()
    if too_large:
        raise ValidationError(
            _("This image is too large (more than %(pixels)s pixels).")
            % {"pixels": f"{MAX_PIXELS:,}"},
            code="image_too_large",
        )


def _not_an_image() -> ValidationError:
    return ValidationError(
        _("This file is not an image Kizuna can show: upload a PNG, JPEG or WebP."),
        code="not_an_image",
    )


def reencoded(value: Any, *, max_side: int, stem: str) -> ContentFile:
    """A checked upload drawn again as a WebP of at most `max_side` pixels a side.

    What is served is then pixels Pillow drew itself: no metadata (a phone's screenshot
    carries its GPS position in EXIF), nothing hidden after the image data, and a size a
    results page can load twenty of. Call validate_image first.
    """
    stream = getattr(value, "file", value)
    stream.seek(0)
    with Image.open(stream) as image:
        drawn = ImageOps.exif_transpose(image)
        drawn = drawn.convert("RGBA" if _has_alpha(drawn) else "RGB")
        drawn.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    drawn.save(buffer, format="WEBP", quality=88, method=4)
    return ContentFile(buffer.getvalue(), name=f"{stem}.webp")


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
