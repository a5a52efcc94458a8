"""Random cases of the bundled matters: their documents and messages, after every step.

The engine's own state machine (``test_engine_stateful.CaseMachine``) drives the cases;
this one adds two invariants: every document of the case renders, and every date on
its pages is one the case held at some point of its log; the notification intents of
the whole log have unique keys, fit their rules' length, and are the same when computed
step by step.
"""

from __future__ import annotations

import re
from datetime import date

import test_engine_stateful as stateful
from hypothesis import HealthCheck, settings
from hypothesis.stateful import invariant
from test_documents import _days_of

from approval_rules.documents import case_documents, render_documents
from approval_rules.notify import load_notifications, notification_intents

RULES = load_notifications(
    stateful.ROOT / "matters" / "notifications.yaml", catalogue=stateful.CATALOGUE
)
_DAY = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")


class DocumentsMachine(stateful.CaseMachine):
    """The engine's random cases, with their documents and messages checked."""

    previous = None

    @invariant()
    def every_document_renders_with_the_engine_dates(self) -> None:
        case = self.case
        documents = case_documents(case, stateful.CATALOGUE)
        days = _days_of(case)
        for page in render_documents(documents).values():
            for y, m, d in _DAY.findall(page):
                assert date(int(y), int(m), int(d)) in days

    @invariant()
    def messages_are_the_same_step_by_step(self) -> None:
        case = self.case
        whole = notification_intents(RULES, None, case, stateful.CATALOGUE)
        assert len({i.key for i in whole}) == len(whole)
        for intent in whole:
            assert len(intent.text) <= 70
        previous = self.previous
        if previous is not None and previous.id == case.id and previous.version <= case.version:
            later = notification_intents(RULES, previous, case, stateful.CATALOGUE)
            assert later == tuple(i for i in whole if i.seq > previous.version)
        self.previous = case


DocumentsMachine.TestCase.settings = settings(
    max_examples=15,
    stateful_step_count=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
test_random_cases_documents_and_messages = DocumentsMachine.TestCase
