"""Official documents (文书): the written notices and decisions of every legal step of a case.

::

    from approval_rules.documents import case_documents, write_documents

    documents = case_documents(case, catalogue)      # one per legal step, engine's dates
    write_documents(documents, "out/", pdf=True)     # HTML, and PDF via headless Chromium

一次性告知书, 受理通知书, 不予受理决定书, 延期通知书, 特别程序告知书 (and its end),
准予 / 不予行政许可决定书, and for 告知承诺制 the 告知承诺书 and 撤销行政许可决定书.
Templates are data (``publication/templates/documents``): a county's folder given as
``templates=`` replaces any of them (docs/documents.md).
"""

from __future__ import annotations

from .build import KINDS, Document, case_documents
from .write import print_pdf, render_documents, write_documents

__all__ = [
    "KINDS",
    "Document",
    "case_documents",
    "print_pdf",
    "render_documents",
    "write_documents",
]
