"""The intake app's staff pages, registered with the admin site."""

from __future__ import annotations

from django.contrib import admin

from freightcrm.intake.models import Submission
from freightcrm.intake.review_admin import SubmissionAdmin

admin.site.register(Submission, SubmissionAdmin)
