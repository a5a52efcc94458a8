"""The bundled 当阳 construction permit's section review, as the tests take it.

Four named reviewers each sign their own section of ``section_review`` (issue #14);
the step passes when all four have signed.
"""

from __future__ import annotations

from datetime import datetime

from approval_rules.engine import Case, Engine

#: The section reviewers, in the order their sections are declared.
SECTION_REVIEWERS = ("fu_hong", "ai_wei", "yu_ying", "zheng_can")


def sections_reviewed(engine: Engine, case: Case, at: datetime, **details: object) -> Case:
    """``case`` once every section reviewer signed ``section_review`` at ``at``."""
    for reviewer in SECTION_REVIEWERS:
        case = engine.act(case, "pass", at=at, actor=reviewer, step="section_review", **details)
    return case
