"""Form widgets in the admin theme's look, for the service area's own pages (plain HTML5 inputs)."""

from __future__ import annotations

from typing import Any

from django import forms
from unfold.widgets import INPUT_CLASSES, SELECT_CLASSES, TEXTAREA_CLASSES

INPUT = " ".join(INPUT_CLASSES)


def date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date", "class": INPUT}, format="%Y-%m-%d")


def datetime_input() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local", "class": INPUT}, format="%Y-%m-%dT%H:%M")


def text_input(**attrs: Any) -> forms.TextInput:
    return forms.TextInput(attrs={"class": INPUT, **attrs})


def number_input(**attrs: Any) -> forms.NumberInput:
    return forms.NumberInput(attrs={"class": INPUT, **attrs})


def select() -> forms.Select:
    return forms.Select(attrs={"class": " ".join(SELECT_CLASSES)})


def textarea(rows: int = 4) -> forms.Textarea:
    return forms.Textarea(attrs={"class": " ".join(TEXTAREA_CLASSES), "rows": rows})


def checkboxes() -> forms.CheckboxSelectMultiple:
    return forms.CheckboxSelectMultiple(attrs={"class": "fc-check"})
