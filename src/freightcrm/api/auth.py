"""`Authorization: Bearer fct_<prefix>_<secret>` for every API operation."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja.security import HttpBearer

from freightcrm.api.services import TokenError, api_token_authenticate
from freightcrm.core.errors import ApplicationError


class NotAuthenticated(ApplicationError):
    code = "not_authenticated"
    status = 401

    def __init__(self) -> None:
        super().__init__(_("Send an API token in the header Authorization: Bearer <token>."))


class BearerTokenAuth(HttpBearer):
    """Checks the token and makes its user the request's user, so that `core.access` (and the
    history middleware) see the same person the staff UI would.

    Refusals are raised rather than returned as None, so that the error handler can tell a missing
    header (`not_authenticated`) from a bad token (`invalid_token`) in the `WWW-Authenticate` reply.
    """

    def __call__(self, request: HttpRequest) -> Any:
        header = request.headers.get(self.header, "")
        if not header.strip():
            raise NotAuthenticated
        scheme, _sep, value = header.strip().partition(" ")
        if scheme.lower() != self.openapi_scheme or not value.strip():
            raise TokenError("malformed Authorization header")
        return self.authenticate(request, value.strip())

    def authenticate(self, request: HttpRequest, token: str) -> User:
        user = api_token_authenticate(token).user
        request.user = user
        return user
