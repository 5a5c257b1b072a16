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
        # Each area registers its timeline and due sources, card sections, demo steps and daily jobs.
        import freightcrm.service.interactions.selectors
        import freightcrm.service.surveys.selectors
        import freightcrm.service.visits.selectors  # noqa: F401
        from freightcrm.customers.demo_steps import DemoStep, register_demo_step, run_later
        from freightcrm.service import care, timeline  # noqa: F401
        from freightcrm.service.complaints import registry as complaints  # noqa: F401

        care.ready()
        # Demo steps import their (large) modules only when a seed runs them.
        register_demo_step(DemoStep("visits", "回访", run_later("freightcrm.service.visits.demo"), 40))
        register_demo_step(
            DemoStep("surveys", "满意度调查", run_later("freightcrm.service.surveys.demo"), 50)
        )
        register_demo_step(
            DemoStep("interactions", "通话与备忘", run_later("freightcrm.service.interactions.demo"), 60)
        )
        from freightcrm.service.care.services import register_daily_job
        from freightcrm.service.visits.services import visit_plans_generate

        register_daily_job("visit_plans_generate", lambda today: visit_plans_generate(today=today))
