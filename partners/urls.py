from django.urls import path

from .views import coordinator, reports

app_name = "partners"

urlpatterns = [
    # --- coordinator pages (partners/views/coordinator.py) ---
    # --- end coordinator pages ---
    # --- partner representative pages, reports, attachments, exports (partners/views/reports.py) ---
    # --- end partner pages ---
]
