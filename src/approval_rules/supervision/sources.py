"""Where cases come from for supervision: a folder of case files or a case store.

A folder holds one :meth:`Case.to_json() <approval_rules.engine.Case.to_json>` file per
case (``*.json``, read in name order, subfolders included).  Cases are read one at a
time, so a sweep or a report holds one case in memory at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ..engine import Case
from ..errors import CaseDataError

__all__ = ["case_files", "read_cases"]


def case_files(folder: Path) -> list[Path]:
    """The case files of a folder, in name order (or the file itself)."""
    if folder.is_file():
        return [folder]
    if not folder.is_dir():
        raise CaseDataError(f"{folder}: no such folder of case files")
    return sorted(folder.rglob("*.json"))


def read_cases(files: list[Path]) -> Iterator[Case]:
    """The cases of the files, one at a time.

    Raises:
        CaseDataError: a file that cannot be read or is not a case, naming it.
    """
    for file in files:
        try:
            text = file.read_bytes()
        except OSError as err:
            raise CaseDataError(f"{file}: cannot be read: {err.strerror or err}") from None
        try:
            yield Case.from_json(text)
        except CaseDataError as err:
            raise CaseDataError(f"{file}: {err}") from None
        except ValueError as err:  # malformed JSON
            raise CaseDataError(f"{file}: not a case file: {err}") from None
