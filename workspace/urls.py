"""URLs of the pages that combine partnerships and evaluations; their paths are those they always had."""
from django.urls import path

from . import views

app_name = "workspace"

urlpatterns = [
    path("", views.home, name="home"),
    path("mitra/", views.partner_home, name="partner_home"),
    path("kemitraan/<int:pk>/", views.partnership_detail, name="partnership_detail"),
]
