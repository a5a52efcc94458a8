"""approval_rules: Chinese government approval matters as code.

Declare matters in YAML, check them with positioned errors, compile them into
process graphs, compute deadlines under the law's working-day rules and run cases.
"""

from __future__ import annotations

from .errors import (
    ActionNotAllowed,
    ApprovalRulesError,
    CalendarError,
    CaseDataError,
    CaseError,
    DefinitionError,
    Issue,
    Severity,
    SourceSpan,
    StaleCase,
)
from .loader import Catalogue, load_catalogue
from .model import Matter

__all__ = [
    "ActionNotAllowed",
    "ApprovalRulesError",
    "CalendarError",
    "CaseDataError",
    "CaseError",
    "Catalogue",
    "DefinitionError",
    "Issue",
    "Matter",
    "Severity",
    "SourceSpan",
    "StaleCase",
    "load_catalogue",
]
