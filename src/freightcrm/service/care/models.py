"""The due list (待办): one row per thing a user has to do, kept by the daily refresh."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from freightcrm.customers.models import Customer


class DueItem(models.Model):
    """One entry of a user's due list, identified by (kind, key, assignee).

    The daily refresh (`due_items_refresh`) upserts an item for every candidate its sources yield and
    closes (`closed_at`) the open items whose candidate has gone — the work was done elsewhere, the
    customer changed hands. `done_at` and `snoozed_until` are the user's own state and survive
    refreshes.
    """

    customer_path = "customer"

    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        on_delete=models.CASCADE,
        related_name="due_items",
    )
    kind = models.CharField(_("kind"), max_length=40)
    key = models.CharField(_("key"), max_length=120)
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="due_items",
    )
    title = models.CharField(_("title"), max_length=200)
    due_on = models.DateField(_("due on"))
    url = models.CharField(_("link"), max_length=300, blank=True)
    priority = models.SmallIntegerField(_("priority"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    snoozed_until = models.DateField(_("snoozed until"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    refresh_token = models.CharField(_("last refresh"), max_length=32, blank=True, editable=False)

    class Meta:
        verbose_name = _("due item")
        verbose_name_plural = _("My due list")
        permissions = [("view_others_due_items", _("See other users' due lists"))]
        constraints = [
            models.UniqueConstraint(fields=["kind", "key", "assignee"], name="due_item_unique_per_assignee"),
            models.CheckConstraint(condition=~Q(kind=""), name="due_item_kind_not_empty"),
        ]
        indexes = [
            models.Index(
                fields=["assignee", "due_on"],
                name="due_item_open_by_assignee",
                condition=Q(done_at__isnull=True, closed_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.done_at is None and self.closed_at is None
