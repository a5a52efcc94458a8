"""Static checks and compilation (compiler.py).

Most checks are driven by files: every folder in ``tests/data/compiler/`` is a small
catalogue (with the shared ``_defs.yaml``), and ``<folder>.expected`` holds the exact
``file:line:col: severity[code]: message`` lines ``check_catalogue`` must print.
Adding a case means adding a folder and its ``.expected`` file.
"""

from __future__ import annotations

import ast
import importlib.util
import re
from pathlib import Path

import pytest

from approval_rules.compiler import (
    CODES,
    check_catalogue,
    check_matter,
    compile_catalogue,
    compile_matter,
)
from approval_rules.errors import DefinitionError, Severity
from approval_rules.graph import Process
from approval_rules.loader import Catalogue, load_catalogue, load_catalogue_text

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "data" / "compiler"
DOCS = ROOT / "docs" / "issue-codes.md"
PACKAGE = ROOT / "src" / "approval_rules"
#: The compiler and the check modules it runs (checks_*.py): where compiler codes live.
SOURCES = [PACKAGE / "compiler.py", *sorted(PACKAGE.glob("checks_*.py"))]


def _case_files(case: Path) -> dict[str, str]:
    files = {"_defs.yaml": (CASES / "_defs.yaml").read_text(encoding="utf-8")}
    for file in sorted(case.glob("*.yaml")):
        files[f"{case.name}/{file.name}"] = file.read_text(encoding="utf-8")
    return files


def _load_case(name: str) -> Catalogue:
    return load_catalogue_text(_case_files(CASES / name))


ALL_CASES = sorted(p.name for p in CASES.iterdir() if p.is_dir())


@pytest.mark.parametrize("name", ALL_CASES)
def test_case(name: str) -> None:
    """check_catalogue prints exactly the expected lines for every case folder."""
    expected = (CASES / f"{name}.expected").read_text(encoding="utf-8").splitlines()
    actual = [str(issue) for issue in check_catalogue(_load_case(name))]
    assert actual == expected


def test_every_code_has_a_case() -> None:
    """Each code the compiler can emit appears in at least one expected file."""
    seen: set[str] = set()
    for file in CASES.glob("*.expected"):
        seen.update(re.findall(r"\[([a-z0-9-]+)\]: ", file.read_text(encoding="utf-8")))
    assert set(CODES) - seen == set()


def _code_literals() -> set[str]:
    """Every kebab-case string literal in compiler.py and checks_*.py: the codes they emit."""
    found: set[str] = set()
    for source in SOURCES:
        tree = ast.parse(source.read_text(encoding="utf-8"))
        found |= {
            node.value
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and re.fullmatch(r"[a-z]+(?:-[a-z0-9]+)+", node.value)
        }
    return found


def test_every_code_literal_is_registered() -> None:
    """Every code literal of the compiler and its checks is in CODES, and every entry is used."""
    assert _code_literals() == set(CODES)


def _compiler_docs() -> str:
    text = DOCS.read_text(encoding="utf-8")
    start = text.index("\n## Compiler")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


@pytest.mark.parametrize("code", sorted(CODES))
def test_every_code_is_documented(code: str) -> None:
    """docs/issue-codes.md has an entry per code with its severity, a bad and a good example."""
    section = _compiler_docs()
    match = re.search(rf"\n### `{re.escape(code)}`\n(.*?)(?=\n### |\Z)", section, re.S)
    assert match, f"no entry for {code} under '## Compiler' in docs/issue-codes.md"
    entry = match.group(1)
    severity = CODES[code][0].value
    assert f"**{severity}**" in entry
    assert entry.count("```yaml") >= 2, f"{code}: needs a bad and a good YAML example"
    assert "# bad" in entry
    assert "# good" in entry


# --- compile_matter / compile_catalogue ------------------------------------------------


def test_compile_matter_raises_every_error_of_the_matter() -> None:
    """All errors come at once, sorted by position; warnings are left out."""
    catalogue = _load_case("missing_after")
    with pytest.raises(DefinitionError) as info:
        compile_matter(catalogue.matters["m"], catalogue)
    codes = [i.code for i in info.value.issues]
    assert codes == ["multiple-starts", "decision-bypasses-acceptance", "join-without-split"]
    assert all(i.severity is Severity.ERROR for i in info.value.issues)
    assert info.value.issues[0].span is not None
    assert info.value.issues[0].path == ("steps", 2, "id")


def test_warnings_do_not_stop_compilation() -> None:
    """A matter with only warnings compiles; check_matter still lists the warnings."""
    catalogue = _load_case("signers")
    process = compile_matter(catalogue.matters["m"], catalogue)
    assert process.start == "accept"
    warnings = check_matter(catalogue.matters["m"], catalogue)
    assert {i.code for i in warnings} == {"no-backup", "sole-signer-consecutive"}
    assert not any(i.is_error for i in warnings)


def test_compile_catalogue_reports_errors_of_all_matters_and_prerequisite_cycles() -> None:
    """One DefinitionError carries every matter's errors and the catalogue-wide ones."""
    files = _case_files(CASES / "prerequisite_cycle")
    files |= {f"x/{k}": v for k, v in _case_files(CASES / "dead_end").items() if "m.yaml" in k}
    catalogue = load_catalogue_text(files)
    with pytest.raises(DefinitionError) as info:
        compile_catalogue(catalogue)
    assert sorted(i.code for i in info.value.issues) == ["no-path-to-end", "prerequisite-cycle"]


def test_catalogue_compile_caches_by_content_hash() -> None:
    """Compiling again returns the very same Process objects."""
    catalogue = _load_case("clean")
    first = catalogue.compile()
    second = catalogue.compile()
    assert first["m"] is second["m"]
    assert isinstance(first["m"], Process)
    assert compile_matter(catalogue.matters["m"], catalogue) == first["m"]


def test_cache_is_not_reused_when_the_signers_changed() -> None:
    """A cached process is only reused when the same people still sign each step."""
    files = _case_files(CASES / "clean")
    cache: dict[str, Process] = {}
    before = compile_catalogue(load_catalogue_text(files), cache=cache)["m"]
    files["_defs.yaml"] = (
        files["_defs.yaml"]
        .replace(
            "{id: zhao, name: 赵磊, department: xfj, backup: li}",
            "{id: zhao, name: 赵磊, department: xfj, roles: [window], backup: li}",
        )
        .replace("name: 李强", "name: 李强强")
    )
    after = compile_catalogue(load_catalogue_text(files), cache=cache)["m"]
    assert before.content_hash == after.content_hash
    assert after is not before
    assert after.person("li").name == "李强强"
    assert cache[after.content_hash] is after


def test_check_catalogue_on_a_clean_catalogue_is_empty() -> None:
    """A sound matter gives no issue at all."""
    assert check_catalogue(_load_case("clean")) == []


def test_bundled_matters_compile_without_errors() -> None:
    """Every matter in the top-level matters/ folder compiles with no errors."""
    folder = ROOT / "matters"
    if not any(folder.glob("*.yaml")):
        pytest.skip("no bundled matters yet")
    catalogue = load_catalogue(folder)
    errors = [str(i) for i in check_catalogue(catalogue) if i.is_error]
    assert errors == []
    processes = catalogue.compile()
    assert set(processes) == set(catalogue.matters)
    for process in processes.values():
        assert process.critical_length <= process.promised_days


def test_benchmark_catalogue_generator_gives_sound_matters() -> None:
    """benchmarks/_catalogue_gen.py makes ~20-step matters that compile without errors."""
    spec = importlib.util.spec_from_file_location(
        "_catalogue_gen", ROOT / "benchmarks" / "_catalogue_gen.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    files = module.generate_catalogue(12, seed=3)
    assert files == module.generate_catalogue(12, seed=3)  # deterministic
    catalogue = load_catalogue_text(files)
    assert len(catalogue.departments) == 42
    assert not [i for i in check_catalogue(catalogue) if i.is_error]
    processes = catalogue.compile()
    assert all(len(p.splits()) >= 2 for p in processes.values())  # parallel sections
    assert 15 <= sum(len(m.steps) for m in catalogue.matters.values()) / 12 <= 25
