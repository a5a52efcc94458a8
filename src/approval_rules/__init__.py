"""approval_rules: Chinese government approval matters as code.

Declare matters in YAML, check them with positioned errors, compile them into
process graphs, compute deadlines under the law's working-day rules and run cases.

The main entry points::

    catalogue = load_catalogue("matters/")          # DefinitionError lists every problem
    process = compile_matter(catalogue.matters["construction_permit"], catalogue)
    calendar = WorkCalendar.china()
    engine = Engine(catalogue, calendar)
    case = engine.submit("construction_permit", applicant, materials, at=..., actor=...)
"""

from __future__ import annotations

from .audit import Event, LogTampered, verify
from .compiler import check_catalogue, compile_matter
from .engine import AvailableAction, Case, Engine
from .errors import (
    ActionNotAllowed,
    ApprovalRulesError,
    CalendarError,
    CalendarNotPublished,
    CaseDataError,
    CaseError,
    DefinitionError,
    Issue,
    Severity,
    SourceSpan,
    StaleCase,
)
from .graph import Process
from .loader import Catalogue, load_catalogue
from .model import Matter
from .timelimits import ClockStop
from .workdays import WorkCalendar, load_overlay

__all__ = [
    "ActionNotAllowed",
    "ApprovalRulesError",
    "AvailableAction",
    "CalendarError",
    "CalendarNotPublished",
    "Case",
    "CaseDataError",
    "CaseError",
    "Catalogue",
    "ClockStop",
    "DefinitionError",
    "Engine",
    "Event",
    "Issue",
    "LogTampered",
    "Matter",
    "Process",
    "Severity",
    "SourceSpan",
    "StaleCase",
    "WorkCalendar",
    "check_catalogue",
    "compile_matter",
    "load_catalogue",
    "load_overlay",
    "verify",
]
