"""The public survey page `/s/<token>/`: no login, Chinese by default, one answer per link.

Unknown or guessed links are 404, answered or expired ones 410: a short page that says so and
changes nothing. The page never shows which customer or contact a link belongs to beyond the
greeting, and is not cached or indexed.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from freightcrm.core.errors import LinkUnavailable
from freightcrm.service.surveys.models import SurveyInvitation
from freightcrm.service.surveys.services import (
    SurveyUnavailable,
    check_open,
    field_name,
    invitation_for_token,
    questions_of,
    survey_answer,
)

HEADERS = {"X-Robots-Tag": "noindex, nofollow", "Referrer-Policy": "same-origin"}


def public_language(request: HttpRequest) -> str:
    wanted = request.GET.get("lang", "")
    return wanted if wanted in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def public_page(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    response = render(request, template, context, status=status)
    for name, value in HEADERS.items():
        response[name] = value
    return response


def closed_page(request: HttpRequest, refusal: LinkUnavailable) -> HttpResponse:
    """The page of a link that cannot be used (unknown, used, expired), with its status."""
    context = {"message": str(refusal)}
    return public_page(request, "service/surveys/public_closed.html", context, refusal.status)


def _form(invitation: SurveyInvitation, data: Any, errors: dict[str, list[str]]) -> list[dict[str, Any]]:
    rows = []
    for question in questions_of(invitation.template):
        name = field_name(question)
        rows.append(
            {
                "question": question,
                "name": name,
                "value": str(data.get(name, "")) if data else "",
                "errors": errors.get(name, []),
                "scale": [] if question.is_text else list(question.scale),
            }
        )
    return rows


@never_cache
@require_http_methods(["GET", "POST"])
def survey_page(request: HttpRequest, token: str) -> HttpResponse:
    with translation.override(public_language(request)):
        try:
            invitation = invitation_for_token(token)
            check_open(invitation)
        except SurveyUnavailable as refusal:
            return closed_page(request, refusal)
        errors: dict[str, list[str]] = {}
        if request.method == "POST":
            try:
                survey_answer(token=token, data=request.POST)
            except SurveyUnavailable as refusal:
                return closed_page(request, refusal)
            except ValidationError as error:
                errors = error.message_dict
            else:
                return public_page(request, "service/surveys/public_thanks.html", {"invitation": invitation})
        context = {
            "invitation": invitation,
            "rows": _form(invitation, request.POST if request.method == "POST" else None, errors),
            "has_errors": bool(errors),
        }
        return public_page(request, "service/surveys/public_form.html", context, 400 if errors else 200)
