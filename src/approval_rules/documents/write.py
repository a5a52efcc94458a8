"""Documents as pages and PDFs: rendered from templates, printed by the system Chromium.

Templates are the publication's (``publication/templates/documents/<kind>.html``); a
county's folder given as ``templates`` replaces any of them, or the shared
``documents/base.html`` and ``style.css``, without code.  PDFs are printed by the
distribution's Chromium in headless mode (``--print-to-pdf``) with the CJK fonts
installed on the machine (fonts-noto-cjk); docs/dependencies.md says why Chromium and not
WeasyPrint.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from ..publication._templates import Templates
from ..publication.errors import PublicationError
from .build import Document

__all__ = ["CHROMIUM_NAMES", "find_chromium", "print_pdf", "render_documents", "write_documents"]

#: Program names tried on ``PATH`` for printing PDFs, in order.
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")

#: Chromium as a printer on a closed machine: no sandbox when run as root, no traffic.
_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-pdf-header-footer",
)


def render_documents(
    documents: Sequence[Document], *, templates: str | os.PathLike[str] | None = None
) -> dict[str, str]:
    """Each document's page: ``name.html`` → HTML text (in memory).

    Raises:
        PublicationError: a template is missing or broken (file and line named).
    """
    pages_with = Templates(templates)
    return {
        f"{doc.name}.html": pages_with.render(
            f"documents/{doc.kind}.html", doc=doc, facts=doc.facts
        )
        for doc in documents
    }


def find_chromium(chromium: str | None = None) -> str:
    """The Chromium program to print with: ``chromium`` if given, else the first on PATH.

    Raises:
        PublicationError: none is installed.
    """
    for name in (chromium,) if chromium else CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    raise PublicationError(
        "printing PDFs needs Chromium (apt-get install chromium); none found on PATH"
    )


def print_pdf(page: Path, out: Path, *, chromium: str | None = None) -> Path:
    """Print the local HTML file ``page`` to the PDF ``out`` with headless Chromium.

    Raises:
        PublicationError: Chromium is missing, fails, or writes no PDF.
    """
    program = find_chromium(chromium)
    with tempfile.TemporaryDirectory(prefix="approval-rules-chromium-") as profile:
        command = [
            program,
            *_FLAGS,
            f"--user-data-dir={profile}",
            f"--print-to-pdf={out}",
            page.resolve().as_uri(),
        ]
        try:
            done = subprocess.run(command, capture_output=True, timeout=120, check=False)
        except (OSError, subprocess.TimeoutExpired) as err:
            raise PublicationError(f"Chromium could not print {page}: {err}") from err
    if done.returncode != 0 or not out.is_file() or out.stat().st_size == 0:
        said = done.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
        raise PublicationError(
            f"Chromium could not print {page} (exit {done.returncode}): " + " / ".join(said)
        )
    return out


def write_documents(
    documents: Sequence[Document],
    out: str | os.PathLike[str],
    *,
    templates: str | os.PathLike[str] | None = None,
    pdf: bool = False,
    chromium: str | None = None,
) -> Mapping[str, Path]:
    """Write each document as ``out/<seq>-<kind>.html`` (and ``.pdf`` with ``pdf=True``).

    Every page is rendered before anything is written, and each file is replaced whole;
    when printing fails, the pages written stay and the error names the document.

    Returns:
        file name → path of every file written.

    Raises:
        PublicationError: a template is broken, ``out`` cannot be written, or printing
            failed.
    """
    pages = render_documents(documents, templates=templates)
    if pdf:
        find_chromium(chromium)  # refuse before writing anything
    folder = Path(out)
    written: dict[str, Path] = {}
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in pages.items():
            temporary = folder / f".{name}.tmp"
            temporary.write_text(text, encoding="utf-8", newline="\n")
            os.replace(temporary, folder / name)
            written[name] = folder / name
    except OSError as err:
        raise PublicationError(f"cannot write documents into {os.fspath(out)}: {err}") from err
    if pdf:
        for name in list(written):
            target = folder / (name.removesuffix(".html") + ".pdf")
            written[target.name] = print_pdf(folder / name, target, chromium=chromium)
    return written
