"""What the API needs from the request cycle that the staff UI does not.

* **Language from `Accept-Language`.** The staff UI is Chinese unless the user picked another
  language in the switcher (`ChineseFirstLocaleMiddleware`); programs have no switcher, so for the
  API the header decides: English when asked for, Chinese otherwise.
* **JSON for Django's own refusals.** Paths under the API that match no operation (404) or use a
  method it does not offer (405, answered by ninja in plain text) get the API's error shape too.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation.trans_real import parse_accept_lang_header

from freightcrm.api.errors import error_response

API_PREFIX = "/api/"


def language_from_header(header: str) -> str:
    """The first supported language of an `Accept-Language` header, else the site's default."""
    for code, _quality in parse_accept_lang_header(header):
        if code == "*":
            break
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return str(settings.LANGUAGE_CODE)


def _is_json(response: HttpResponse) -> bool:
    return response.get("Content-Type", "").startswith("application/json")


class ApiMiddleware:
    """Placed after `ChineseFirstLocaleMiddleware`, whose response half then sets Content-Language."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path_info.startswith(API_PREFIX):
            return self.get_response(request)
        translation.activate(language_from_header(request.headers.get("Accept-Language", "")))
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        if response.status_code == 404 and not _is_json(response):
            return error_response(404, "not_found", gettext("Nothing here: check the address."))
        if response.status_code == 405 and not _is_json(response):
            allowed = response.get("Allow", "")
            replaced = error_response(
                405,
                "method_not_allowed",
                gettext("This address answers only %(methods)s.") % {"methods": allowed or "GET"},
            )
            replaced["Allow"] = allowed
            return replaced
        return response
