"""Forms of OCR intake: the upload, and the confirmation of what was read (licence or card)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from unfold.widgets import (
    UnfoldAdminDecimalFieldWidget,
    UnfoldAdminEmailInputWidget,
    UnfoldAdminRadioSelectWidget,
    UnfoldAdminSelectWidget,
    UnfoldAdminSingleDateWidget,
    UnfoldAdminTextareaWidget,
    UnfoldAdminTextInputWidget,
)

from freightcrm.customers.choices import CustomerKind
from freightcrm.intake.choices import OcrKind

NEW_CUSTOMER = "new"


class ScanUploadForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What is it?"),
        choices=OcrKind.choices,
        initial=OcrKind.AUTO,
        widget=UnfoldAdminRadioSelectWidget,
    )
    image = forms.FileField(
        label=_("Photo or scan"),
        help_text=_(
            "A JPEG, PNG or WebP photo, or a PDF from the scanner (its first page is read); "
            "hold the camera straight above the document, in good light."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,application/pdf"}),
    )


def _text(label: Any, **kwargs: Any) -> forms.CharField:
    return forms.CharField(label=label, required=False, widget=UnfoldAdminTextInputWidget, **kwargs)


class LicenceForm(forms.Form):
    """The fields of a business licence as read, for a person to confirm or correct."""

    name = forms.CharField(label=_("name"), max_length=200, widget=UnfoldAdminTextInputWidget)
    uscc = _text(_("unified social credit code"), max_length=30)
    legal_representative = _text(_("legal representative"), max_length=50)
    address = _text(_("address"), max_length=300)
    registered_capital = forms.DecimalField(
        label=_("registered capital (CNY 10k)"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        widget=UnfoldAdminDecimalFieldWidget,
    )
    founded_on = forms.DateField(label=_("founding date"), required=False, widget=UnfoldAdminSingleDateWidget)
    company_type = _text(_("company type"), max_length=100)
    business_scope = forms.CharField(
        label=_("business scope"), required=False, widget=UnfoldAdminTextareaWidget(attrs={"rows": 3})
    )
    customer_kind = forms.ChoiceField(
        label=_("customer kind"),
        choices=[
            (CustomerKind.ENTERPRISE, CustomerKind.ENTERPRISE.label),
            (CustomerKind.INSTITUTION, CustomerKind.INSTITUTION.label),
            (CustomerKind.PARTNER, CustomerKind.PARTNER.label),
        ],
        initial=CustomerKind.ENTERPRISE,
        widget=UnfoldAdminSelectWidget,
    )


class CardForm(forms.Form):
    """The fields of a business card as read, and where the person goes."""

    person = forms.CharField(label=_("full name"), max_length=50, widget=UnfoldAdminTextInputWidget)
    title = _text(_("job title"), max_length=50)
    mobile = _text(_("mobile"), max_length=20)
    phone = _text(_("telephone"), max_length=20)
    email = forms.EmailField(label=_("e-mail"), required=False, widget=UnfoldAdminEmailInputWidget)
    company = _text(_("company"), max_length=200)
    address = _text(_("address"), max_length=300)
    website = _text(_("website"), max_length=200)
    target = forms.ChoiceField(
        label=_("Add the person to"),
        widget=UnfoldAdminRadioSelectWidget,
        help_text=_("A customer whose name matches the card's company, or a new customer filed for review."),
    )
    customer_code = _text(
        _("or another customer's code"),
        max_length=24,
        help_text=_("e.g. E-310115-000123; takes precedence over the choice above."),
    )

    def __init__(self, *args: Any, candidates: list[tuple[str, str]] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        field = self.fields["target"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            *candidates,
            (NEW_CUSTOMER, _("a new customer, filed for review")),
        ]
        field.initial = candidates[0][0] if candidates else NEW_CUSTOMER
