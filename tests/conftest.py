"""Shared test setup: Hypothesis profiles.

Profiles: ``dev`` (30 examples, the default), ``ci`` (100, derandomized; chosen when
the ``CI`` environment variable is set) and ``nightly`` (2000).  Pick one explicitly
with ``HYPOTHESIS_PROFILE=nightly``.  No deadline anywhere: tests assert behaviour,
never timing, and a shared CI machine must not make them flaky.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", parent=settings.get_profile("ci"), max_examples=100, deadline=None)
settings.register_profile("dev", max_examples=30, deadline=None)
settings.register_profile("nightly", max_examples=2000, deadline=None)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
)
