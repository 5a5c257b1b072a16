"""One family of application errors with stable codes; services raise them, one handler renders them."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _


class ApplicationError(Exception):
    code = "application_error"
    status = 400

    def __init__(
        self, message: Any, *, code: str | None = None, params: dict[str, Any] | None = None
    ) -> None:
        self.message = message
        self.params = params or {}
        if code:
            self.code = code
        super().__init__(str(message))

    def __str__(self) -> str:
        return str(self.message) % self.params if self.params else str(self.message)


class StaleEdit(ApplicationError):
    """Someone saved the record after this edit began; saving now would overwrite their change."""

    code = "stale_edit"
    status = 409

    def __init__(self, *, current_version: int, by: str, at: str) -> None:
        super().__init__(
            _(
                "This record was changed by %(by)s at %(at)s while you were editing it (now version "
                "%(version)s). Reload the page to see their change, then make yours again."
            ),
            params={"by": by, "at": at, "version": current_version},
        )
        self.current_version = current_version


class LinkUnavailable(ApplicationError):
    """A customer's link (a survey, a self-service form) cannot be used: unknown (404), or already
    used or expired (410)."""

    def __init__(self, message: Any, *, code: str, status: int) -> None:
        super().__init__(message, code=code)
        self.status = status


class PermissionDeniedError(ApplicationError):
    code = "permission_denied"
    status = 403
