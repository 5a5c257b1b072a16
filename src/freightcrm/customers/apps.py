from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "freightcrm.customers"
    label = "customers"
    verbose_name = _("Customer archive")

    def ready(self) -> None:
        from freightcrm.customers import selectors  # noqa: F401  (registers its customer card sections)
