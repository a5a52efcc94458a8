"""Page templates: the bundled Jinja2 templates, each replaceable by a county's own file.

This is the only module that imports :mod:`jinja2`; its exceptions become
:class:`~.errors.PublicationError` with the template's file and line.  Templates are
data: a folder given as ``override`` is searched first, so a file there named like a
bundled template (``guide.html``, ``guide/fees.html``, ``style.css`` …) replaces it.
Undefined names are errors, never silently empty text.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import jinja2

from .errors import PublicationError

__all__ = ["BUNDLED", "Templates"]

#: The folder of the bundled templates (package data).
BUNDLED = Path(__file__).resolve().parent / "templates"


class Templates:
    """The templates pages are rendered with.

    Args:
        override: a folder whose templates replace the bundled ones of the same name.

    Raises:
        PublicationError: ``override`` is not a folder.
    """

    def __init__(self, override: str | os.PathLike[str] | None = None) -> None:
        folders = [BUNDLED]
        if override is not None:
            path = Path(override)
            if not path.is_dir():
                raise PublicationError(f"template folder {os.fspath(override)} does not exist")
            folders.insert(0, path)
        self.folders = tuple(folders)
        self._env = jinja2.Environment(
            loader=jinja2.FileSystemLoader([str(f) for f in folders], encoding="utf-8"),
            autoescape=jinja2.select_autoescape(enabled_extensions=("html",)),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )

    def source_of(self, name: str) -> Path:
        """The file a template name resolves to (the override's when it has one)."""
        for folder in self.folders:
            if (folder / name).is_file():
                return folder / name
        raise PublicationError(f"no template named {name!r}")

    def render(self, name: str, **context: Any) -> str:
        """Render template ``name`` with ``context``.

        Raises:
            PublicationError: the template is missing, malformed, or uses a name the
                context does not have; the message names the file and line.
        """
        try:
            return self._env.get_template(name).render(**context)
        except jinja2.TemplateSyntaxError as err:
            where = f"{err.filename or err.name}:{err.lineno}"
            raise PublicationError(f"{where}: template error: {err.message}") from err
        except jinja2.TemplateNotFound as err:
            raise PublicationError(f"no template named {err.name!r}") from err
        except jinja2.TemplateError as err:
            raise PublicationError(f"{self._where(err, name)}: template error: {err}") from err

    def _where(self, err: BaseException, name: str) -> str:
        """``file:line`` of the template line that failed (Jinja2 keeps it in the traceback)."""
        found = name
        tb = err.__traceback__
        folders = tuple(str(f) for f in self.folders)
        while tb is not None:
            filename = tb.tb_frame.f_code.co_filename
            if filename.startswith(folders):
                found = f"{filename}:{tb.tb_lineno}"
            tb = tb.tb_next
        return found
