from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceConfig(AppConfig):
    """Service and relationship: complaints, return visits, surveys, care and reminders, the timeline.

    Each area is a subpackage with the usual skeleton (`models`, `services`, `selectors`, `admin`,
    `api`, `tasks`, `demo`); the app's own `models.py`, `admin.py` and `api.py` gather them.
    """

    name = "freightcrm.service"
    label = "service"
    verbose_name = _("Service and relationship")

    def ready(self) -> None:
        from freightcrm.service import timeline  # noqa: F401  (registers the timeline card section)
        from freightcrm.service.interactions import demo, selectors  # noqa: F401, F811  (calls and notes)
        from freightcrm.service.surveys import demo, selectors  # noqa: F401, F811  (surveys)
        from freightcrm.service.visits import demo, selectors  # noqa: F401, F811  (return visits)
