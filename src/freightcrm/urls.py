from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from freightcrm.api.main import api
from freightcrm.intake.views import self_service_page
from freightcrm.service.surveys.views import survey_page

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", include("freightcrm.service.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("s/<str:token>/", survey_page, name="survey-answer"),
    path("f/<str:token>/", self_service_page, name="self-service"),
]
