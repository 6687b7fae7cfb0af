"""Domain errors: raised by services with a message a person understands."""

from typing import Any


class DomainError(Exception):
    """A rule refused the operation. The message is shown to the user as is."""

    code = "domain_error"
    status_code = 400

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        if code:
            self.code = code

    def problem_members(self) -> dict[str, Any]:
        """Extra members of the API's problem document (RFC 7807 extensions), such as the rules broken."""
        return {}


class ConflictError(DomainError):
    """The operation conflicts with the current state (HTTP 409)."""

    code = "conflict"
    status_code = 409
