"""The service app's models, one module per area (complaints, visits, surveys, care)."""

from freightcrm.service.care.models import *  # noqa: F403
from freightcrm.service.complaints.models import *  # noqa: E402, F403
from freightcrm.service.interactions.models import *  # noqa: E402, F403
from freightcrm.service.surveys.models import *  # noqa: E402, F403
from freightcrm.service.visits.models import *  # noqa: E402, F403
