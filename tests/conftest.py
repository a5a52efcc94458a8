"""Shared test setup: Hypothesis profiles.

Profiles: ``dev`` (30 examples, the default), ``ci`` (100, derandomized; chosen when
the ``CI`` environment variable is set) and ``nightly`` (2000).  Pick one explicitly
with ``HYPOTHESIS_PROFILE=nightly``.  No deadline anywhere: tests assert behaviour,
never timing, and a shared CI machine must not make them flaky.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import settings

settings.register_profile("ci", parent=settings.get_profile("ci"), max_examples=100, deadline=None)
settings.register_profile("dev", max_examples=30, deadline=None)
settings.register_profile("nightly", max_examples=2000, deadline=None)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
)


# --- system components -----------------------------------------------------------------
#
# A test that needs a program of the operating system (a PostgreSQL server, Chromium,
# Graphviz, CJK fonts) carries ``@pytest.mark.requires("postgresql", ...)``.  Where a
# component is absent the test is skipped with the reason, so the README's test command
# passes on any machine; ``.ci/run`` installs every component and sets
# APPROVAL_RULES_REQUIRE_SYSTEM=1, which turns those skips into failures: CI proves that
# every real backend and browser check ran.

REQUIRE_SYSTEM_ENV = "APPROVAL_RULES_REQUIRE_SYSTEM"


def _postgres_bin() -> Path | None:
    """The folder holding ``initdb`` and ``pg_ctl``: PATH first, then Debian's layout."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).resolve().parent
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    return versions[-1].parent if versions else None


def _probe_postgresql() -> str | None:
    if _postgres_bin() is None:
        return "the PostgreSQL server (initdb, pg_ctl) is not installed"
    return None


def _probe_chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return None
    return "Chromium is not installed"


def _probe_graphviz() -> str | None:
    return None if shutil.which("dot") else "Graphviz (the dot program) is not installed"


def _probe_cjk_fonts() -> str | None:
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return "fontconfig (fc-list) is not installed, so CJK fonts cannot be found"
    out = subprocess.run(
        [fc_list, ":lang=zh", "family"], capture_output=True, text=True, check=False
    ).stdout
    return None if out.strip() else "no font covering Chinese is installed"


def _probe_poppler() -> str | None:
    missing = [p for p in ("pdftoppm", "pdftotext", "pdfinfo") if shutil.which(p) is None]
    return f"poppler-utils ({', '.join(missing)}) is not installed" if missing else None


SYSTEM_PROBES: dict[str, Callable[[], str | None]] = {
    "postgresql": _probe_postgresql,
    "chromium": _probe_chromium,
    "graphviz": _probe_graphviz,
    "cjk-fonts": _probe_cjk_fonts,
    "poppler": _probe_poppler,
}


@functools.cache
def system_missing(component: str) -> str | None:
    """Why ``component`` cannot be used here, or ``None`` when it is installed."""
    if component not in SYSTEM_PROBES:
        raise ValueError(f"unknown system component {component!r}; known: {sorted(SYSTEM_PROBES)}")
    return SYSTEM_PROBES[component]()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "requires(*components): the test needs system components "
        f"({', '.join(sorted(SYSTEM_PROBES))}); skipped where absent unless "
        f"{REQUIRE_SYSTEM_ENV}=1, which makes it fail instead",
    )


def pytest_runtest_setup(item: pytest.Item) -> None:
    for mark in item.iter_markers("requires"):
        for component in mark.args:
            reason = system_missing(component)
            if reason is None:
                continue
            if os.environ.get(REQUIRE_SYSTEM_ENV) == "1":
                pytest.fail(f"{reason} ({REQUIRE_SYSTEM_ENV}=1 asks for every component)")
            pytest.skip(reason)
