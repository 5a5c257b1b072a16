"""The service app's models, one module per area (complaints, visits, surveys, care)."""

from freightcrm.service.care.models import *  # noqa: F403
