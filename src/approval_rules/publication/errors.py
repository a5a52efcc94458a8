"""The exception raised when a guide or document cannot be published."""

from __future__ import annotations

from ..errors import ApprovalRulesError

__all__ = ["PublicationError"]


class PublicationError(ApprovalRulesError):
    """A page cannot be produced: a program it needs is missing, or a template is broken.

    Nothing is written when it is raised.
    """
