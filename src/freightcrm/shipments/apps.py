from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ShipmentsConfig(AppConfig):
    name = "freightcrm.shipments"
    label = "shipments"
    verbose_name = _("Shipments")

    def ready(self) -> None:
        from freightcrm.shipments import selectors  # noqa: F401  (registers its customer card sections)
        from freightcrm.shipments.stats import connect_signals

        connect_signals()
