"""Publication: service guides (办事指南) generated from the same declarations the engine runs.

::

    from approval_rules import load_catalogue
    from approval_rules.publication import write_site

    write_site(load_catalogue("matters/"), "site/")          # index.html + one page per matter

Pages are rendered from Jinja2 templates shipped with the package; a folder of
templates given as ``templates=`` replaces the bundled ones of the same name (see
``docs/publication.md``).  Flow charts are drawn by Graphviz's ``dot`` program.
"""

from __future__ import annotations

from .errors import PublicationError
from .guide import Guide, Value, build_guide
from .site import Site, build_site, write_site

__all__ = ["Guide", "PublicationError", "Site", "Value", "build_guide", "build_site", "write_site"]
