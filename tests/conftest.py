"""Shared test setup: Hypothesis profiles, system components, a throwaway PostgreSQL.

Profiles: ``dev`` (30 examples, the default), ``ci`` (100, derandomized; chosen when
the ``CI`` environment variable is set) and ``nightly`` (2000).  Pick one explicitly
with ``HYPOTHESIS_PROFILE=nightly``.  No deadline anywhere: tests assert behaviour,
never timing, and a shared CI machine must not make them flaky.
"""

from __future__ import annotations

import functools
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

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
# Graphviz, CJK fonts) or a component that installs only on some Pythons (durable-rules)
# carries ``@pytest.mark.requires("postgresql", ...)``.  Where a
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


#: A folder where ``npm install mermaid jsdom`` ran, for the check of our Mermaid output
#: with Mermaid's own parser; ``.ci/run`` installs them in a temporary folder.
MERMAID_DIR_ENV = "APPROVAL_RULES_MERMAID_DIR"


def _mermaid_dir() -> Path:
    return Path(os.environ.get(MERMAID_DIR_ENV, "/tmp/mermaid_check"))


def _probe_mermaid() -> str | None:
    if shutil.which("node") is None:
        return "Node.js is not installed, so Mermaid's own parser cannot run"
    folder = _mermaid_dir()
    missing = [
        name for name in ("mermaid", "jsdom") if not (folder / "node_modules" / name).is_dir()
    ]
    if missing:
        return (
            f"the npm package(s) {', '.join(missing)} are not installed in {folder} "
            f"(run `npm install mermaid jsdom` there, or set {MERMAID_DIR_ENV})"
        )


def _probe_durable_rules() -> str | None:
    # durable-rules is a C extension built from its source: it installs and imports on
    # Python 3.11 and 3.12 only (the dev extra's environment marker), and a build can fail
    try:
        import durable.engine  # noqa: F401
    except ImportError as err:
        return f"durable-rules cannot be imported here ({err}); it needs Python 3.11 or 3.12"
    return None


SYSTEM_PROBES: dict[str, Callable[[], str | None]] = {
    "postgresql": _probe_postgresql,
    "chromium": _probe_chromium,
    "graphviz": _probe_graphviz,
    "cjk-fonts": _probe_cjk_fonts,
    "poppler": _probe_poppler,
    "mermaid": _probe_mermaid,
    "durable-rules": _probe_durable_rules,
}


@pytest.fixture
def mermaid_dir() -> Path:
    """The folder holding the mermaid and jsdom npm packages (see ``MERMAID_DIR_ENV``)."""
    return _mermaid_dir()


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


# --- a throwaway PostgreSQL server -----------------------------------------------------
#
# One cluster per test session: initdb and pg_ctl on a temporary folder, a free port on
# 127.0.0.1, trust authentication, stopped and deleted at the end.  PostgreSQL refuses
# to run as root, so as root the server runs as the unprivileged ``postgres`` user
# (Debian's package creates it).  Durability settings are off: the tests kill writers,
# never the machine.


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """The URL of a fresh PostgreSQL cluster's ``postgres`` database, as its superuser."""
    reason = system_missing("postgresql")
    if reason is not None:  # pragma: no cover - the requires marker skips first
        pytest.skip(reason)
    bin_dir = _postgres_bin()
    assert bin_dir is not None
    user = "postgres" if os.geteuid() == 0 else None
    folder = Path(tempfile.mkdtemp(prefix="approval-rules-pg-"))
    if user is not None:
        shutil.chown(folder, user)
    data, port = folder / "data", _free_port()

    def run(*args: str) -> None:
        subprocess.run(args, check=True, capture_output=True, user=user, cwd=folder)

    run(str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
        "--encoding=UTF8", "--no-locale")  # fmt: skip
    options = (f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={folder} "
               "-c fsync=off -c synchronous_commit=off -c full_page_writes=off")  # fmt: skip
    run(str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l",
        str(folder / "server.log"), "-w", "start")  # fmt: skip
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        run(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(folder, ignore_errors=True)


# --- a fresh store on each backend -----------------------------------------------------


@pytest.fixture(scope="session")
def postgres_admin(postgres_server: str) -> Iterator[Any]:
    import psycopg

    with psycopg.connect(postgres_server, autocommit=True) as conn:
        yield conn


def _fresh_postgres(request: pytest.FixtureRequest) -> str:
    server = request.getfixturevalue("postgres_server")
    admin = request.getfixturevalue("postgres_admin")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin.execute(f"CREATE SCHEMA {schema}")
    return f"{server}?options=-csearch_path%3D{schema}"


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.requires("postgresql"))]
)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty store's URL on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/cases.db"
    return _fresh_postgres(request)


@pytest.fixture
def fresh_postgres(request: pytest.FixtureRequest) -> Callable[[], str]:
    """Makes the URL of a fresh, empty schema in the session's PostgreSQL cluster."""
    return lambda: _fresh_postgres(request)
