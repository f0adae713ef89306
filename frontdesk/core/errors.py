"""Domain errors. Services raise these; one API handler maps them to HTTP.

Every failure an API client sees has the shape
``{"error": {"code": ..., "message": ..., "fields": {...}}}``.
"""

from __future__ import annotations


class FrontdeskError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str = "", *, fields: dict[str, str] | None = None, code: str | None = None):
        super().__init__(message or self.__class__.__doc__ or self.code)
        self.message = message or (self.__class__.__doc__ or self.code).strip()
        self.fields = fields or {}
        if code:
            self.code = code

    def as_dict(self) -> dict:
        return {"error": {"code": self.code, "message": self.message, "fields": self.fields}}


class ValidationError(FrontdeskError):
    """The input is not valid."""

    status = 422
    code = "validation_error"


class NotFound(FrontdeskError):
    """Not found."""

    status = 404
    code = "not_found"


class PermissionDenied(FrontdeskError):
    """You may not do this."""

    status = 403
    code = "permission_denied"


class Conflict(FrontdeskError):
    """The object changed or is in a state that does not allow this."""

    status = 409
    code = "conflict"


class Unauthenticated(FrontdeskError):
    """Authentication required."""

    status = 401
    code = "unauthenticated"


class RateLimited(FrontdeskError):
    """Too many requests."""

    status = 429
    code = "rate_limited"

    def __init__(self, message: str = "", *, retry_after: int = 60):
        super().__init__(message or f"Too many requests; retry after {retry_after} seconds.")
        self.retry_after = retry_after


class PayloadTooLarge(FrontdeskError):
    """The request body is too large."""

    status = 413
    code = "payload_too_large"


class ServiceUnavailable(FrontdeskError):
    """The service is unavailable for a moment; retry shortly."""

    status = 503
    code = "service_unavailable"

    def __init__(self, message: str = "", *, code: str | None = None, retry_after: int = 5):
        super().__init__(message, code=code)
        self.retry_after = retry_after
