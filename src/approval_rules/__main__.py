"""``python -m approval_rules`` runs the ``approval-rules`` command."""

from __future__ import annotations

from .cli import main

if __name__ == "__main__":
    main()
