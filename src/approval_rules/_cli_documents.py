"""The ``--documents`` options of ``approval-rules run``: write each case's official documents.

``run`` takes the options with :func:`document_options` and, after playing the scenarios,
hands its results to :func:`write_results`.  The documents are made by
:mod:`approval_rules.documents` (loaded only when asked for: Jinja2 stays out of a plain
``run``); this module parses options and reports on stderr, so ``run``'s JSON on stdout
is unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from .catalogue import Catalogue
    from .scenario import ScenarioResult

__all__ = ["document_options", "write_results"]

F = TypeVar("F", bound=Callable[..., Any])

_documents = click.option(
    "--documents",
    "documents_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write the official documents (文书) of each case into this folder "
    "(one sub-folder per case when several scenarios run).",
)
_templates = click.option(
    "--templates",
    "templates",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Folder of templates that replace the bundled ones of the same name, "
    "e.g. documents/acceptance_notice.html (docs/documents.md).",
)
_pdf = click.option(
    "--pdf", is_flag=True, help="Also print each document to PDF with the system Chromium."
)


def document_options(command: F) -> F:
    """Add ``--documents``, ``--templates`` and ``--pdf`` to a command."""
    return _documents(_templates(_pdf(command)))


def write_results(
    results: Sequence[ScenarioResult],
    catalogue: Catalogue,
    out: Path | None,
    *,
    templates: Path | None,
    pdf: bool,
    several: bool,
) -> None:
    """Write the documents of every result's case under ``out`` (nothing when ``None``):
    in a sub-folder per case when ``several`` scenarios ran.

    Raises:
        click.UsageError: ``--templates`` or ``--pdf`` without ``--documents``.
        PublicationError: a template is broken, the folder cannot be written, or
            Chromium failed (reported by the command group, exit 1).
    """
    if out is None:
        if templates is not None or pdf:
            raise click.UsageError("--templates and --pdf go with --documents DIR")
        return
    from .documents import case_documents, write_documents

    for result in results:
        case = result.case
        if case is None:
            continue
        folder = out / case.id if several else out
        documents = case_documents(case, catalogue)
        written = write_documents(documents, folder, templates=templates, pdf=pdf)
        click.echo(f"{case.id}：已生成{len(documents)}份文书，写入 {folder}", err=True)
        for name in written:
            click.echo(f"  {name}", err=True)
