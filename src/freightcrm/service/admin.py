"""The service app's staff UI, one module per area."""

from freightcrm.service.care import admin as care_admin  # noqa: F401
from freightcrm.service.complaints import admin as complaints_admin  # noqa: F401
