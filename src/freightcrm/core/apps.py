from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "freightcrm.core"
    label = "core"
    verbose_name = _("System settings")

    def ready(self) -> None:
        from freightcrm.core.roles import sync_role_permissions

        post_migrate.connect(sync_role_permissions, dispatch_uid="freightcrm.sync_role_permissions")
