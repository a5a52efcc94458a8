"""File types (extensions) of electronic materials, normalised in one place.

A policy officer declares ``file_types: [jpg]`` and an applicant uploads ``扫描件.JPEG``:
both mean the same type.  :func:`normalise_file_type` is the one rule that says so; the
model applies it to every declared type, and the engine's intake applies it to every
uploaded file before comparing.

This module imports only the standard library.
"""

from __future__ import annotations

import types
from collections.abc import Mapping
from typing import Final

__all__ = ["FILE_TYPE_ALIASES", "normalise_file_type"]

#: Other spellings of one file type → the spelling the catalogue uses.
FILE_TYPE_ALIASES: Final[Mapping[str, str]] = types.MappingProxyType(
    {
        "jpeg": "jpg",
        "jpe": "jpg",
        "jfif": "jpg",
        "tif": "tiff",
        "htm": "html",
    }
)


def normalise_file_type(text: str) -> str:
    """A file type as the catalogue writes it: lower case, no dot, one spelling.

    Examples: ``"JPEG"`` → ``"jpg"``, ``".tif"`` → ``"tiff"``, ``"pdf"`` → ``"pdf"``.
    """
    kind = text.strip().lower().lstrip(".")
    return FILE_TYPE_ALIASES.get(kind, kind)
