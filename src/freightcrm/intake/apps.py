from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "freightcrm.intake"
    label = "intake"
    verbose_name = _("Intake and review")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from freightcrm.intake.ocr_admin import register

        register()  # the OCR pages (admin.py holds the import wizard's)
        import freightcrm.intake.selectors  # noqa: F401 - registers the customer card's block
