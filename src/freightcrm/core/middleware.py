"""Fail closed, visibly: a value that cannot be decrypted stops the page with a clear error."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from freightcrm.core.crypto import DecryptionError

logger = logging.getLogger(__name__)


class FailClosedMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DecryptionError):
            return None
        logger.error("decryption failed on %s: %s", request.path, exception)
        response = TemplateResponse(
            request, "freightcrm/decryption_error.html", {"error": str(exception)}, status=503
        )
        return response.render()
