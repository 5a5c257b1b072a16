"""Helpers of the service pages: render a form page, show a service's refusal on the form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from freightcrm.core.errors import ApplicationError


def form_page(
    request: HttpRequest, *, title: Any, form: forms.Form, intro: Any = "", back: str = "", submit: Any = ""
) -> HttpResponse:
    context = {
        **admin.site.each_context(request),
        "title": title,
        "form": form,
        "intro": intro,
        "back": back,
        "submit": submit,
    }
    return TemplateResponse(request, "service/form_page.html", context, status=400 if form.errors else 200)


def add_service_errors(form: forms.Form, error: ValidationError | ApplicationError) -> None:
    """Show a service's refusal on the form: on the field it names when the form has it, else on top."""
    if isinstance(error, ApplicationError):
        form.add_error(None, str(error))
        return
    if hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            form.add_error(name if name in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)
