"""The published site: an index of matters by department and one guide page per matter.

:func:`build_site` compiles every matter of a catalogue, builds its
:class:`~.guide.Guide`, draws the flow charts with Graphviz and renders the pages;
:func:`write_site` writes them into a folder.  Pages are self-contained (inline CSS and
SVG, no script, no web font) and deterministic: the same catalogue and templates give
the same bytes.  Nothing is written unless every page could be produced.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..compiler import compile_matter
from ._templates import Templates
from .errors import PublicationError
from .flowchart import flowchart_dot, render_svg
from .guide import Guide, build_guide

if TYPE_CHECKING:
    from ..loader import Catalogue

__all__ = ["INDEX", "SITE_TITLE", "Site", "build_site", "write_site"]

#: File name of the site's index page.
INDEX = "index.html"
#: Title of the site (templates may word it otherwise).
SITE_TITLE = "办事指南"


@dataclass(frozen=True, slots=True)
class Site:
    """A rendered site: file name → HTML text, and the guides the pages show."""

    pages: Mapping[str, str]
    guides: tuple[Guide, ...]


def _by_department(
    guides: tuple[Guide, ...], catalogue: Catalogue
) -> list[tuple[str, list[Guide]]]:
    groups: dict[str, list[Guide]] = {}
    for guide in guides:
        groups.setdefault(guide.matter.lead_department, []).append(guide)
    order = list(catalogue.departments)
    ranked = sorted(groups, key=lambda d: order.index(d) if d in order else len(order))
    return [(groups[d][0].lead_department.text, groups[d]) for d in ranked]


def build_site(
    catalogue: Catalogue,
    *,
    templates: str | os.PathLike[str] | None = None,
    dot: str | None = None,
) -> Site:
    """Render the guide of every matter in ``catalogue`` and the index, in memory.

    Args:
        catalogue: a loaded catalogue (:func:`approval_rules.load_catalogue`).
        templates: a folder of templates that replace the bundled ones of the same name.
        dot: Graphviz's ``dot`` program; found on ``PATH`` when not given.

    Raises:
        DefinitionError: a matter does not compile.
        PublicationError: Graphviz is missing or failed, or a template is broken.
    """
    pages_with = Templates(templates)
    processes = [compile_matter(m, catalogue) for m in catalogue.matters.values()]
    guides = tuple(build_guide(p, catalogue) for p in processes)
    drawings = render_svg(
        [flowchart_dot(p, g) for p, g in zip(processes, guides, strict=True)], dot=dot
    )
    site = {"title": SITE_TITLE, "matters": len(guides)}
    pages = {
        f"{guide.id}.html": pages_with.render("guide.html", guide=guide, flowchart=svg, site=site)
        for guide, svg in zip(guides, drawings, strict=True)
    }
    pages[INDEX] = pages_with.render(
        "index.html", departments=_by_department(guides, catalogue), site=site
    )
    return Site(pages=pages, guides=guides)


def write_site(
    catalogue: Catalogue,
    out: str | os.PathLike[str],
    *,
    templates: str | os.PathLike[str] | None = None,
    dot: str | None = None,
) -> Site:
    """Render the site (:func:`build_site`) and write its pages into folder ``out``.

    Every page is rendered before anything is written, and each file is replaced whole,
    so a failure leaves the folder as it was.  Other files in ``out`` are kept.

    Raises:
        DefinitionError, PublicationError: as :func:`build_site`; PublicationError also
            when ``out`` cannot be written.
    """
    site = build_site(catalogue, templates=templates, dot=dot)
    folder = Path(out)
    written: list[Path] = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in site.pages.items():
            temporary = folder / f".{name}.tmp"
            temporary.write_text(text, encoding="utf-8", newline="\n")
            written.append(temporary)
        for temporary in written:
            os.replace(temporary, folder / temporary.name[1:].removesuffix(".tmp"))
    except OSError as err:
        for temporary in written:
            temporary.unlink(missing_ok=True)
        raise PublicationError(f"cannot write the site into {os.fspath(out)}: {err}") from err
    return site
