"""Staff pages of the service app under /admin/ (mounted before the admin site's own URLs)."""

from django.contrib import admin
from django.urls import path

from freightcrm.service.care.views import timeline_view

urlpatterns = [
    path(
        "customers/customer/<int:pk>/timeline/",
        admin.site.admin_view(timeline_view),
        name="customer_timeline",
    ),
]
