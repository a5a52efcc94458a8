"""approval_rules: Chinese government approval matters as code.

Declare matters in YAML, check them with positioned errors, compile them into
process graphs, compute deadlines under the law's working-day rules and run cases.

The main entry points::

    catalogue = load_catalogue("matters/")          # DefinitionError lists every problem
    process = compile_matter(catalogue.matters["construction_permit"], catalogue)
    calendar = WorkCalendar.china()
    engine = Engine(catalogue, calendar)
    case = engine.submit("construction_permit", applicant, materials, at=..., actor=...)
    store = open_store("sqlite:///cases.db", engine=engine)
    store.save(case, expected_version=0)            # and later: store.load(case.id)
    rules = load_supervision(Path("matters/supervision.yaml"), catalogue=catalogue)
    alerts = supervise(cases, at, rules, catalogue=catalogue, calendar=calendar)
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
    CaseNotFound,
    Category,
    DefinitionError,
    EventConflict,
    Issue,
    NaiveDatetime,
    Severity,
    SourceSpan,
    StaleCase,
    StoreError,
    category_of,
)
from .graph import Process
from .loader import Catalogue, load_catalogue
from .model import Matter
from .signing import Keys, load_keys
from .store import CaseStore, open_store
from .supervision import Supervisor, load_supervision, supervise
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
    "CaseNotFound",
    "CaseStore",
    "Catalogue",
    "Category",
    "ClockStop",
    "DefinitionError",
    "Engine",
    "Event",
    "EventConflict",
    "Issue",
    "Keys",
    "LogTampered",
    "Matter",
    "NaiveDatetime",
    "Process",
    "Severity",
    "SourceSpan",
    "StaleCase",
    "StoreError",
    "Supervisor",
    "WorkCalendar",
    "category_of",
    "check_catalogue",
    "compile_matter",
    "load_catalogue",
    "load_keys",
    "load_overlay",
    "load_supervision",
    "open_store",
    "supervise",
    "verify",
]
