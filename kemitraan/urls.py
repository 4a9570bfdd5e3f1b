from django.contrib import admin
from django.urls import include, path

from kemitraan import views as project_views

urlpatterns = [
    path("health/", project_views.health, name="health"),
    path("health/live/", project_views.live, name="health_live"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("", include("workspace.urls")),
    path("", include("partners.urls")),
    path("", include("evaluations.urls")),
]
