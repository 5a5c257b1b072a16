"""Fail closed, visibly: a value that cannot be decrypted stops the page with a clear error."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.template.response import TemplateResponse
from django.utils import translation

from freightcrm.core.crypto import DecryptionError

logger = logging.getLogger(__name__)


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Chinese unless the user chose another language (the switcher's cookie or session).

    Django's own middleware follows the browser's Accept-Language, which on many office PCs is
    English; the staff of a Chinese logistics company expect Chinese until they pick otherwise.
    """

    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


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
