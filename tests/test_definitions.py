"""Data-driven definition cases: adding a regression test is adding files.

``tests/data/invalid/<case>/`` is a small catalogue (one or more ``.yaml`` files) and
``tests/data/invalid/<case>.expected`` holds the exact lines ``approval-rules check``
prints for it (file names relative to the case folder), without the summary line.
A single-file case may also be ``<case>.yaml`` beside ``<case>.expected``.
``tests/data/valid/<case>/`` must load and compile with no issue at all, unless a
``<case>.expected`` beside it lists the warnings it is expected to produce.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from approval_rules.compiler import check_catalogue, root_causes_first
from approval_rules.errors import DefinitionError, Issue, format_issue
from approval_rules.loader import load_catalogue

DATA = Path(__file__).parent / "data"


def _cases(kind: str) -> list[Path]:
    folder = DATA / kind
    cases = [p for p in folder.iterdir() if p.is_dir()]
    cases += list(folder.glob("*.yaml"))
    return sorted(cases)


def _check(case: Path) -> list[str]:
    root = case if case.is_dir() else case.parent
    try:
        catalogue = load_catalogue(case, root=str(root))
    except DefinitionError as err:
        issues: list[Issue] = list(err.issues)
    else:
        issues = root_causes_first([*catalogue.issues, *check_catalogue(catalogue)])
    return [format_issue(i) for i in issues]


def _expected(case: Path) -> list[str]:
    path = case.with_suffix(".expected") if case.is_file() else Path(f"{case}.expected")
    if not path.exists():
        return []
    return [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.parametrize("case", _cases("invalid"), ids=lambda p: p.stem)
def test_invalid(case: Path) -> None:
    """Each broken catalogue produces exactly the expected issue lines."""
    expected = _expected(case)
    assert expected, f"{case.name} has no .expected file"
    assert _check(case) == expected


@pytest.mark.parametrize("case", _cases("valid"), ids=lambda p: p.stem)
def test_valid(case: Path) -> None:
    """Each valid catalogue loads and compiles with only its expected warnings."""
    lines = _check(case)
    assert all(" warning[" in line for line in lines), lines
    assert lines == _expected(case)


def test_enough_cases() -> None:
    """The corpus stays large enough to mean something (issue #2 asks for 40+)."""
    assert len(_cases("invalid")) >= 40
