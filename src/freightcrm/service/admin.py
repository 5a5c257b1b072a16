"""The service app's staff UI, one module per area."""

from freightcrm.service.care import admin as care_admin  # noqa: F401
from freightcrm.service.complaints import admin as complaints_admin  # noqa: F401
from freightcrm.service.interactions import admin as interactions_admin  # noqa: F401
from freightcrm.service.surveys import admin as surveys_admin  # noqa: F401
from freightcrm.service.visits import admin as visits_admin  # noqa: F401
