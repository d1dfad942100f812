"""Domain errors. Each carries a Chinese message for people; the web layer maps them to HTTP."""

from __future__ import annotations


class DomainError(Exception):
    code = "error"

    def __init__(self, message: str, *, errors: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        # Field name → message, for forms and problem details.
        self.errors = errors or {}


class InvalidInput(DomainError):
    code = "invalid-input"


class NotFound(DomainError):
    code = "not-found"


class PermissionDenied(DomainError):
    code = "forbidden"


class IllegalTransition(DomainError):
    code = "illegal-transition"


class Conflict(DomainError):
    """Someone else changed the record first; the caller should reload and try again."""

    code = "conflict"
