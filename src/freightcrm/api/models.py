"""Bearer tokens for the JSON API.

A token is shown once, when it is issued, as `fct_<prefix>_<secret>`. Only the prefix (to find the
row and to name the token in lists and logs) and the SHA-256 of the secret are stored: a copy of
the database does not give anyone API access. The secret is 256 random bits, so a plain SHA-256
(no salt, no slow hash) is enough; slow hashing would cost every API request for nothing.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from freightcrm.core.models import TimeStampedModel

TOKEN_SCHEME = "fct"  # noqa: S105 - the tokens' visible scheme, not a secret


class ApiToken(TimeStampedModel):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    prefix = models.CharField(_("key prefix"), max_length=16, unique=True, editable=False)
    secret_hash = models.CharField(_("secret hash (SHA-256)"), max_length=64, editable=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)

    # Issue and revoke are recorded; the once-a-minute `last_used_at` touch is an UPDATE, not a save.
    history = HistoricalRecords(excluded_fields=["secret_hash", "last_used_at"])

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        label = f" ({self.name})" if self.name else ""
        return f"{TOKEN_SCHEME}_{self.prefix}…{label}"
