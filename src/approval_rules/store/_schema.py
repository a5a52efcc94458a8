"""The store's tables, written once for both SQL dialects (docs/store.md explains them).

The index tables are keyed in the order their query reads them (``work_items`` by
person and urgency, ``clocks`` by the moment they run out): SQLite keeps such a table
in key order (``WITHOUT ROWID``), so an inbox or a sweep reads consecutive rows and
never looks a row up; each has a small index by case for the rewrite on every save.

Each backend fills the template's few dialect words: the text type (PostgreSQL
compares text byte by byte with ``COLLATE "C"``, as SQLite does, so both sort ids,
dates and times alike), the absence id and the clustered-table clause.  The
append-only triggers are each backend's own.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["SCHEMA_VERSION", "TABLES", "statements"]

#: Bumped whenever a table changes; a store of another version is refused, not migrated.
SCHEMA_VERSION = 2

#: Every table the store creates, in creation order.
TABLES = (
    "store_schema",
    "definitions",
    "cases",
    "events",
    "clocks",
    "work_items",
    "case_absences",
    "absences",
)

_TEMPLATE = """
CREATE TABLE store_schema (
    version INTEGER NOT NULL
);
CREATE TABLE definitions (
    hash       {text} PRIMARY KEY,
    matter_id  {text} NOT NULL,
    definition {text} NOT NULL
){clustered};
CREATE TABLE cases (
    id          {text} PRIMARY KEY,
    matter_id   {text} NOT NULL,
    matter_hash {text} NOT NULL REFERENCES definitions (hash),
    department  {text} NOT NULL,
    status      {text} NOT NULL,
    version     INTEGER NOT NULL CHECK (version >= 1),
    head        {text} NOT NULL,
    last_at     {text} NOT NULL
);
CREATE INDEX cases_by_matter ON cases (matter_id, status);
CREATE INDEX cases_by_department ON cases (department, status);
CREATE INDEX cases_by_status ON cases (status);
CREATE TABLE events (
    case_id   {text} NOT NULL REFERENCES cases (id),
    seq       INTEGER NOT NULL CHECK (seq >= 1),
    id        {text} NOT NULL,
    at        {text} NOT NULL,
    actor     {text} NOT NULL,
    action    {text} NOT NULL,
    prev_hash {text} NOT NULL,
    hash      {text} NOT NULL,
    body      {text} NOT NULL,
    PRIMARY KEY (case_id, seq),
    UNIQUE (case_id, id)
){clustered};
CREATE TABLE clocks (
    runs_out  {text} NOT NULL,
    case_id   {text} NOT NULL,
    clock     {text} NOT NULL,
    step      {text} NOT NULL,
    matter_id {text} NOT NULL,
    due       {text} NOT NULL,
    PRIMARY KEY (runs_out, case_id, clock, step)
){clustered};
CREATE INDEX clocks_by_case ON clocks (case_id);
CREATE TABLE work_items (
    person    {text} NOT NULL,
    urgency   {text} NOT NULL,
    case_id   {text} NOT NULL,
    step      {text} NOT NULL,
    principal {text} NOT NULL,
    matter_id {text} NOT NULL,
    actions   {text} NOT NULL,
    due       {text},
    case_due  {text},
    PRIMARY KEY (person, urgency, case_id, step, principal)
){clustered};
CREATE INDEX work_items_by_case ON work_items (case_id);
CREATE TABLE case_absences (
    case_id   {text} NOT NULL,
    person    {text} NOT NULL,
    first_day {text} NOT NULL,
    last_day  {text} NOT NULL
);
CREATE INDEX case_absences_by_case ON case_absences (case_id, person);
CREATE TABLE absences (
    id          {serial},
    person      {text} NOT NULL,
    first_day   {text} NOT NULL,
    last_day    {text} NOT NULL,
    reason      {text},
    recorded_by {text} NOT NULL,
    CHECK (first_day <= last_day)
);
CREATE INDEX absences_by_person ON absences (person, first_day)
"""


def statements(words: Mapping[str, str]) -> list[str]:
    """The schema's statements in one dialect (``text``, ``serial``, ``clustered``)."""
    return [s.strip() for s in _TEMPLATE.format(**words).split(";") if s.strip()]
