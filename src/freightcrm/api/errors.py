"""One JSON shape for every refusal: `{"error": {"code", "message", "fields"}}`.

Codes are stable snake_case for programs; messages are for people, in the request's language
(Chinese unless `Accept-Language` asks for English). Parameter errors — whether pydantic found them
(`page=abc`) or the search selector did (`page_size=1000`) — are all 400 `invalid_parameters`, with
the messages per parameter in `fields`, so a client handles one case, not two.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as RequestValidationError

from freightcrm.api.auth import NotAuthenticated
from freightcrm.api.schemas import error_body
from freightcrm.api.services import TokenError
from freightcrm.core.crypto import DecryptionError
from freightcrm.core.errors import ApplicationError

logger = logging.getLogger("freightcrm.api")
REALM = 'Bearer realm="freightcrm"'


def error_response(
    status: int, code: str, message: str, fields: dict[str, list[str]] | None = None
) -> HttpResponse:
    response = JsonResponse(error_body(code, message, fields), status=status)
    if status == 401:
        challenge = REALM if code == NotAuthenticated.code else f'{REALM}, error="invalid_token"'
        response["WWW-Authenticate"] = challenge
    return response


def _summary(fields: dict[str, list[str]]) -> str:
    return "; ".join(f"{name}: {' '.join(messages)}" for name, messages in fields.items())


def parameter_errors(fields: dict[str, list[str]]) -> HttpResponse:
    return error_response(400, "invalid_parameters", _summary(fields), fields)


def _pydantic_message(error: dict[str, Any]) -> str:
    """A translated message for one pydantic error (pydantic's own text is English only)."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "value_error" and "error" in ctx:
        return str(ctx["error"])  # our own validators' messages, already translated
    if kind in {"int_parsing", "int_type", "int_from_float"}:
        return gettext("Enter a whole number.")
    if kind == "greater_than_equal":
        return gettext("Enter a number of at least %(limit)s.") % {"limit": ctx.get("ge")}
    if kind == "less_than_equal":
        return gettext("Enter a number of at most %(limit)s.") % {"limit": ctx.get("le")}
    if kind == "string_too_long":
        return gettext("Use at most %(limit)s characters.") % {"limit": ctx.get("max_length")}
    if kind == "missing":
        return gettext("This parameter is required.")
    return gettext("This value is not valid.")


def _field_name(location: Any) -> str:
    parts = [str(part) for part in location if part not in {"query", "path", "header", "body", "filters"}]
    return ".".join(parts) or "__all__"


def on_request_validation(request: HttpRequest, exc: RequestValidationError) -> HttpResponse:
    fields: dict[str, list[str]] = {}
    for error in exc.errors:
        fields.setdefault(_field_name(error.get("loc", ())), []).append(_pydantic_message(error))
    return parameter_errors(fields)


def on_validation_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    if hasattr(exc, "error_dict"):
        fields = {name: [str(message) for message in messages] for name, messages in exc.message_dict.items()}
    else:
        fields = {"__all__": [str(message) for message in exc.messages]}
    return parameter_errors(fields)


def on_application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    if isinstance(exc, TokenError):
        logger.info("API token refused on %s: %s", request.path, exc.reason)
    return error_response(exc.status, exc.code, str(exc))


def on_not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error_response(404, "not_found", gettext("Nothing here: check the address."))


def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc, AuthenticationError):
        return error_response(401, NotAuthenticated.code, str(NotAuthenticated()))
    return error_response(exc.status_code, "http_error", str(exc))


def on_decryption_error(request: HttpRequest, exc: DecryptionError) -> HttpResponse:
    """Fail closed, as the staff UI does: no value rather than a ciphertext or a guess."""
    logger.error("decryption failed on %s: %s", request.path, exc)
    return error_response(
        503,
        "decryption_failed",
        gettext("Stored values cannot be decrypted: the encryption keys are missing or wrong."),
    )


def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("unexpected error on %s", request.path, exc_info=exc)
    return error_response(500, "server_error", gettext("Something went wrong on the server; it was logged."))


def install_error_handlers(api: NinjaAPI) -> None:
    """Ninja picks the handler of the closest class in the exception's MRO."""
    handlers: list[tuple[type[Exception], Callable[[HttpRequest, Any], HttpResponse]]] = [
        (RequestValidationError, on_request_validation),
        (DjangoValidationError, on_validation_error),
        (ApplicationError, on_application_error),
        (ObjectDoesNotExist, on_not_found),
        (Http404, on_not_found),
        (HttpError, on_http_error),
        (DecryptionError, on_decryption_error),
        (Exception, on_unexpected),
    ]
    for exception_class, handler in handlers:
        api.add_exception_handler(exception_class, handler)
