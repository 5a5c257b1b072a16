"""The customer archive (客户档案): customers and their contacts, addresses, needs and documents.

A customer holds the six kinds of information of the domain: basic, characteristics, business
status (with logistics needs), transactions (summarised from shipments), finance and credit, and
behaviour. Writes go through `customers.services`; reads through `customers.selectors`.
"""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath
from typing import Any

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from freightcrm.core.fields import BlindIndexField, EncryptedTextField, PhoneField
from freightcrm.core.models import TimeStampedModel, VersionedModel
from freightcrm.core.validators import (
    validate_mobile,
    validate_not_negative,
    validate_past_date,
    validate_phone,
    validate_resident_id,
    validate_uscc,
)
from freightcrm.customers import choices

NOT_NEGATIVE = [validate_not_negative]


class Tag(TimeStampedModel):
    name = models.CharField(_("name"), max_length=30, unique=True)
    description = models.CharField(_("description"), max_length=200, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name


class Customer(VersionedModel):
    """One customer's archive (客户资料卡)."""

    customer_path = ""
    finance_fields = (
        "credit_grade",
        "credit_limit",
        "credit_currency",
        "payment_terms",
        "payment_days",
        "bank_name",
        "bank_account",
    )
    owner_fields = ("owner",)
    # Only reviewed customers are the archive (core.access.visible): pending and rejected ones are
    # seen through the review queue alone.
    archive_filter = Q(review_state=choices.ReviewState.APPROVED)
    # Set by `customer_update` on the instance it returns: the key fields whose change went to
    # review (审核) instead of being saved, so the caller can say so.
    held_for_review: tuple[str, ...] = ()
    sensitive_fields = {
        "id_number": "customers.view_full_id_number",
        "bank_account": "customers.view_full_bank_account",
    }

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.CharField(_("customer code"), max_length=24, unique=True, editable=False)
    kind = models.CharField(_("customer kind"), max_length=1, choices=choices.CustomerKind.choices)
    name = models.CharField(_("name"), max_length=200, db_index=True)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=choices.Status.choices, default=choices.Status.PROSPECT
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account owner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_customers",
    )
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="customers")
    review_state = models.CharField(
        _("review state"),
        max_length=10,
        choices=choices.ReviewState.choices,
        default=choices.ReviewState.APPROVED,
        editable=False,
    )

    # Basic information: organisations
    uscc = models.CharField(
        _("unified social credit code"), max_length=18, null=True, blank=True, validators=[validate_uscc]
    )
    legal_representative = models.CharField(_("legal representative"), max_length=50, blank=True)
    registered_capital = models.DecimalField(
        _("registered capital (CNY 10k)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=NOT_NEGATIVE,
    )
    founded_on = models.DateField(_("founding date"), null=True, blank=True, validators=[validate_past_date])
    industry = models.CharField(_("industry"), max_length=20, choices=choices.Industry.choices, blank=True)
    size = models.CharField(_("company size"), max_length=10, choices=choices.CompanySize.choices, blank=True)
    ownership = models.CharField(_("ownership"), max_length=12, choices=choices.Ownership.choices, blank=True)
    website = models.URLField(_("website"), blank=True)

    # Basic information: individuals
    gender = models.CharField(_("gender"), max_length=6, choices=choices.Gender.choices, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True, validators=[validate_past_date])
    id_number = EncryptedTextField(_("resident ID number"), validators=[validate_resident_id])
    id_number_digest = BlindIndexField(source="id_number", normaliser="upper_alnum")
    occupation = models.CharField(_("occupation"), max_length=50, blank=True)
    income_band = models.CharField(
        _("income band"), max_length=10, choices=choices.IncomeBand.choices, blank=True
    )

    # Basic information: how to reach the customer
    mobile = PhoneField(_("mobile"), max_length=20, blank=True, validators=[validate_mobile])
    phone = PhoneField(_("telephone"), max_length=20, blank=True, validators=[validate_phone])
    email = models.EmailField(_("e-mail"), blank=True)

    # Region, taken from the primary address (kept by the address services)
    province = models.CharField(_("province"), max_length=20, blank=True, db_index=True)
    city = models.CharField(_("city"), max_length=30, blank=True, db_index=True)
    district = models.CharField(_("district"), max_length=30, blank=True)
    adcode = models.CharField(_("region code"), max_length=6, blank=True)

    # Characteristics
    business_scope = models.TextField(_("business scope"), blank=True)
    regions_served = models.CharField(_("regions served"), max_length=200, blank=True)
    development_potential = models.CharField(
        _("development potential"), max_length=10, choices=choices.Potential.choices, blank=True
    )
    cargo_preferences = models.JSONField(_("cargo preferences"), default=list, blank=True)

    # Business status
    main_cargo = models.CharField(_("main cargo"), max_length=100, blank=True)
    annual_volume_tonnes = models.DecimalField(
        _("annual volume (tonnes)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=NOT_NEGATIVE,
    )
    annual_logistics_spend = models.DecimalField(
        _("annual logistics spend (CNY 10k)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=NOT_NEGATIVE,
    )
    competitors = models.CharField(_("other carriers used"), max_length=200, blank=True)
    cooperation_since = models.DateField(
        _("customer since"), null=True, blank=True, validators=[validate_past_date]
    )

    # Finance and credit
    credit_grade = models.CharField(
        _("credit grade"), max_length=3, choices=choices.CreditGrade.choices, blank=True
    )
    credit_limit = models.DecimalField(
        _("credit limit"), max_digits=14, decimal_places=2, null=True, blank=True, validators=NOT_NEGATIVE
    )
    credit_currency = models.CharField(
        _("credit currency"), max_length=3, choices=choices.Currency.choices, default=choices.Currency.CNY
    )
    payment_terms = models.CharField(
        _("payment terms"), max_length=12, choices=choices.PaymentTerms.choices, blank=True
    )
    payment_days = models.PositiveSmallIntegerField(_("payment days"), null=True, blank=True)
    bank_name = models.CharField(_("bank"), max_length=100, blank=True)
    bank_account = EncryptedTextField(_("bank account"))
    bank_account_digest = BlindIndexField(source="bank_account", normaliser="digits")

    # Behaviour (contact preferences)
    preferred_channels = models.JSONField(_("preferred channels"), default=list, blank=True)
    preferred_contact_time = models.CharField(_("preferred contact time"), max_length=50, blank=True)

    remarks = models.TextField(_("remarks"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    history = HistoricalRecords(excluded_fields=["id_number", "bank_account"])

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        permissions = [
            ("view_all_customers", _("See every customer, not only own and shared")),
            ("view_finance", _("See finance and credit information")),
            ("change_finance", _("Change finance and credit information")),
            ("assign_owner", _("Assign or reassign account owners")),
            ("view_full_id_number", _("See full resident ID numbers")),
            ("view_full_bank_account", _("See full bank account numbers")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["uscc"], condition=Q(uscc__isnull=False), name="customer_uscc_unique"
            ),
            models.CheckConstraint(
                condition=Q(credit_limit__isnull=True) | Q(credit_limit__gte=0),
                name="customer_credit_limit_gte_0",
            ),
            models.CheckConstraint(
                condition=Q(registered_capital__isnull=True) | Q(registered_capital__gte=0),
                name="customer_registered_capital_gte_0",
            ),
            models.CheckConstraint(
                condition=Q(annual_volume_tonnes__isnull=True) | Q(annual_volume_tonnes__gte=0),
                name="customer_annual_volume_gte_0",
            ),
            models.CheckConstraint(
                condition=Q(annual_logistics_spend__isnull=True) | Q(annual_logistics_spend__gte=0),
                name="customer_annual_spend_gte_0",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=list(choices.CustomerKind.values)), name="customer_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=list(choices.Status.values)), name="customer_status_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["kind", "status"]),
            models.Index(fields=["owner", "status"]),
            models.Index(fields=["credit_grade"]),
            # The list's orderings: newest changes first (the default) and by filing date.
            models.Index(fields=["updated_at"], name="customer_updated_idx"),
            models.Index(fields=["created_at"], name="customer_created_idx"),
            # The review queue: the few customers still waiting (most rows are approved).
            models.Index(
                fields=["review_state"],
                name="customer_review_waiting_idx",
                condition=~Q(review_state="approved"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）" if self.code else self.name

    @property
    def is_organisation(self) -> bool:
        """Anything but a person: enterprises, institutions, partners and internal branches."""
        return self.kind != choices.CustomerKind.INDIVIDUAL

    def clean(self) -> None:
        """Normalise what people type, then check the rules that depend on the kind of customer."""
        from freightcrm.customers.rules import check_customer

        check_customer(self)


class CustomerShare(TimeStampedModel):
    """A customer shared with a colleague who is not its owner (e.g. a deputy account manager)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="shares")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("shared with"),
        on_delete=models.CASCADE,
        related_name="customer_shares",
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    customer_path = "customer"

    class Meta:
        verbose_name = _("customer share")
        verbose_name_plural = _("customer shares")
        constraints = [models.UniqueConstraint(fields=["customer", "user"], name="customer_share_once")]

    def __str__(self) -> str:
        return f"{self.customer} → {self.user}"


class Contact(VersionedModel):
    customer_path = "customer"

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("full name"), max_length=50)
    title = models.CharField(_("job title"), max_length=50, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=choices.ContactRole.choices, blank=True)
    mobile = PhoneField(_("mobile"), max_length=20, blank=True, validators=[validate_mobile])
    phone = PhoneField(_("telephone"), max_length=20, blank=True, validators=[validate_phone])
    email = models.EmailField(_("e-mail"), blank=True)
    wechat = models.CharField(_("WeChat"), max_length=50, blank=True)
    birthday = models.DateField(_("birthday"), null=True, blank=True, validators=[validate_past_date])
    is_primary = models.BooleanField(_("primary contact"), default=False)
    notes = models.CharField(_("notes"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-is_primary", "name"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        constraints = [
            models.UniqueConstraint(
                fields=["customer"], condition=Q(is_primary=True), name="contact_one_primary_per_customer"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from freightcrm.customers.rules import check_contact

        check_contact(self)


class Address(TimeStampedModel):
    customer_path = "customer"

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="addresses"
    )
    kind = models.CharField(_("address type"), max_length=12, choices=choices.AddressKind.choices)
    text = models.CharField(_("full address"), max_length=300)
    province = models.CharField(_("province"), max_length=20, blank=True, editable=False)
    city = models.CharField(_("city"), max_length=30, blank=True, editable=False)
    district = models.CharField(_("district"), max_length=30, blank=True, editable=False)
    adcode = models.CharField(_("region code"), max_length=6, blank=True, editable=False)
    detail = models.CharField(_("street address"), max_length=300, blank=True, editable=False)
    postal_code = models.CharField(_("postal code"), max_length=6, blank=True)
    is_primary = models.BooleanField(_("primary address"), default=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-is_primary", "kind"]
        verbose_name = _("address")
        verbose_name_plural = _("addresses")
        constraints = [
            models.UniqueConstraint(
                fields=["customer"], condition=Q(is_primary=True), name="address_one_primary_per_customer"
            )
        ]

    def __str__(self) -> str:
        return self.text


class LogisticsNeed(TimeStampedModel):
    """What, where and how a customer ships: one lane and its requirements."""

    customer_path = "customer"

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="needs"
    )
    mode = models.CharField(_("mode"), max_length=12, choices=choices.Mode.choices)
    origin_city = models.CharField(_("origin city"), max_length=30)
    destination_city = models.CharField(_("destination city"), max_length=30)
    cargo_type = models.CharField(_("cargo type"), max_length=12, choices=choices.CargoType.choices)
    temperature = models.CharField(
        _("temperature control"),
        max_length=12,
        choices=choices.Temperature.choices,
        default=choices.Temperature.AMBIENT,
    )
    packaging = models.CharField(_("packaging standard"), max_length=100, blank=True)
    delivery_window = models.CharField(_("delivery window"), max_length=100, blank=True)
    frequency = models.CharField(_("frequency"), max_length=10, choices=choices.Frequency.choices)
    annual_volume = models.DecimalField(
        _("annual volume"), max_digits=14, decimal_places=2, null=True, blank=True, validators=NOT_NEGATIVE
    )
    volume_unit = models.CharField(
        _("unit"), max_length=8, choices=choices.VolumeUnit.choices, default=choices.VolumeUnit.TONNES
    )
    notes = models.CharField(_("notes"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("logistics need")
        verbose_name_plural = _("logistics needs")
        constraints = [
            models.CheckConstraint(
                condition=Q(annual_volume__isnull=True) | Q(annual_volume__gte=0),
                name="need_annual_volume_gte_0",
            )
        ]

    def __str__(self) -> str:
        return f"{self.origin_city} → {self.destination_city}（{self.get_mode_display()}）"


def document_path(instance: Document, filename: str) -> str:
    suffix = PurePosixPath(filename).suffix.lower()
    return f"customers/{instance.customer.uid}/{uuid.uuid4().hex}{suffix}"


class Document(TimeStampedModel):
    """A filed document: contract, letter, call record, negotiation notes, annual report, licence."""

    customer_path = "customer"
    ALLOWED_SUFFIXES = (
        ".pdf",
        ".jpg",
        ".jpeg",
        ".png",
        ".webp",
        ".docx",
        ".xlsx",
        ".doc",
        ".xls",
        ".txt",
        ".mp3",
        ".m4a",
    )

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="documents"
    )
    doc_type = models.CharField(_("document type"), max_length=20, choices=choices.DocumentType.choices)
    title = models.CharField(_("title"), max_length=200)
    dated = models.DateField(_("document date"), validators=[validate_past_date])
    file = models.FileField(_("file"), upload_to=document_path, max_length=300)
    original_name = models.CharField(_("original file name"), max_length=255, blank=True, editable=False)
    size = models.PositiveBigIntegerField(
        _("size (bytes)"), default=0, editable=False, validators=[MinValueValidator(0)]
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    notes = models.CharField(_("notes"), max_length=200, blank=True)

    class Meta:
        ordering = ["-dated"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        return self.title


class TermField(models.IntegerChoices):
    """Which part of a customer a search key comes from (`customers/search.py`)."""

    CODE = 1, _("customer code")
    USCC = 2, _("unified social credit code")
    PHONE = 3, _("phone number (digits reversed)")
    NAME_START = 4, _("start of the name")
    NAME_INNER = 5, _("inside the name")
    PINYIN = 6, _("pinyin")
    CONTACT = 7, _("contact name")


class SearchKeyField(models.CharField):
    """A key compared character by character (code point order) on every database, whatever the
    PostgreSQL database's collation: `key >= q AND key < q || U+10FFFF` then means "starts with q"
    and is answered from the B-tree index. SQLite compares text that way already."""

    def db_parameters(self, connection: Any) -> dict[str, Any]:
        params = super().db_parameters(connection)
        if connection.vendor == "postgresql":
            params["collation"] = "C"
        return params


class SearchTerm(models.Model):
    """One key under which a customer can be found: the search index, rebuilt from the archive by
    `freightcrm rebuild_search_index` and kept current by the services. Never edited by hand."""

    KEY_LENGTH = 12  # name, pinyin and contact keys are cut here; codes and numbers are whole
    customer_path = "customer"

    pk = models.CompositePrimaryKey("kind", "key", "customer")
    kind = models.PositiveSmallIntegerField(choices=TermField.choices)
    key = SearchKeyField(max_length=24)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("search term")
        verbose_name_plural = _("search terms")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.key}"
